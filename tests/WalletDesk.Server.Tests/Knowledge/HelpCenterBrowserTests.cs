using Microsoft.Playwright;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Knowledge;

/// <summary>The help center in Debian's Chromium against the real server with demo data: search, read, vote; no script or CSP errors.</summary>
public sealed class HelpCenterBrowserTests
{
    [Fact]
    public async Task Reader_SearchesOpensAnArticleAndVotesHelpful_WithoutConsoleErrors()
    {
        if (!Infrastructure.Browser.IsAvailable)
        {
            Environment.GetEnvironmentVariable("CI").ShouldNotBe("true", "CI must install Debian's chromium (.ci/run does)");
            return;
        }

        await using var server = await ServerProcess.StartAsync();
        var (playwright, browser) = await Infrastructure.Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        // A phone-sized viewport: the help center must work there.
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, Locale = "en-US" });
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => consoleErrors.Add(error);

        try
        {
            await page.GotoAsync($"{server.BaseUrl}/help");
            await page.GetByRole(AriaRole.Heading, new() { Name = "How can we help?" }).WaitForAsync();
            await page.GetByRole(AriaRole.Searchbox).FillAsync("refunds");
            await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
            await page.WaitForURLAsync("**/help/search?q=refunds");
            (await page.Locator("ol.help-results mark").CountAsync()).ShouldBeGreaterThan(0);

            await page.Locator("a.result-title").First.ClickAsync();
            // Blazor's enhanced navigation swaps the page in after the URL changes: wait for the article itself.
            await page.GetByRole(AriaRole.Heading, new() { Name = "Was this article helpful?" }).WaitForAsync();
            page.Url.ShouldContain("/help/articles/");
            (await page.Locator("nav.breadcrumbs a").CountAsync()).ShouldBeGreaterThanOrEqualTo(2);
            await page.GetByRole(AriaRole.Button, new() { Name = "Yes", Exact = true }).ClickAsync();
            await page.GetByTestId("feedback-thanks").WaitForAsync();

            await page.GetByRole(AriaRole.Link, new() { Name = "中文" }).ClickAsync();
            await page.GetByRole(AriaRole.Heading, new() { Name = "这篇文章对你有帮助吗？" }).WaitForAsync();
            await page.ScreenshotAsync(new() { Path = Infrastructure.Browser.ArtifactPath("help-article-zh.png"), FullPage = true });

            consoleErrors.ShouldBeEmpty("no CSP violations or script errors");
        }
        catch
        {
            await page.ScreenshotAsync(new() { Path = Infrastructure.Browser.ArtifactPath("failure-help.png"), FullPage = true });
            throw;
        }
    }
}
