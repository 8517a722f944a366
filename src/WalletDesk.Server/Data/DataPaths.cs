namespace WalletDesk.Server.Data;

/// <summary>
/// Resolves the data folder where the SQLite file, keys and attachments live: <c>WALLETDESK_DATA_DIR</c> when set,
/// else <c>data</c> at the root of the source checkout the process runs in (the folder holding <c>WalletDesk.slnx</c>),
/// else <c>./data</c> in the current directory (a published build).
/// </summary>
/// <remarks>
/// <c>dotnet run --project src/WalletDesk.Server</c> runs the server from its project folder while
/// <c>dotnet run --project src/WalletDesk.Cli</c> runs from where it was typed, so "the current directory" would give
/// the two different databases and keys. Anchoring on the checkout's root gives both the README's <c>./data</c>.
/// </remarks>
public sealed class DataPaths
{
    /// <summary>The file that marks a WalletDesk source checkout's root.</summary>
    public const string CheckoutMarker = "WalletDesk.slnx";

    public DataPaths(IConfiguration configuration)
    {
        Root = Resolve(configuration["WALLETDESK_DATA_DIR"], Directory.GetCurrentDirectory());
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string KeysFolder => Path.Combine(Root, "keys");

    public string SqliteFile => Path.Combine(Root, "walletdesk.db");

    /// <summary>The data folder for a configured value (may be empty) and a current directory.</summary>
    public static string Resolve(string? configured, string currentDirectory)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured, currentDirectory);
        }

        for (var folder = new DirectoryInfo(Path.GetFullPath(currentDirectory)); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, CheckoutMarker)))
            {
                return Path.Combine(folder.FullName, "data");
            }
        }

        return Path.Combine(Path.GetFullPath(currentDirectory), "data");
    }
}
