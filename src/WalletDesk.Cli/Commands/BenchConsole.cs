using Spectre.Console;

namespace WalletDesk.Cli.Commands;

/// <summary>What the server-process benches (tickets, chat) check and set up the same way before they start.</summary>
internal static class BenchConsole
{
    /// <summary>False (after saying why) when --skip-sqlite leaves nothing to run.</summary>
    public static async Task<bool> ProvidersChosenAsync(bool skipSqlite, string? postgres)
    {
        if (skipSqlite && string.IsNullOrWhiteSpace(postgres))
        {
            await Console.Error.WriteLineAsync("walletdesk: --skip-sqlite needs --postgres.");
            return false;
        }

        if (Console.IsOutputRedirected)
        {
            // Keep the tables readable when the output goes to a file or a log (Spectre would assume 80 columns).
            AnsiConsole.Profile.Width = 160;
        }

        return true;
    }
}
