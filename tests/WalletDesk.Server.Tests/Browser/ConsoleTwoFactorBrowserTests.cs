using Microsoft.Playwright;
using WalletDesk.Server.Features.Demo;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Browser;

/// <summary>A new admin, in a real browser against the real server process: first sign-in forces 2FA enrolment, then sign-in needs the code.</summary>
public sealed class ConsoleTwoFactorBrowserTests
{
    [Fact]
    public async Task DemoAdmin_EnrolsTotp_SignsOut_SignsInAgainWithCode()
    {
        await using var session = await BrowserSession.OpenAsync(1100, 800);
        if (session is null)
        {
            return;
        }

        await using var server = await ServerProcess.StartAsync();
        var page = session.Page;
        var scriptErrors = session.ScriptErrors;

        try
        {
            await page.GotoAsync($"{server.BaseUrl}/console");
            await page.GetByLabel("User name").FillAsync("admin");
            await page.GetByLabel("Password").FillAsync(DemoSeeder.DemoPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

            await page.WaitForURLAsync("**/console/2fa/setup");
            (await page.Locator("img.qr").IsVisibleAsync()).ShouldBeTrue();
            await page.ScreenshotAsync(new() { Path = Infrastructure.Browser.ArtifactPath("two-factor-setup.png"), FullPage = true });
            var secret = Totp.FromBase32(await page.GetByTestId("totp-secret").InnerTextAsync());
            var step = Totp.StepAt(TimeProvider.System.GetUtcNow());
            await page.GetByLabel("Code from the app").FillAsync(Totp.Compute(secret, step));
            await page.GetByRole(AriaRole.Button, new() { Name = "Turn on two-factor authentication" }).ClickAsync();

            await page.GetByTestId("recovery-codes").WaitForAsync();
            (await page.GetByTestId("recovery-codes").Locator("li").CountAsync()).ShouldBe(10);
            await page.GetByRole(AriaRole.Link, new() { Name = "Continue to the console" }).ClickAsync();
            await page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Ada Admin" }).WaitForAsync();
            await page.ScreenshotAsync(new() { Path = Infrastructure.Browser.ArtifactPath("console-home.png") });

            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await page.WaitForURLAsync("**/console/sign-in?signedOut=1");
            await page.GetByLabel("User name").FillAsync("admin");
            await page.GetByLabel("Password").FillAsync(DemoSeeder.DemoPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.WaitForURLAsync("**/console/sign-in/two-factor**");
            // The enrolment used the current step; the next step is inside the ±1 window and not a replay.
            await page.GetByLabel("Code").FillAsync(Totp.Compute(secret, step + 1));
            await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
            await page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Ada Admin" }).WaitForAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Audit trail" }).First.ClickAsync();
            await page.GetByRole(AriaRole.Cell, new() { Name = "staff.2fa.enabled" }).First.WaitForAsync();

            scriptErrors.ShouldBeEmpty("no CSP violations or script errors");
        }
        catch
        {
            await page.ScreenshotAsync(new() { Path = Infrastructure.Browser.ArtifactPath("failure-2fa.png"), FullPage = true });
            throw;
        }
    }
}
