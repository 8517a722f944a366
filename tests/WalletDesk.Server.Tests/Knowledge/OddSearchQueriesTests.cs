using System.Net;
using System.Text;
using WalletDesk.Server.Features.Knowledge;
using WalletDesk.Server.Features.Knowledge.Search;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Knowledge;

/// <summary>Whatever a reader types, search answers: odd queries never fail, control characters are refused plainly.</summary>
public sealed class OddSearchQueriesTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    // Pieces readers (and people probing the search box) actually type: hyphens, apostrophes, repeats, punctuation
    // alone, mixed scripts, full-width and compatibility forms, combining marks, emoji, misspellings next to hyphens.
    private static readonly string[] Pieces =
    [
        "post-poned", "pre-poned", "or", "top-up", "e-mail", "re-fnd", "recieved-money", "a-b-c-d", "-", "--", "---x", "x-",
        "don't", "o'clock", "'", "''", "’s", "refnd's", "it’s", "refund", "refund", "refnd", "gizom", "wombat", "wombat-wombat",
        "!!!", "...", "?", "\"", "(", ")", "*", ":", "^", "+", "|", "&", "\\", "/", "%", "_", "'; DROP TABLE kb_articles; --",
        "转账", "到账-refund", "转账的", "单", "ｒｅｆｕｎｄ", "ﬁnd", "Straße", "İstanbul", "e\u0301", "\u0301", "😀", "refund😀", "한국",
        "カード", "１２３", "12-34", "3.5", "NEAR(x", "vis:internal", "title:", "AND", "OR", "NOT", "<->", "!", "&&", "x''y",
    ];

    private async Task<WalletDeskFactory> AppAsync(string provider)
    {
        var app = await fixture.For(provider);
        await KbTestData.EnsureAsync(app);
        return app;
    }

    internal static IEnumerable<string> OddQueries(int count, int seed)
    {
        yield return "post-poned or pre-poned";
        yield return "refund refund refund refund";
        yield return "-- ' ! ?";
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var words = random.Next(1, 7);
            var query = new StringBuilder();
            for (var w = 0; w < words; w++)
            {
                var separator = random.Next(5) switch { 0 => "", 1 => "-", 2 => "'", _ => " " };
                query.Append(Pieces[random.Next(Pieces.Length)]).Append(separator);
            }

            yield return query.ToString();
        }
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task OddQueries_AnyMixOfHyphensApostrophesRepeatsPunctuationAndScripts_NeverFail(string provider)
    {
        var app = await AppAsync(provider);
        await using var scope = app.Scope();
        var search = scope.ServiceProvider.GetRequiredService<KnowledgeSearch>();

        foreach (var query in OddQueries(400, seed: 14))
        {
            foreach (var lang in KbLanguages.All)
            {
                SearchResults results;
                try
                {
                    results = await search.SearchAsync(new SearchRequest(query, lang, IncludeInternal: false));
                }
                catch (Exception e)
                {
                    throw new ShouldAssertException($"search failed for {query}", e);
                }

                results.Hits.ShouldAllBe(h => h.Visibility == ArticleVisibility.Public, query);
                if (results.CorrectedQuery is { } corrected)
                {
                    corrected.ShouldNotBeEmpty(query);
                }
            }
        }

        var client = app.CreateClient();
        foreach (var query in OddQueries(40, seed: 41))
        {
            var encoded = Uri.EscapeDataString(query);
            (await client.GetAsync($"/api/kb/search?q={encoded}")).StatusCode.ShouldBeOneOf([HttpStatusCode.OK, HttpStatusCode.BadRequest], query);
            (await client.GetAsync($"/help/search?q={encoded}")).StatusCode.ShouldBe(HttpStatusCode.OK, query);
        }
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task HyphenatedWords_WithACorrection_AnswerWithTheQueryAsTyped(string provider)
    {
        var app = await AppAsync(provider);
        var client = app.CreateClient();

        await (await client.GetAsync("/api/kb/search?q=" + Uri.EscapeDataString("post-poned or pre-poned"))).ShouldReturnAsync(HttpStatusCode.OK);
        var body = await (await client.GetAsync("/api/kb/search?q=" + Uri.EscapeDataString("wombat-refnd"))).ShouldReturnAsync(HttpStatusCode.OK);
        body.ShouldContain("\"correctedQuery\":\"wombat-refund\"");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ControlCharacters_InAQuery_AreRefusedWithAProblemOrAPlainMessage(string provider)
    {
        var app = await AppAsync(provider);
        var client = app.CreateClient();
        var agent = await KbTestData.AgentAsync(app);

        foreach (var control in new[] { "\0", "\u0001", "\t", "\n", "\u001b", "\u007f", "\u0085" })
        {
            var q = Uri.EscapeDataString("wombat" + control);
            var search = await (await client.GetAsync($"/api/kb/search?q={q}")).ShouldReturnAsync(HttpStatusCode.BadRequest);
            search.ShouldContain("\"q\"");
            search.ShouldContain("control characters");
            (await client.GetAsync($"/api/kb/suggestions?q={q}&source=widget")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            // The console list filtered with LIKE: SQLite ends text at NUL, so "%\0%" matched every article.
            (await (await agent.GetAsync($"/api/kb/articles?q={q}")).ShouldReturnAsync(HttpStatusCode.BadRequest)).ShouldContain("control characters");

            var page = await (await client.GetAsync($"/help/search?q={q}")).ShouldReturnAsync(HttpStatusCode.OK);
            page.ShouldContain("data-testid=\"rejected-query\"");
            page.ShouldNotContain("kbt-hostile");
        }

        var zh = await (await client.GetAsync("/help/search?lang=zh&q=" + Uri.EscapeDataString("转账\0"))).ShouldReturnAsync(HttpStatusCode.OK);
        HttpHelpers.Html(zh).QuerySelector("[data-testid=rejected-query]")!.TextContent.ShouldContain("控制字符");
        (await client.GetAsync("/api/kb/search?q=" + Uri.EscapeDataString("wombat ok"))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public void HasControlCharacters_OnlyForC0AndC1Controls()
    {
        KbText.HasControlCharacters("refund\u0000").ShouldBeTrue();
        KbText.HasControlCharacters("a\u009fb").ShouldBeTrue();
        KbText.HasControlCharacters("退款 refund’s — ok?").ShouldBeFalse();
        KbText.HasControlCharacters(null).ShouldBeFalse();
    }
}
