using Microsoft.Playwright;

namespace WalletDesk.Server.Tests.Infrastructure;

/// <summary>Debian's Chromium driven by Playwright (never a downloaded browser).</summary>
public static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static bool IsAvailable => File.Exists(ChromiumPath);

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        return (playwright, browser);
    }

    /// <summary>Where failure screenshots go (under the test output folder).</summary>
    public static string ArtifactPath(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "browser-artifacts");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}

/// <summary>One page in Debian's Chromium, collecting console errors (CSP violations show up there).</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BrowserSession(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        Capture(page);
    }

    public IPage Page { get; }

    public List<string> ScriptErrors { get; } = [];

    /// <summary>Null when Chromium is not installed outside CI (CI must have it: .ci/run installs it).</summary>
    public static async Task<BrowserSession?> OpenAsync(int width, int height)
    {
        if (!Browser.IsAvailable)
        {
            Environment.GetEnvironmentVariable("CI").ShouldNotBe("true", "CI must install Debian's chromium (.ci/run does)");
            return null;
        }

        var (playwright, browser) = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        Patient(page);
        return new BrowserSession(playwright, browser, page);
    }

    /// <summary>Another person in the same browser: a separate context (cookies, storage, network), errors collected too.</summary>
    public async Task<IPage> NewPersonAsync(BrowserNewContextOptions options)
    {
        var context = await _browser.NewContextAsync(options);
        var page = await context.NewPageAsync();
        Patient(page);
        Capture(page);
        return page;
    }

    /// <summary>
    /// How long a step may wait for the page before the test gives up (not a speed assertion): the CI box runs the
    /// server, Chromium and other test classes on two cores, where Playwright's default 30 s was seen to run out.
    /// </summary>
    private static void Patient(IPage page)
    {
        page.SetDefaultTimeout(90_000);
        page.SetDefaultNavigationTimeout(90_000);
    }

    /// <summary>Every console line of every page (for failure reports).</summary>
    public List<string> ConsoleLog { get; } = [];

    private void Capture(IPage page) =>
        page.Console += (_, message) =>
        {
            lock (ConsoleLog)
            {
                ConsoleLog.Add($"{message.Type} {message.Location}: {message.Text}");
            }

            if (message.Type == "error")
            {
                lock (ScriptErrors)
                {
                    ScriptErrors.Add(message.Text);
                }
            }
        };

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
