using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Identity;

namespace WalletDesk.Server.Tests.Infrastructure;

/// <summary>The real server over a file-based SQLite database or a fresh PostgreSQL database, with a hand-moved clock.</summary>
public sealed class WalletDeskFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private bool _live;

    private WalletDeskFactory(string provider, string dataDir, string? connectionString, IDictionary<string, string?>? settings)
    {
        Provider = provider;
        DataDir = dataDir;
        ConnectionString = connectionString;
        _settings = new Dictionary<string, string?>
        {
            ["WALLETDESK_DATA_DIR"] = dataDir,
            ["Database:Provider"] = provider,
            ["Database:MigrateOnStart"] = "true",
            ["Database:SeedDemoData"] = "false",
            ["RateLimits:SignInPerMinute"] = "100000",
            ["RateLimits:PublicPerMinute"] = "100000",
            ["RateLimits:ApiPerMinute"] = "100000",
            ["CustomerTokens:SigningKey"] = TestKeys.CustomerSigningKey,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (connectionString is not null)
        {
            _settings["ConnectionStrings:WalletDesk"] = connectionString;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string Provider { get; }

    public string DataDir { get; }

    public string? ConnectionString { get; }

    // Sub-microsecond ticks on purpose: PostgreSQL keeps microseconds, and code must not depend on more.
    public TestClock Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero).AddTicks(1_234_567));

    public CapturedLogs Logs { get; } = new();

    public static async Task<WalletDeskFactory> CreateAsync(string provider, IDictionary<string, string?>? settings = null, bool live = false)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "walletdesk-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var connection = provider == Providers.Postgres ? await TestPostgres.CreateDatabaseAsync() : null;
        var factory = new WalletDeskFactory(provider, dataDir, connection, settings);
        if (live)
        {
            // Real sockets (WebSockets for the chat hub, a browser): Kestrel on a free loopback port.
            factory.UseKestrel(0);
            factory.StartServer();
            factory._live = true;
        }
        else
        {
            _ = factory.Server; // start now so failures surface in the fixture
        }

        return factory;
    }

    /// <summary>The address Kestrel listens on, for factories created with <c>live: true</c>.</summary>
    public Uri LiveUrl => new(Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
        .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<ILoggerProvider>(Logs);
        });
    }

    /// <summary>On a live factory, clients talk to the Kestrel port (the default base address would be http://localhost:80).</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        if (_live)
        {
            client.BaseAddress = LiveUrl;
        }
    }

    /// <summary>Client options without redirects; on a live factory the base address is the Kestrel port.</summary>
    public WebApplicationFactoryClientOptions Options(bool handleCookies)
    {
        var options = new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = handleCookies };
        if (_live)
        {
            options.BaseAddress = LiveUrl;
        }

        return options;
    }

    public HttpClient CreateBrowserClient() => CreateClient(Options(handleCookies: true));

    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    public async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> work)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        return await work(db);
    }

    /// <summary>Creates a staff member; with <paramref name="withTotp"/> they are enrolled and the secret is returned.</summary>
    public async Task<TestStaff> CreateStaffAsync(string role, bool withTotp = false, string? userName = null)
    {
        userName ??= $"{role}-{Guid.NewGuid():N}"[..20];
        const string password = "correct-horse-battery";
        await using var scope = Scope();
        var directory = scope.ServiceProvider.GetRequiredService<StaffDirectoryService>();
        var user = await directory.CreateAsync(userName, $"{userName}@example.test", userName, role, password, actor: null);
        byte[]? secret = null;
        if (withTotp)
        {
            var auth = scope.ServiceProvider.GetRequiredService<StaffAuthService>();
            var enrolment = await auth.BeginTotpEnrolmentAsync(user.Id);
            secret = Totp.FromBase32(enrolment.SecretBase32);
            var codes = await auth.ConfirmTotpEnrolmentAsync(user.Id, Totp.Compute(secret, Totp.StepAt(Clock.GetUtcNow())), null);
            codes.ShouldNotBeNull();
            Clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
            return new TestStaff(user.Id, userName, password, role, secret, codes);
        }

        return new TestStaff(user.Id, userName, password, role, secret, []);
    }

    /// <summary>A wallet customer signed in through a customer token, as the wallet app would present them.</summary>
    public async Task<TestCustomer> CreateCustomerAsync(string? name = null, string locale = "en")
    {
        var sub = "cust_" + Guid.NewGuid().ToString("N")[..12];
        var token = Services.GetRequiredService<CustomerTokenValidator>().MintForDemo(sub, name ?? "Test Customer", TimeSpan.FromMinutes(30), locale);
        var client = CreateClient(Options(handleCookies: false));
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var me = await (await client.GetAsync("/api/me")).ReadAsAsync<CustomerMeResponse>();
        return new TestCustomer(me.Id, sub, client);
    }

    /// <summary>The same customer with a freshly minted token (after the clock moved past the old one's expiry).</summary>
    public TestCustomer CustomerAgain(TestCustomer customer)
    {
        var token = Services.GetRequiredService<CustomerTokenValidator>().MintForDemo(customer.ExternalId, null, TimeSpan.FromMinutes(30));
        var client = CreateClient(Options(handleCookies: false));
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return customer with { Client = client };
    }

    public string CurrentTotp(TestStaff staff) => Totp.Compute(staff.TotpSecret!, Totp.StepAt(Clock.GetUtcNow()));

    /// <summary>Signs in through the console forms (password, then the code when enrolled) and returns the cookie-carrying client.</summary>
    public async Task<HttpClient> SignInAsync(TestStaff staff)
    {
        var client = CreateBrowserClient();
        var response = await client.SubmitFormAsync("/console/sign-in", "sign-in", new() { ["Input.UserName"] = staff.UserName, ["Input.Password"] = staff.Password });
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        if (staff.TotpSecret is not null)
        {
            response.LocationPath().ShouldStartWith("/console/sign-in/two-factor");
            response = await client.SubmitFormAsync(response.LocationPath(), "two-factor", new() { ["Input.Code"] = CurrentTotp(staff) });
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
            Clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        }

        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (ConnectionString is not null)
        {
            await TestPostgres.DropDatabaseAsync(ConnectionString);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left for the OS temp cleaner.
        }
    }
}

public sealed record TestCustomer(Guid Id, string ExternalId, HttpClient Client);

public sealed record TestStaff(Guid Id, string UserName, string Password, string Role, byte[]? TotpSecret, IReadOnlyList<string> RecoveryCodes);

public static class TestKeys
{
    public const string CustomerSigningKey = "test-customer-signing-key-0123456789abcdef";
}
