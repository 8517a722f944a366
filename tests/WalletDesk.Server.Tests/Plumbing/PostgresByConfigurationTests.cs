using System.Diagnostics;
using System.Net;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Plumbing;

/// <summary>Issue 2, point 3: switch to PostgreSQL by configuration, run `walletdesk migrate`, start the server.</summary>
public sealed class PostgresByConfigurationTests
{
    [Fact]
    public async Task MigrateWithCli_ThenServerStartsOnPostgres_AndSeedsOnce()
    {
        if (!TestPostgres.IsAvailable)
        {
            return; // CI provides PostgreSQL; locally export WALLETDESK_TEST_POSTGRES to run this.
        }

        var connection = await TestPostgres.CreateDatabaseAsync();
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["Database__Provider"] = "postgres",
                ["ConnectionStrings__WalletDesk"] = connection,
            };

            var early = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(environment));
            early.Message.ShouldContain("walletdesk migrate");

            var (exit, output) = await RunCliAsync(environment, "migrate");
            exit.ShouldBe(0, output);
            output.ShouldContain("Applied");

            await using (var server = await ServerProcess.StartAsync(environment))
            {
                using var http = new HttpClient();
                (await http.GetAsync($"{server.BaseUrl}/console/sign-in")).StatusCode.ShouldBe(HttpStatusCode.OK);
                server.Output.ShouldContain("seeded just now");
            }

            await using (var again = await ServerProcess.StartAsync(environment))
            {
                again.Output.ShouldContain("already present");
            }

            (await RunCliAsync(environment, "audit", "verify")).Exit.ShouldBe(0);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connection);
        }
    }

    private static async Task<(int Exit, string Output)> RunCliAsync(Dictionary<string, string> environment, params string[] args)
    {
        var server = ServerProcess.Command([]);
        var cliDll = server.ArgumentList[0].Replace(Path.Combine("src", "WalletDesk.Server"), Path.Combine("src", "WalletDesk.Cli"), StringComparison.Ordinal).Replace("WalletDesk.Server.dll", "walletdesk.dll", StringComparison.Ordinal);
        var start = new ProcessStartInfo("dotnet", [cliDll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["WALLETDESK_DATA_DIR"] = Path.Combine(Path.GetTempPath(), "walletdesk-tests", Guid.NewGuid().ToString("N"));
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
