using System.Net;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Tickets;

public sealed class SavedViewTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Agent_SavesAFilter_SeesItAsATab_OthersOnlyWhenShared(string provider)
    {
        var app = await fixture.For(provider);
        var li = await app.SignInAsync(await app.CreateStaffAsync(StaffRoles.Agent));
        var chen = await app.SignInAsync(await app.CreateStaffAsync(StaffRoles.Agent));

        var saved = await li.SubmitFormAsync("/console/tickets?view=unassigned&priority=urgent&sort=sla", "save-view", new() { ["ViewName"] = "Urgent queue" });
        (await saved.ShouldReturnAsync(HttpStatusCode.OK)).ShouldContain("Saved view");
        await li.SubmitFormAsync("/console/tickets?view=open&tag=vip", "save-view", new() { ["ViewName"] = "VIPs", ["ViewShared"] = "true" });

        var liTabs = HttpHelpers.Html(await (await li.GetAsync("/console/tickets")).ShouldReturnAsync(HttpStatusCode.OK)).QuerySelectorAll("nav.tabs a.saved");
        liTabs.Select(a => a.TextContent.Trim()).ShouldBe(["★ Urgent queue", "★ VIPs"], ignoreOrder: true);
        liTabs.Single(a => a.TextContent.Contains("Urgent", StringComparison.Ordinal)).GetAttribute("href")!.ShouldContain("priority=urgent");

        var chenTabs = HttpHelpers.Html(await (await chen.GetAsync("/console/tickets")).ShouldReturnAsync(HttpStatusCode.OK)).QuerySelectorAll("nav.tabs a.saved");
        chenTabs.Select(a => a.TextContent.Trim()).ShouldBe(["★ VIPs"]);
    }

    [Fact]
    public async Task SavingAnInvalidFilter_IsRefused()
    {
        var app = await fixture.For(Providers.Sqlite);
        var li = await app.SignInAsync(await app.CreateStaffAsync(StaffRoles.Agent));

        var response = await li.SubmitFormAsync("/console/tickets?view=bogus", "save-view", new() { ["ViewName"] = "Broken" });

        (await response.ShouldReturnAsync(HttpStatusCode.OK)).ShouldContain("Unknown view");
        (await app.WithDbAsync(db => Task.FromResult(db.SavedViews.Count(v => v.Name == "Broken")))).ShouldBe(0);
    }
}
