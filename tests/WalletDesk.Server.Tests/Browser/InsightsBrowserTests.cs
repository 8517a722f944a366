using Microsoft.Playwright;
using WalletDesk.Server.Features.Demo;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Browser;

/// <summary>A supervisor opens the insights dashboard on the demo data, filters it and drills into the tickets behind a spike.</summary>
public sealed class InsightsBrowserTests
{
    [Fact]
    public async Task Supervisor_OpensInsights_FiltersByChannel_DrillsIntoTheSpikesTickets()
    {
        await using var session = await BrowserSession.OpenAsync(1280, 900);
        if (session is null)
        {
            return;
        }

        await using var server = await ServerProcess.StartAsync();
        var page = session.Page;
        try
        {
            await page.GotoAsync($"{server.BaseUrl}/console");
            await page.GetByLabel("User name").FillAsync("supervisor");
            await page.GetByLabel("Password").FillAsync(DemoSeeder.DemoPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.WaitForURLAsync("**/console/2fa/setup");
            var secret = Totp.FromBase32(await page.GetByTestId("totp-secret").InnerTextAsync());
            await page.GetByLabel("Code from the app").FillAsync(Totp.Compute(secret, Totp.StepAt(TimeProvider.System.GetUtcNow())));
            await page.GetByRole(AriaRole.Button, new() { Name = "Turn on two-factor authentication" }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Continue to the console" }).ClickAsync();

            await page.GetByRole(AriaRole.Link, new() { Name = "Insights", Exact = true }).ClickAsync();
            await page.WaitForURLAsync("**/console/insights?*tz=*"); // the browser's own time zone is filled in
            await page.GetByRole(AriaRole.Heading, new() { Name = "Insights", Exact = true }).WaitForAsync();
            (await page.Locator("[data-testid=heatmap] tbody tr").CountAsync()).ShouldBe(7);
            await page.WaitForFunctionAsync("() => window.Chart && window.Chart.getChart(document.querySelector('[data-insights-chart]'))");
            (await page.Locator("[data-testid=staffing] tbody tr").CountAsync()).ShouldBe(24);
            // The demo's failed top-ups burst over the last hours: the last hour's table calls it a spike.
            var spikeRow = page.Locator("[data-testid=spikes] tbody tr", new() { HasText = "topup_failed" }).First;
            (await spikeRow.InnerTextAsync()).ShouldContain("spike");
            await page.ScreenshotAsync(new() { Path = Infrastructure.Browser.ArtifactPath("insights.png"), FullPage = true });

            await page.GetByLabel("Channel").SelectOptionAsync("chat");
            await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
            await page.WaitForURLAsync("**channel=chat**");
            await page.GetByRole(AriaRole.Heading, new() { Name = "Next week: forecast and staff needed (chat)" }).WaitForAsync();

            await page.Locator("[data-testid=spikes] a", new() { HasText = "topup_failed" }).First.ClickAsync();
            await page.GetByRole(AriaRole.Heading, new() { Name = "Tickets behind the figure" }).WaitForAsync();
            var links = page.Locator("[data-testid=drill-tickets] a");
            (await links.CountAsync()).ShouldBeGreaterThan(5);
            await links.First.ClickAsync();
            await page.WaitForURLAsync("**/console/tickets/*");

            session.ScriptErrors.ShouldBeEmpty("no CSP violations or script errors");
        }
        catch
        {
            await page.ScreenshotAsync(new() { Path = Infrastructure.Browser.ArtifactPath("failure-insights.png"), FullPage = true });
            throw;
        }
    }
}
