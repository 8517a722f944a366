namespace WalletDesk.Server.Data;

/// <summary>Resolves the data folder (<c>WALLETDESK_DATA_DIR</c>, else <c>./data</c>) where the SQLite file, keys and attachments live.</summary>
public sealed class DataPaths
{
    public DataPaths(IConfiguration configuration)
    {
        var configured = configuration["WALLETDESK_DATA_DIR"];
        Root = Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Path.Combine(Directory.GetCurrentDirectory(), "data") : configured);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string KeysFolder => Path.Combine(Root, "keys");

    public string SqliteFile => Path.Combine(Root, "walletdesk.db");
}
