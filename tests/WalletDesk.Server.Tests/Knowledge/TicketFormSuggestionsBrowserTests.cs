using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Knowledge;

/// <summary>
/// The portal's new-request form in Debian's Chromium against the real server with the starter knowledge base:
/// suggested articles appear as the customer types the subject (English and Chinese), open in the portal's
/// language, and the deflection outcome is recorded: opened an article and left, or filed anyway.
/// </summary>
public sealed class TicketFormSuggestionsBrowserTests
{
    [Fact]
    public async Task Customer_SeesSuggestionsWhileTyping_OpensOne_AndLeavingOrFilingIsRecorded()
    {
        await using var session = await BrowserSession.OpenAsync(390, 844);
        if (session is null)
        {
            return;
        }

        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["CustomerTokens__SigningKey"] = TestKeys.CustomerSigningKey });
        var page = session.Page;
        try
        {
            // English: type, see suggestions with highlighted matches, open one (a new tab, in English), leave without filing.
            await page.GotoAsync($"{server.BaseUrl}/portal/session?token={Token("cust_kb_form_en", "en")}&next=/portal/new");
            await page.GetByRole(AriaRole.Heading, new() { Name = "New request" }).WaitForAsync();
            await page.GetByLabel("Subject").PressSequentiallyAsync("my refund has not arrived");
            var suggestions = page.GetByTestId("kb-suggestions");
            await suggestions.Locator("a[data-slug]").First.WaitForAsync();
            (await suggestions.Locator("mark").CountAsync()).ShouldBeGreaterThan(0);
            (await suggestions.InnerTextAsync()).ShouldContain("These articles may answer your question");
            var firstSlug = await suggestions.Locator("a[data-slug]").First.GetAttributeAsync("data-slug");
            firstSlug.ShouldNotBeNull().ShouldContain("refund");

            var article = await page.Context.RunAndWaitForPageAsync(() => suggestions.Locator("a[data-slug]").First.ClickAsync());
            await article.GetByRole(AriaRole.Heading, new() { Name = "Was this article helpful?" }).WaitForAsync();
            article.Url.ShouldContain($"/help/articles/{firstSlug}");
            article.Url.ShouldContain("lang=en");
            await article.CloseAsync();
            await WaitForOutcomesAsync(server, ("article-opened", firstSlug, 1));

            await page.GotoAsync($"{server.BaseUrl}/help");
            await WaitForOutcomesAsync(server, ("left-without-filing", null, 1));

            // Chinese: "转账" suggests Chinese articles that open in Chinese; this customer files anyway.
            await page.Context.ClearCookiesAsync();
            await page.GotoAsync($"{server.BaseUrl}/portal/session?token={Token("cust_kb_form_zh", "zh")}&next=/portal/new");
            await page.GetByRole(AriaRole.Heading, new() { Name = "提交新请求" }).WaitForAsync();
            await page.GetByLabel("标题").FillAsync("转账");
            await suggestions.Locator("a[data-slug]").First.WaitForAsync();
            (await suggestions.InnerTextAsync()).ShouldContain("这些文章也许能解答你的问题");
            (await suggestions.Locator("mark").First.InnerTextAsync()).ShouldContain("转账");
            var zhSlug = await suggestions.Locator("a[data-slug]").First.GetAttributeAsync("data-slug");
            var zhArticle = await page.Context.RunAndWaitForPageAsync(() => suggestions.Locator("a[data-slug]").First.ClickAsync());
            await zhArticle.GetByRole(AriaRole.Heading, new() { Name = "这篇文章对你有帮助吗？" }).WaitForAsync();
            zhArticle.Url.ShouldContain("lang=zh");
            await zhArticle.CloseAsync();

            await page.GetByLabel("详细描述").FillAsync("转账三天了还没到，请帮我查一下。");
            await page.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
            await page.WaitForURLAsync("**/portal/tickets/*");
            await page.ScreenshotAsync(new() { Path = Infrastructure.Browser.ArtifactPath("portal-filed-zh.png"), FullPage = true });

            await WaitForOutcomesAsync(server, ("article-opened", zhSlug, 1), ("filed", null, 1), ("left-without-filing", null, 1));
            (await QueryAsync(server, "SELECT Query FROM kb_deflection_events WHERE Outcome = 'filed'")).ShouldBe(["转账"]);
            (await QueryAsync(server, "SELECT DISTINCT Source FROM kb_deflection_events")).ShouldBe(["ticket-form"]);

            session.ScriptErrors.ShouldBeEmpty("no CSP violations or script errors");
        }
        catch
        {
            await page.ScreenshotAsync(new() { Path = Infrastructure.Browser.ArtifactPath("failure-ticket-form-suggestions.png"), FullPage = true });
            throw;
        }
    }

    private static string Token(string subject, string locale)
    {
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "demo-wallet",
            Audience = "walletdesk",
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["name"] = "Form Tester", ["locale"] = locale },
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(TestKeys.CustomerSigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>The browser posts deflection events without the page waiting for them: wait (bounded) until the database has them.</summary>
    private static async Task WaitForOutcomesAsync(ServerProcess server, params (string Outcome, string? Slug, int Count)[] expected)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var rows = await QueryAsync(server, "SELECT Outcome || '|' || coalesce(ArticleSlug, '') FROM kb_deflection_events");
            var ok = expected.All(e => rows.Count(r => r.StartsWith(e.Outcome + "|", StringComparison.Ordinal) && (e.Slug is null || r.EndsWith("|" + e.Slug, StringComparison.Ordinal))) == e.Count);
            if (ok)
            {
                return;
            }

            deadline.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15), $"deflection events: {string.Join(", ", rows)}");
            await Task.Delay(100);
        }
    }

    private static async Task<List<string>> QueryAsync(ServerProcess server, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDir, "walletdesk.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
