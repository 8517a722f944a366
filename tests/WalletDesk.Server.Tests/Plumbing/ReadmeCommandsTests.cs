using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using WalletDesk.Server.Data;

namespace WalletDesk.Server.Tests.Plumbing;

/// <summary>
/// The README's "Run it" recipe, run as a new user types it: from the repository root, through bash and
/// <c>dotnet run</c>, with the default data folder. Only <c>--urls</c> (which the README documents) is added, so the
/// test does not take port 5080 from a developer's running server.
/// </summary>
public sealed partial class ReadmeCommandsTests
{
    [Fact]
    public async Task ReadmeRecipe_ServerThenCliCustomerToken_ShareTheDataFolderAndTheTokenOpensThePortal()
    {
        var root = RepositoryRoot();
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
        var serverCommand = ServerCommandPattern().Match(readme);
        serverCommand.Success.ShouldBeTrue("the README's run command was not found");
        var tokenCommand = TokenCommandPattern().Match(readme);
        tokenCommand.Success.ShouldBeTrue("the README's customer-token command was not found");
        readme.ShouldContain("under `./data`");

        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var output = new StringBuilder();
        using var server = Bash(root, $"exec {serverCommand.Value} --urls {baseUrl}");
        server.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        server.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            await WaitUntilReadyAsync(server, baseUrl, output);
            string Printed() { lock (output) { return output.ToString(); } }
            Printed().ShouldContain($"SQLite {Path.Combine(root, "data", "walletdesk.db")}", customMessage: Printed());

            // As written: TOKEN=$(dotnet run --project src/WalletDesk.Cli -- customer-token --sub demo-0001)
            using var cli = Bash(root, $"{tokenCommand.Value} && printf '%s' \"$TOKEN\"");
            var stdout = await cli.StandardOutput.ReadToEndAsync();
            var stderr = await cli.StandardError.ReadToEndAsync();
            await cli.WaitForExitAsync();
            cli.ExitCode.ShouldBe(0, stderr);
            var token = stdout.Trim().Split('\n')[^1].Trim();
            token.Split('.').Length.ShouldBe(3, $"not a JWT: {stdout}\n{stderr}");

            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) };
            var session = await http.GetAsync($"/portal/session?token={Uri.EscapeDataString(token)}");
            session.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            session.Headers.Location!.ToString().ShouldBe("/portal", "the server rejected the CLI's token: they use different data folders");
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
        }
    }

    [Fact]
    public void DataFolder_FromTheServerProjectFolderOrTheRoot_IsTheCheckoutsDataFolder()
    {
        var root = RepositoryRoot();
        var expected = Path.Combine(root, "data");
        DataPaths.Resolve(null, root).ShouldBe(expected);
        DataPaths.Resolve("", Path.Combine(root, "src", "WalletDesk.Server")).ShouldBe(expected);
        DataPaths.Resolve(null, Path.Combine(root, "src", "WalletDesk.Cli")).ShouldBe(expected);
    }

    [Fact]
    public void DataFolder_WhenConfiguredOrOutsideACheckout_IsTheConfiguredOrCurrentFolder()
    {
        var outside = Path.Combine(Path.GetTempPath(), "walletdesk-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outside);
        DataPaths.Resolve(null, outside).ShouldBe(Path.Combine(outside, "data"));
        DataPaths.Resolve("/srv/walletdesk", RepositoryRoot()).ShouldBe("/srv/walletdesk");
        DataPaths.Resolve("relative", outside).ShouldBe(Path.Combine(outside, "relative"));
    }

    [GeneratedRegex(@"(?m)^dotnet run --project src/WalletDesk\.Server$")]
    private static partial Regex ServerCommandPattern();

    [GeneratedRegex(@"TOKEN=\$\(dotnet run --project src/WalletDesk\.Cli -- customer-token --sub demo-0001\)")]
    private static partial Regex TokenCommandPattern();

    private static Process Bash(string workingDirectory, string script)
    {
        var start = new ProcessStartInfo("bash", ["-c", script])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // A new user's shell: no data folder, database or signing key configured.
        foreach (var variable in new[] { "WALLETDESK_DATA_DIR", "Database__Provider", "ConnectionStrings__WalletDesk", "CustomerTokens__SigningKey", "ASPNETCORE_URLS" })
        {
            start.Environment.Remove(variable);
        }

        return Process.Start(start)!;
    }

    private static async Task WaitUntilReadyAsync(Process server, string baseUrl, StringBuilder output)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        // dotnet run builds first: allow for a cold build on a small machine.
        while (deadline.Elapsed < TimeSpan.FromMinutes(5))
        {
            if (server.HasExited)
            {
                lock (output)
                {
                    throw new InvalidOperationException($"The server exited with {server.ExitCode}:\n{output}");
                }
            }

            try
            {
                if ((await http.GetAsync($"{baseUrl}/health/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        lock (output)
        {
            throw new TimeoutException($"The server did not become ready:\n{output}");
        }
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, DataPaths.CheckoutMarker)))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Repository root not found");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
