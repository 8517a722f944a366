using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Plumbing;

public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task PostgresGoesAway_ReadyAndApiAnswer503Fast_ThenRecoverWithoutRestart()
    {
        if (!TestPostgres.IsAvailable)
        {
            return; // Needs the PostgreSQL server CI starts; SQLite is embedded and cannot go away.
        }

        var real = new NpgsqlConnectionStringBuilder(await TestPostgres.CreateDatabaseAsync());
        await using var proxy = new TcpProxy(real.Host!, real.Port);
        proxy.Start();
        var viaProxy = new NpgsqlConnectionStringBuilder(real.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 2, CommandTimeout = 5 };
        await using var app = await WalletDeskFactory.CreateAsync(Providers.Postgres, new Dictionary<string, string?> { ["ConnectionStrings:WalletDesk"] = viaProxy.ConnectionString });
        var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", CustomerToken(app));
        (await client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        proxy.Cut();
        var watch = Stopwatch.StartNew();
        (await client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var api = await client.GetAsync("/api/me");
        watch.Stop();
        var body = await api.ShouldReturnAsync(HttpStatusCode.ServiceUnavailable);
        api.Headers.RetryAfter.ShouldNotBeNull();
        body.ShouldContain("database");
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20), "a dead database must not hang requests");

        proxy.Start();
        (await client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var recovered = await client.GetAsync("/api/me");
        if (recovered.StatusCode != HttpStatusCode.OK)
        {
            // The pool may hand out one connection broken by the cut; the next request gets a fresh one.
            recovered = await client.GetAsync("/api/me");
        }

        recovered.StatusCode.ShouldBe(HttpStatusCode.OK);
        await TestPostgres.DropDatabaseAsync(real.ConnectionString);
    }

    [Fact]
    public async Task ServerProcess_DatabaseUnreachableAtStart_SaysSoInOneLineAndExitsNonZero()
    {
        var start = ServerProcess.Command(["--urls", "http://127.0.0.1:0"]);
        start.Environment["Database__Provider"] = "postgres";
        start.Environment["ConnectionStrings__WalletDesk"] = "Host=127.0.0.1;Port=1;Username=x;Password=secret-pw;Database=x;Timeout=2";
        start.Environment["WALLETDESK_DATA_DIR"] = Path.Combine(Path.GetTempPath(), "walletdesk-tests", Guid.NewGuid().ToString("N"));

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        process.ExitCode.ShouldBe(1);
        var lines = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(1, await stdout);
        lines[0].ShouldContain("Cannot reach the PostgreSQL database");
        lines[0].ShouldNotContain("secret-pw");
    }

    private static string CustomerToken(WalletDeskFactory app)
    {
        var now = app.Clock.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "demo-wallet",
            Audience = "walletdesk",
            Claims = new Dictionary<string, object> { ["sub"] = "outage-customer" },
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(50),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(TestKeys.CustomerSigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
