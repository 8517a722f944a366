using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace WalletDesk.Server.Data;

public static class DataModule
{
    /// <summary>Registers the provider-specific <see cref="AppDbContext"/> and its factory.</summary>
    public static IServiceCollection AddWalletDeskData(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DataPaths>();
        services.AddSingleton(sp => ConnectionSettings.Resolve(
            sp.GetRequiredService<IOptions<DatabaseOptions>>().Value,
            sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<DataPaths>()));

        services.AddDbContextFactory<SqliteAppDbContext>((sp, options) =>
            ConfigureSqlite(options, sp.GetRequiredService<ConnectionSettings>().ConnectionString, sp.GetService<ILoggerFactory>()));
        services.AddDbContextFactory<PostgresAppDbContext>((sp, options) =>
            ConfigurePostgres(options, sp.GetRequiredService<ConnectionSettings>().ConnectionString, sp.GetService<ILoggerFactory>()));

        services.AddSingleton<IDbContextFactory<AppDbContext>, AppDbContextFactory>();
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext());
        services.AddSingleton<DatabaseInitializer>();
        return services;
    }

    public static void ConfigureSqlite(DbContextOptionsBuilder options, string connectionString, ILoggerFactory? loggers = null) =>
        WithErrorLogging(options.UseSqlite(connectionString).AddInterceptors(new SqlitePragmaInterceptor()), loggers);

    public static void ConfigurePostgres(DbContextOptionsBuilder options, string connectionString, ILoggerFactory? loggers = null) =>
        WithErrorLogging(options.UseNpgsql(connectionString), loggers);

    // EF Core logs every failed command and save as an Error with a stack trace, handled or not; DatabaseErrorLogging
    // logs them instead, telling expected unique-key conflicts from real failures.
    private static void WithErrorLogging(DbContextOptionsBuilder options, ILoggerFactory? loggers) =>
        options
            .AddInterceptors(new DatabaseErrorLogging((loggers ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger("WalletDesk.Server.Data.DatabaseErrors")))
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning, RelationalEventId.CommandError, CoreEventId.SaveChangesFailed));

    /// <summary>Creates a context outside DI (the CLI and tests).</summary>
    public static AppDbContext CreateContext(bool postgres, string connectionString)
    {
        if (postgres)
        {
            var builder = new DbContextOptionsBuilder<PostgresAppDbContext>();
            ConfigurePostgres(builder, connectionString);
            return new PostgresAppDbContext(builder.Options);
        }

        var sqlite = new DbContextOptionsBuilder<SqliteAppDbContext>();
        ConfigureSqlite(sqlite, connectionString);
        return new SqliteAppDbContext(sqlite.Options);
    }
}

/// <summary>The resolved provider and connection string.</summary>
public sealed record ConnectionSettings(bool IsPostgres, string ConnectionString)
{
    public static ConnectionSettings Resolve(DatabaseOptions options, IConfiguration configuration, DataPaths paths)
    {
        var configured = configuration.GetConnectionString("WalletDesk");
        if (options.IsPostgres)
        {
            if (string.IsNullOrWhiteSpace(configured))
            {
                throw new InvalidOperationException("Database:Provider is 'postgres' but ConnectionStrings:WalletDesk is not set.");
            }

            var builder = new NpgsqlConnectionStringBuilder(configured);
            // Fail fast instead of hanging when the database is away; callers get a 503.
            if (!configured.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
            {
                builder.Timeout = 5;
                builder.CommandTimeout = 30;
            }

            return new ConnectionSettings(true, builder.ConnectionString);
        }

        var sqlite = string.IsNullOrWhiteSpace(configured)
            ? new SqliteConnectionStringBuilder { DataSource = paths.SqliteFile }
            : new SqliteConnectionStringBuilder(configured);
        sqlite.DefaultTimeout = 30;
        return new ConnectionSettings(false, sqlite.ConnectionString);
    }

    /// <summary>The connection string with any password removed, for messages.</summary>
    public string Describe() => IsPostgres
        ? new NpgsqlConnectionStringBuilder(ConnectionString) { Password = null }.ToString()
        : ConnectionString;
}

internal sealed class AppDbContextFactory(IServiceProvider services, ConnectionSettings settings) : IDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext() => settings.IsPostgres
        ? services.GetRequiredService<IDbContextFactory<PostgresAppDbContext>>().CreateDbContext()
        : services.GetRequiredService<IDbContextFactory<SqliteAppDbContext>>().CreateDbContext();
}
