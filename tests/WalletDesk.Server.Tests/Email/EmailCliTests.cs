using System.Diagnostics;
using System.Text;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Email;

/// <summary><c>walletdesk email ingest</c> as a Postfix pipe transport runs it: the message on standard input.</summary>
public sealed class EmailCliTests
{
    [Fact]
    public async Task CliIngest_MessageOnStdin_OpensATicketOnceAndTempFailsWithoutADatabase()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "walletdesk-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var env = new Dictionary<string, string>
        {
            ["WALLETDESK_DATA_DIR"] = dataDir,
            ["Email__Inbound__Address"] = EmailChannelFixture.Support,
            ["Email__Inbound__ReplyTokenKey"] = EmailChannelFixture.ReplyKey,
        };
        try
        {
            var migrated = await RunAsync(["migrate"], env, null);
            migrated.Code.ShouldBe(0, migrated.Output);
            var raw = InboundMail.Message(InboundMail.NewSender("cli"), "Through the pipe", "Delivered by the pipe transport.");

            var first = await RunAsync(["email", "ingest", "--provider-id", "queue-4F2A1"], env, raw);
            var again = await RunAsync(["email", "ingest", "--provider-id", "queue-4F2A1"], env, raw);
            var unreadable = await RunAsync(["email", "ingest"], env, Encoding.ASCII.GetBytes("garbage without headers\n"));

            first.Code.ShouldBe(0, first.Output);
            first.Output.ShouldContain("\"outcome\":\"ticket_created\"");
            again.Code.ShouldBe(0, again.Output);
            again.Output.ShouldContain("\"outcome\":\"duplicate\"");
            unreadable.Code.ShouldBe(0, "kept in the quarantine is handled: " + unreadable.Output);
            unreadable.Output.ShouldContain("\"outcome\":\"quarantined\"");

            var noDatabase = new Dictionary<string, string>(env)
            {
                ["Database__Provider"] = "postgres",
                ["ConnectionStrings__WalletDesk"] = "Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=2",
            };
            var down = await RunAsync(["email", "ingest"], noDatabase, raw);
            down.Code.ShouldBe(75, "EX_TEMPFAIL: the MTA keeps the message and retries: " + down.Output);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string[] args, Dictionary<string, string> env, byte[]? stdin)
    {
        var server = ServerProcess.Command([]);
        var cliDll = Path.Combine(Path.GetDirectoryName(server.WorkingDirectory)!, "WalletDesk.Cli", "bin",
            new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, new DirectoryInfo(AppContext.BaseDirectory).Name, "walletdesk.dll");
        var start = new ProcessStartInfo("dotnet", [cliDll, .. args])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var (key, value) in env)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
