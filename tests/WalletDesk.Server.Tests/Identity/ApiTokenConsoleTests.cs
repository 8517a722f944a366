using System.Net;
using System.Net.Http.Headers;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Identity;

public sealed class ApiTokenConsoleTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task ConsolePage_CreatesToken_ShowsItOnce_ThenRevokes()
    {
        var app = await fixture.For(Providers.Sqlite);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var console = await app.SignInAsync(agent);

        var created = await console.SubmitFormAsync("/console/api-tokens", "create-token", new()
        {
            ["Input.Name"] = "crm sync",
            ["Input.Scopes"] = ApiScopes.TicketsRead,
        });
        var page = HttpHelpers.Html(await created.ShouldReturnAsync(HttpStatusCode.OK));
        var token = page.QuerySelector("[data-testid=new-token]")!.TextContent.Trim();
        token.ShouldStartWith(ApiTokenService.TokenPrefix);

        var again = await (await console.GetAsync("/console/api-tokens")).ShouldReturnAsync(HttpStatusCode.OK);
        again.ShouldNotContain(token);
        again.ShouldContain("crm sync");

        var api = app.CreateClient(new() { HandleCookies = false });
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await (await api.GetAsync("/api/api-tokens")).ShouldReturnAsync(HttpStatusCode.Forbidden);
        me.ShouldNotContain(token);

        var tokenId = (await app.WithDbAsync(db => Task.FromResult(db.ApiTokens.Single(t => t.CreatedByUserId == agent.Id)))).Id;
        var revoked = await console.SubmitFormAsync("/console/api-tokens", "revoke-token", [], "RevokeId", tokenId.ToString());
        (await revoked.ShouldReturnAsync(HttpStatusCode.OK)).ShouldContain("revoked");
    }

    [Fact]
    public async Task ConsolePage_AgentOffersOnlyScopesTheirRoleAllows()
    {
        var app = await fixture.For(Providers.Sqlite);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var page = await (await (await app.SignInAsync(agent)).GetAsync("/console/api-tokens")).ShouldReturnAsync(HttpStatusCode.OK);
        page.ShouldContain(ApiScopes.TicketsRead);
        page.ShouldNotContain(ApiScopes.AuditRead);
    }
}
