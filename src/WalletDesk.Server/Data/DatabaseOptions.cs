using System.ComponentModel.DataAnnotations;

namespace WalletDesk.Server.Data;

/// <summary>Which database WalletDesk uses and how it reaches it.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary><c>sqlite</c> (embedded default) or <c>postgres</c>.</summary>
    [Required]
    [RegularExpression("^(?i)(sqlite|postgres|postgresql)$", ErrorMessage = "Database:Provider must be 'sqlite' or 'postgres'.")]
    public string Provider { get; set; } = "sqlite";

    /// <summary>Apply pending migrations when the server starts. Defaults to on for SQLite, off for PostgreSQL (run <c>walletdesk migrate</c>).</summary>
    public bool? MigrateOnStart { get; set; }

    /// <summary>Seed demo data on an empty database.</summary>
    public bool SeedDemoData { get; set; } = true;

    public bool IsPostgres => Provider.StartsWith("postgres", StringComparison.OrdinalIgnoreCase);
}
