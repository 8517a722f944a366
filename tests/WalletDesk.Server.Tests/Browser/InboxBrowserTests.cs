using Microsoft.Playwright;
using WalletDesk.Server.Features.Demo;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Browser;

/// <summary>An agent works the demo inbox in a real browser: views, keyboard, a ticket with the customer's wallet beside it, a macro, a reply.</summary>
public sealed class InboxBrowserTests
{
    [Fact]
    public async Task Agent_OpensTicketFromInbox_SeesWallet_RepliesWithMacro()
    {
        await using var session = await BrowserSession.OpenAsync(1280, 900);
        if (session is null)
        {
            return;
        }

        await using var server = await ServerProcess.StartAsync();
        var page = session.Page;
        var scriptErrors = session.ScriptErrors;

        try
        {
            await page.GotoAsync($"{server.BaseUrl}/console/tickets");
            await page.GetByLabel("User name").FillAsync("agent.li");
            await page.GetByLabel("Password").FillAsync(DemoSeeder.DemoPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.WaitForURLAsync("**/console/tickets");
            await page.GetByRole(AriaRole.Heading, new() { Name = "Inbox" }).WaitForAsync();
            (await page.Locator("table.inbox tbody tr").CountAsync()).ShouldBeGreaterThan(5);
            await page.ScreenshotAsync(new() { Path = Infrastructure.Browser.ArtifactPath("inbox.png") });

            // Keyboard: "/" focuses search, j selects the first row, Enter opens it.
            await page.Keyboard.PressAsync("/");
            (await page.EvaluateAsync<string>("document.activeElement.name")).ShouldBe("q");
            await page.Locator("h1").ClickAsync();
            await page.Keyboard.PressAsync("j");
            await page.Keyboard.PressAsync("Enter");
            await page.WaitForURLAsync("**/console/tickets/*");

            await page.Locator(".customer-panel").WaitForAsync();
            (await page.Locator(".customer-panel h3", new() { HasText = "Recent transactions" }).CountAsync()).ShouldBe(1);

            await page.GetByLabel("Macro").SelectOptionAsync(new SelectOptionValue { Label = "Ask for the transaction reference" });
            await page.GetByRole(AriaRole.Button, new() { Name = "Insert" }).ClickAsync();
            await page.Locator("textarea[name=ReplyBody]").WaitForAsync();
            var draft = await page.Locator("textarea[name=ReplyBody]").InputValueAsync();
            draft.ShouldContain("Li Wei");
            draft.ShouldNotContain("{{");
            await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
            await page.GetByText("Reply sent.").WaitForAsync();
            (await page.Locator(".conversation .message").Last.InnerTextAsync()).ShouldContain("Li Wei");
            await page.ScreenshotAsync(new() { Path = Infrastructure.Browser.ArtifactPath("ticket.png"), FullPage = true });

            scriptErrors.ShouldBeEmpty("no CSP violations or script errors");
        }
        catch
        {
            await page.ScreenshotAsync(new() { Path = Infrastructure.Browser.ArtifactPath("failure-inbox.png"), FullPage = true });
            throw;
        }
    }
}
