using System.Net;
using System.Net.Http.Json;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Identity;

public sealed class AuthorizationTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    public static TheoryData<string, string> AdminRoutes => new()
    {
        { "GET", "/api/staff" },
        { "POST", "/api/staff" },
        { "PUT", $"/api/staff/{Guid.NewGuid()}/role" },
        { "POST", $"/api/staff/{Guid.NewGuid()}/disable" },
        { "POST", $"/api/staff/{Guid.NewGuid()}/two-factor/reset" },
        { "GET", "/api/audit" },
        { "POST", "/api/audit/verify" },
    };

    [Theory, MemberData(nameof(AdminRoutes))]
    public async Task Agent_CallingAdminEndpoint_Gets403Problem(string method, string route)
    {
        var app = await fixture.For(Providers.Sqlite);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var client = await (await app.SignInAsync(agent)).WithCsrfAsync();

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), route) { Content = JsonContent.Create(new { role = "admin" }) });

        var body = await response.ShouldReturnAsync(HttpStatusCode.Forbidden);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        body.ShouldNotContain("at WalletDesk");
    }

    [Theory, MemberData(nameof(AdminRoutes))]
    public async Task Anonymous_CallingAnyApi_Gets401Problem(string method, string route)
    {
        var app = await fixture.For(Providers.Sqlite);
        var client = app.CreateBrowserClient();

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), route) { Content = JsonContent.Create(new { }) });

        await response.ShouldReturnAsync(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Agent_OpeningAdminPages_IsTurnedAway()
    {
        var app = await fixture.For(Providers.Sqlite);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var client = await app.SignInAsync(agent);

        foreach (var page in new[] { "/console/admin/audit", "/console/admin/staff" })
        {
            var response = await client.GetAsync(page);
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            response.LocationPath().Split("?")[0].ShouldBe("/console/denied");
        }
    }

    [Fact]
    public async Task Anonymous_OpeningConsole_IsSentToSignIn()
    {
        var app = await fixture.For(Providers.Sqlite);
        var response = await app.CreateBrowserClient().GetAsync("/console/api-tokens");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.LocationPath().Split("?")[0].ShouldBe("/console/sign-in");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Admin_ChangingRole_IsAudited_AndTakesEffectOnNextRequest(string provider)
    {
        var app = await fixture.For(provider);
        var admin = await app.CreateStaffAsync(StaffRoles.Admin, withTotp: true);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent, withTotp: true);
        var adminClient = await (await app.SignInAsync(admin)).WithCsrfAsync();
        var agentClient = await app.SignInAsync(agent);
        (await agentClient.GetAsync("/api/staff")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var changed = await adminClient.PutAsJsonAsync($"/api/staff/{agent.Id}/role", new ChangeRoleRequest("admin"));
        await changed.ShouldReturnAsync(HttpStatusCode.OK);

        (await agentClient.GetAsync("/api/staff")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var entries = await app.WithDbAsync(db => Task.FromResult(db.AuditEntries.Where(e => e.Action == "staff.role.changed" && e.ObjectId == agent.Id.ToString()).ToList()));
        entries.ShouldHaveSingleItem().Details.ShouldBe("agent -> admin");
    }

    [Fact]
    public async Task MassAssignment_ExtraFieldsAreIgnored()
    {
        var app = await fixture.For(Providers.Sqlite);
        var admin = await app.CreateStaffAsync(StaffRoles.Admin, withTotp: true);
        var client = await (await app.SignInAsync(admin)).WithCsrfAsync();

        var response = await client.PostAsJsonAsync("/api/staff", new
        {
            userName = "mass-" + Guid.NewGuid().ToString("N")[..6],
            email = "m@example.test",
            role = "agent",
            password = "long-enough-password",
            twoFactorEnabled = true,
            passwordHash = "x",
            isDisabled = true,
        });

        var created = await response.ReadAsAsync<StaffUserResponse>(HttpStatusCode.Created);
        created.Role.ShouldBe("agent");
        created.TwoFactorEnabled.ShouldBeFalse();
        created.IsDisabled.ShouldBeFalse();
    }

    [Fact]
    public async Task CookieApiChange_WithoutCsrfToken_IsRefused()
    {
        var app = await fixture.For(Providers.Sqlite);
        var admin = await app.CreateStaffAsync(StaffRoles.Admin, withTotp: true);
        var client = await app.SignInAsync(admin);

        var response = await client.PostAsJsonAsync("/api/api-tokens", new CreateApiTokenRequest("x", ["tickets:read"], null));

        (await response.ShouldReturnAsync(HttpStatusCode.BadRequest)).ShouldContain("CSRF");
    }

    [Fact]
    public async Task CreateStaff_InvalidFields_ValidationProblemNamesEachField()
    {
        var app = await fixture.For(Providers.Sqlite);
        var admin = await app.CreateStaffAsync(StaffRoles.Admin, withTotp: true);
        var client = await (await app.SignInAsync(admin)).WithCsrfAsync();

        var response = await client.PostAsJsonAsync("/api/staff", new { userName = "ok-name", email = "x@example.test", role = "superuser", password = "long-enough-password" });

        var problem = await response.ReadAsAsync<ValidationProblem>(HttpStatusCode.BadRequest);
        problem.Errors.Keys.ShouldContain("role");
    }

    private sealed record ValidationProblem(string Title, Dictionary<string, string[]> Errors);
}
