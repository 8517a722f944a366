using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Plumbing;

public sealed class PlumbingTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Health_LiveAndReady_AreUp(string provider)
    {
        var app = await fixture.For(provider);
        var client = app.CreateBrowserClient();
        (await client.GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task LiveFactory_ClientsAndCustomers_TalkToTheKestrelPort()
    {
        await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite, live: true);
        var client = app.CreateClient();
        client.BaseAddress.ShouldBe(app.LiveUrl);
        (await client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var customer = await app.CreateCustomerAsync();
        customer.Client.BaseAddress.ShouldBe(app.LiveUrl);
    }

    [Fact]
    public async Task OpenApi_DescribesTheApi()
    {
        var app = await fixture.For(Providers.Sqlite);
        var json = await (await app.CreateBrowserClient().GetAsync("/openapi/v1.json")).ShouldReturnAsync(HttpStatusCode.OK);
        using var doc = JsonDocument.Parse(json);
        var paths = doc.RootElement.GetProperty("paths");
        paths.TryGetProperty("/api/audit", out _).ShouldBeTrue();
        paths.TryGetProperty("/api/api-tokens", out _).ShouldBeTrue();
        paths.TryGetProperty("/api/me", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task MalformedJson_Is400Problem_WithoutInternals()
    {
        var app = await fixture.For(Providers.Sqlite);
        var admin = await app.CreateStaffAsync(StaffRoles.Admin, withTotp: true);
        var client = await (await app.SignInAsync(admin)).WithCsrfAsync();

        var response = await client.PostAsync("/api/staff", new StringContent("{\"userName\": ", Encoding.UTF8, "application/json"));

        var body = await response.ShouldReturnAsync(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        body.ShouldNotContain("System.Text.Json");
        body.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task OversizedBody_Is413Problem()
    {
        var app = await fixture.For(Providers.Sqlite);
        var admin = await app.CreateStaffAsync(StaffRoles.Admin, withTotp: true);
        var client = await (await app.SignInAsync(admin)).WithCsrfAsync();
        var huge = JsonSerializer.Serialize(new { userName = new string('x', 2 * 1024 * 1024) });

        var response = await client.PostAsync("/api/staff", new StringContent(huge, Encoding.UTF8, "application/json"));

        await response.ShouldReturnAsync(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Pages_CarryStrictSecurityHeaders()
    {
        var app = await fixture.For(Providers.Sqlite);
        var response = await app.CreateBrowserClient().GetAsync("/console/sign-in");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldContain("script-src 'self'");
        csp.ShouldNotContain("unsafe-inline");
        csp.ShouldContain("frame-ancestors 'none'");
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
        response.Headers.GetValues("Referrer-Policy").Single().ShouldBe("no-referrer");
        response.Headers.CacheControl.ShouldNotBeNull().NoStore.ShouldBeTrue();
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        cookies.ShouldAllBe(c => c.Contains("httponly", StringComparison.OrdinalIgnoreCase) && c.Contains("samesite=strict", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task SignIn_Burst_IsRateLimitedWith429AndRetryAfter()
    {
        await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite, new Dictionary<string, string?> { ["RateLimits:SignInPerMinute"] = "3" });
        var client = app.CreateBrowserClient();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last = await client.GetAsync("/console/sign-in");
        }

        var body = await last!.ShouldReturnAsync(HttpStatusCode.TooManyRequests);
        last!.Headers.RetryAfter.ShouldNotBeNull();
        body.ShouldContain("Too many requests");
        (await client.GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK, "health checks are never rate limited");
    }

    [Fact]
    public async Task AnonymousApi_Burst_IsRateLimitedPerIp()
    {
        await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite, new Dictionary<string, string?> { ["RateLimits:PublicPerMinute"] = "5" });
        var client = app.CreateBrowserClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            statuses.Add((await client.GetAsync("/api/me")).StatusCode);
        }

        statuses.Take(5).ShouldAllBe(s => s == HttpStatusCode.Unauthorized);
        statuses.Skip(5).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task RejectedCustomerToken_IsAudited()
    {
        var app = await fixture.For(Providers.Sqlite);
        var client = app.CreateClient(new() { HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "eyJhbGciOiJIUzI1NiJ9.e30.forged");

        (await client.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var rejected = await app.WithDbAsync(db => Task.FromResult(db.AuditEntries.Count(e => e.Action == "customer.token.rejected")));
        rejected.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Logs_NeverContainPasswordsCodesOrTokens()
    {
        await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite, new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Debug" });
        var staff = await app.CreateStaffAsync(StaffRoles.Agent, withTotp: true);
        var code = app.CurrentTotp(staff);
        var client = app.CreateBrowserClient();
        var step1 = await client.SubmitFormAsync("/console/sign-in", "sign-in", new() { ["Input.UserName"] = staff.UserName, ["Input.Password"] = staff.Password });
        await client.SubmitFormAsync(step1.LocationPath(), "two-factor", new() { ["Input.Code"] = code });
        await client.SubmitFormAsync("/console/sign-in", "sign-in", new() { ["Input.UserName"] = staff.UserName, ["Input.Password"] = "Wrong-Secret-Pass-77" });

        var all = string.Join('\n', app.Logs.Lines);
        all.Length.ShouldBeGreaterThan(0);
        all.ShouldNotContain(staff.Password);
        all.ShouldNotContain("Wrong-Secret-Pass-77");
        all.ShouldNotContain(code);
    }

    [Fact]
    public void LogFormatter_ScrubsTokensInUrls()
    {
        var line = "Request starting HTTP/1.1 GET http://localhost/hubs/chat?id=1&access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig";
        WalletDesk.Server.Infrastructure.LogRedaction.Scrub(line).ShouldNotContain("eyJhbGciOiJIUzI1NiJ9");
        var withCard = WalletDesk.Server.Infrastructure.LogRedaction.Scrub("customer wrote: my card is 4111 1111 1111 1111, password=hunter2hunter2");
        withCard.Replace(" ", "", StringComparison.Ordinal).ShouldNotContain("4111111111111111");
        withCard.ShouldNotContain("hunter2hunter2");
    }

    [Fact]
    public async Task UnknownApiRoute_Is404()
    {
        var app = await fixture.For(Providers.Sqlite);
        (await app.CreateBrowserClient().GetAsync("/api/does-not-exist")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
