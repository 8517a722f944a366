using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Identity;

public sealed class ApiTokenTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Token_IsShownOnce_StoredHashed_AndWorksWithinItsScopes(string provider)
    {
        var app = await fixture.For(provider);
        var admin = await app.CreateStaffAsync(StaffRoles.Admin, withTotp: true);
        var console = await (await app.SignInAsync(admin)).WithCsrfAsync();

        var created = await (await console.PostAsJsonAsync("/api/api-tokens", new CreateApiTokenRequest("audit export", [ApiScopes.AuditRead], 30)))
            .ReadAsAsync<CreatedApiTokenResponse>(HttpStatusCode.Created);
        created.Token.ShouldStartWith("wd_pat_");
        var stored = await app.WithDbAsync(db => db.ApiTokens.SingleAsync(t => t.Id == created.Details.Id));
        stored.TokenHash.ShouldNotBe(created.Token);
        (await console.GetStringAsync("/api/api-tokens")).ShouldNotContain(created.Token);

        var integration = Bearer(app, created.Token);
        (await integration.GetAsync("/api/audit")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await integration.GetAsync("/api/staff")).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "staff:read was not granted");
        (await integration.PostAsJsonAsync("/api/api-tokens", new CreateApiTokenRequest("child", [ApiScopes.AuditRead], null))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RevokedToken_IsRefusedAtOnce(string provider)
    {
        var app = await fixture.For(provider);
        var admin = await app.CreateStaffAsync(StaffRoles.Admin, withTotp: true);
        var console = await (await app.SignInAsync(admin)).WithCsrfAsync();
        var created = await (await console.PostAsJsonAsync("/api/api-tokens", new CreateApiTokenRequest("temp", [ApiScopes.AuditRead], null)))
            .ReadAsAsync<CreatedApiTokenResponse>(HttpStatusCode.Created);
        var integration = Bearer(app, created.Token);
        (await integration.GetAsync("/api/audit")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await console.DeleteAsync($"/api/api-tokens/{created.Details.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await integration.GetAsync("/api/audit")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var actions = await app.WithDbAsync(db => db.AuditEntries.Where(e => e.ObjectId == created.Details.Id.ToString()).Select(e => e.Action).ToListAsync());
        actions.ShouldBe(["api-token.created", "api-token.revoked"], ignoreOrder: true);
    }

    [Fact]
    public async Task ExpiredToken_IsRefused()
    {
        var app = await fixture.For(Providers.Sqlite);
        var admin = await app.CreateStaffAsync(StaffRoles.Admin, withTotp: true);
        var console = await (await app.SignInAsync(admin)).WithCsrfAsync();
        var created = await (await console.PostAsJsonAsync("/api/api-tokens", new CreateApiTokenRequest("short", [ApiScopes.AuditRead], 1)))
            .ReadAsAsync<CreatedApiTokenResponse>(HttpStatusCode.Created);

        app.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));

        (await Bearer(app, created.Token).GetAsync("/api/audit")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Agent_CannotGrantScopesAboveTheirRole()
    {
        var app = await fixture.For(Providers.Sqlite);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var console = await (await app.SignInAsync(agent)).WithCsrfAsync();

        var response = await console.PostAsJsonAsync("/api/api-tokens", new CreateApiTokenRequest("sneaky", [ApiScopes.AuditRead], null));

        (await response.ShouldReturnAsync(HttpStatusCode.BadRequest)).ShouldContain("scopes");
    }

    [Fact]
    public async Task AnotherUsersToken_CannotBeRevoked_404()
    {
        var app = await fixture.For(Providers.Sqlite);
        var owner = await app.CreateStaffAsync(StaffRoles.Agent);
        var other = await app.CreateStaffAsync(StaffRoles.Agent);
        var ownerConsole = await (await app.SignInAsync(owner)).WithCsrfAsync();
        var created = await (await ownerConsole.PostAsJsonAsync("/api/api-tokens", new CreateApiTokenRequest("mine", [ApiScopes.TicketsRead], null)))
            .ReadAsAsync<CreatedApiTokenResponse>(HttpStatusCode.Created);

        var otherConsole = await (await app.SignInAsync(other)).WithCsrfAsync();
        (await otherConsole.DeleteAsync($"/api/api-tokens/{created.Details.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await otherConsole.DeleteAsync($"/api/api-tokens/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task GarbageToken_Is401()
    {
        var app = await fixture.For(Providers.Sqlite);
        (await Bearer(app, "wd_pat_not-a-real-token").GetAsync("/api/audit")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private static HttpClient Bearer(WalletDeskFactory app, string token)
    {
        var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
