using System.Net.Http.Json;
using System.Net;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Chat;

/// <summary>The chat pages' HTTP contract: who may frame them, and the console's customer-panel fragment.</summary>
public sealed class ChatPagesTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Chat:AssistantFirst"] = "false",
        ["Chat:AllowedOrigins:0"] = "https://wallet.example.com/",
        ["Chat:AllowedOrigins:1"] = "https://evil.example.com/path'; script-src *",
    };

    [Fact]
    public async Task Widget_Page_Is_Frameable_Only_By_WalletDesk_And_Allowed_Origins_Other_Pages_By_Nobody()
    {
        await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite, Settings);
        var client = app.CreateClient();

        var widget = await client.GetAsync("/chat/widget?lang=zh");
        widget.StatusCode.ShouldBe(HttpStatusCode.OK, await widget.Content.ReadAsStringAsync());
        var policy = widget.Headers.GetValues("Content-Security-Policy").Single();
        policy.ShouldEndWith("frame-ancestors 'self' https://wallet.example.com");
        policy.ShouldContain("script-src 'self';");
        policy.ShouldNotContain("unsafe-inline");
        policy.ShouldNotContain("evil.example.com", customMessage: "a malformed origin is left out, never pasted into the policy");
        widget.Headers.Contains("X-Frame-Options").ShouldBeFalse();
        var html = await widget.Content.ReadAsStringAsync();
        html.ShouldContain("data-allowed-origins=\"https://wallet.example.com\"");
        html.ShouldContain("<html lang=\"zh-CN\">");
        html.ShouldNotContain("<script>", customMessage: "no inline script");

        foreach (var path in new[] { "/chat", "/console/sign-in", "/widget.js" })
        {
            var other = await client.GetAsync(path);
            other.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            other.Headers.GetValues("Content-Security-Policy").Single().ShouldEndWith("frame-ancestors 'none'", customMessage: path);
            other.Headers.GetValues("X-Frame-Options").Single().ShouldBe("DENY", path);
        }
    }

    [Fact]
    public async Task Customer_Panel_Fragment_Is_For_Signed_In_Agents_Only()
    {
        await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite, Settings);
        var customer = await app.CreateCustomerAsync("Li Wei");
        var created = await customer.Client.PostAsJsonAsync("/api/me/tickets", new { subject = "Where is my transfer?", body = "It has not arrived", category = (string?)null });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("ticketId").GetInt64();

        var anonymous = await app.CreateBrowserClient().GetAsync($"/console/chats/{id}/panel");
        anonymous.StatusCode.ShouldNotBe(HttpStatusCode.OK);
        (await customer.Client.GetAsync($"/console/chats/{id}/panel")).StatusCode.ShouldNotBe(HttpStatusCode.OK);

        var agent = await app.SignInAsync(await app.CreateStaffAsync(StaffRoles.Agent));
        var panel = await agent.GetAsync($"/console/chats/{id}/panel");
        var body = await panel.Content.ReadAsStringAsync();
        panel.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldContain("class=\"customer-panel\"");
        body.ShouldContain("Li Wei");
        body.ShouldNotContain("<html", customMessage: "a fragment, not a page");
        (await agent.GetAsync("/console/chats/999999/panel")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
