using System.Net;
using WalletDesk.Server.Features.Knowledge;
using WalletDesk.Server.Features.Knowledge.Search;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Knowledge;

/// <summary>Search behaviour on both providers over a small controlled corpus.</summary>
public sealed class SearchingTheKnowledgeBaseTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    private async Task<WalletDeskFactory> AppAsync(string provider)
    {
        var app = await fixture.For(provider);
        await KbTestData.EnsureAsync(app);
        return app;
    }

    private static async Task<SearchResults> SearchAsync(WalletDeskFactory app, string query, string lang = KbLanguages.English, bool staff = false)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<KnowledgeSearch>().SearchAsync(new SearchRequest(query, lang, staff));
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ChineseWord_InsideUnspacedText_IsFound(string provider)
    {
        var app = await AppAsync(provider);

        (await SearchAsync(app, "转账", KbLanguages.Chinese)).Hits.Select(h => h.Slug).ShouldContain("kbt-cjk");
        (await SearchAsync(app, "到账", KbLanguages.Chinese)).Hits.Select(h => h.Slug).ShouldContain("kbt-cjk");
        (await SearchAsync(app, "转账还没到账吗", KbLanguages.Chinese)).Hits[0].Slug.ShouldBe("kbt-cjk");
        (await SearchAsync(app, "账单", KbLanguages.Chinese)).Hits.Select(h => h.Slug).ShouldContain("kbt-cjk");
        (await SearchAsync(app, "单", KbLanguages.Chinese)).Hits.Select(h => h.Slug).ShouldContain("kbt-cjk", "one-character queries use the unigram column");
        (await SearchAsync(app, "退货", KbLanguages.Chinese)).Hits.ShouldBeEmpty();
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EnglishInflections_MatchTheirStem(string provider)
    {
        var app = await AppAsync(provider);

        (await SearchAsync(app, "refunds")).Hits.Select(h => h.Slug).ShouldContain("kbt-refund");
        (await SearchAsync(app, "refunded")).Hits.Select(h => h.Slug).ShouldContain("kbt-refund");
        (await SearchAsync(app, "tracking")).Hits.Select(h => h.Slug).ShouldContain("kbt-tracking");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TitleMatch_RanksAboveRepeatedBodyMatches(string provider)
    {
        var app = await AppAsync(provider);

        var hits = (await SearchAsync(app, "gizmo")).Hits.Select(h => h.Slug).ToList();

        hits.ShouldBe(["kbt-gizmo-title", "kbt-gizmo-body"]);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task MisspeltWords_AreCorrectedAgainstTheIndexVocabulary(string provider)
    {
        var app = await AppAsync(provider);

        var dropped = await SearchAsync(app, "refnd");
        dropped.Hits.Select(h => h.Slug).ShouldContain("kbt-refund");
        dropped.CorrectedQuery.ShouldBe("refund");

        var swapped = await SearchAsync(app, "gizom setup");
        swapped.Hits[0].Slug.ShouldBe("kbt-gizmo-title");
        swapped.CorrectedQuery.ShouldBe("gizmo setup");

        (await SearchAsync(app, "xylophone")).Hits.ShouldBeEmpty("nothing within two edits");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TypoCorrection_RealWordsNotInTheArticles_AreLeftAlone_AndCorrectionsAreWordsNotStems(string provider)
    {
        var app = await AppAsync(provider);

        // Real English words that no article uses are not misspellings ("many" used to become "main", "retrieve" "reciev").
        var real = await SearchAsync(app, "many retrieve refund");
        real.CorrectedQuery.ShouldBeNull();
        real.Hits.Select(h => h.Slug).ShouldContain("kbt-refund");

        // A misspelling is replaced by the word the article writes, never by its stem ("deliveri").
        var misspelt = await SearchAsync(app, "many delivry");
        misspelt.CorrectedQuery.ShouldBe("many delivery");
        misspelt.Hits[0].Slug.ShouldBe("kbt-tracking");

        (await SearchAsync(app, "Refnd, please!")).CorrectedQuery.ShouldBe("refund, please!");
    }

    [Fact]
    public void EnglishWords_KnowsRealWordsAndInflections_NotMisspellings()
    {
        EnglishWords.Count.ShouldBeGreaterThan(200_000);
        foreach (var word in new[] { "many", "retrieve", "postponed", "refunds", "main" })
        {
            EnglishWords.Contains(word).ShouldBeTrue(word);
        }

        foreach (var word in new[] { "recieved", "refnd", "acount", "pasword", "deliveri" })
        {
            EnglishWords.Contains(word).ShouldBeFalse(word);
        }
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Snippets_HighlightMatches_AndStaySafeHtml(string provider)
    {
        var app = await AppAsync(provider);

        var hit = (await SearchAsync(app, "wombat")).Hits.Single();

        hit.SnippetHtml.ShouldContain("<mark>wombat</mark>");
        hit.TitleHtml.ShouldContain("<mark>wombat</mark>");
        foreach (var html in new[] { hit.SnippetHtml, hit.TitleHtml })
        {
            var document = HttpHelpers.Html("<div id=root>" + html + "</div>");
            var elements = document.GetElementById("root")!.QuerySelectorAll("*");
            elements.Select(e => e.LocalName).Distinct().ShouldBe(["mark"]);
            elements.SelectMany(e => e.Attributes).ShouldBeEmpty();
        }

        hit.TitleHtml.ShouldContain("&lt;img src=x onerror=alert(1)&gt;");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Readers_NeverFindInternalDraftOrArchivedArticles_StaffFindInternal(string provider)
    {
        var app = await AppAsync(provider);

        (await SearchAsync(app, "zebra")).Hits.ShouldBeEmpty();
        (await SearchAsync(app, "zebra", staff: true)).Hits.Select(h => h.Slug).ShouldBe(["kbt-internal"]);

        foreach (var client in new[] { app.CreateClient(), KbTestData.Customer(app) })
        {
            var body = await (await client.GetAsync("/api/kb/search?q=zebra&lang=en")).ShouldReturnAsync(HttpStatusCode.OK);
            body.ShouldNotContain("kbt-");
            var suggestions = await (await client.GetAsync("/api/kb/suggestions?q=zebra&lang=en&source=widget")).ShouldReturnAsync(HttpStatusCode.OK);
            suggestions.ShouldNotContain("kbt-");
        }

        var agent = await KbTestData.AgentAsync(app);
        var staffBody = await (await agent.GetAsync("/api/kb/search?q=zebra&lang=en")).ShouldReturnAsync(HttpStatusCode.OK);
        staffBody.ShouldContain("kbt-internal");
        staffBody.ShouldNotContain("kbt-draft");
        staffBody.ShouldNotContain("kbt-archived");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SearchApi_RejectsBadParameters_WithProblemPerField(string provider)
    {
        var app = await AppAsync(provider);
        var client = app.CreateClient();

        var missing = await (await client.GetAsync("/api/kb/search?lang=fr&limit=0")).ShouldReturnAsync(HttpStatusCode.BadRequest);
        missing.ShouldContain("\"q\"");
        missing.ShouldContain("\"lang\"");
        missing.ShouldContain("\"limit\"");
        (await client.GetAsync("/api/kb/search?q=" + new string('a', 201))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // Search syntax and SQL in the query are just text.
        foreach (var hostile in new[] { "\" OR 1=1 --", "refund' OR ''='", "vis:internal", "title:zebra OR zebra*", "NEAR(zebra)", "'); DROP TABLE kb_articles; --" })
        {
            var body = await (await client.GetAsync("/api/kb/search?q=" + Uri.EscapeDataString(hostile))).ShouldReturnAsync(HttpStatusCode.OK);
            body.ShouldNotContain("kbt-internal");
        }

        (await app.WithDbAsync(db => Task.FromResult(db.KbArticles.Count()))).ShouldBeGreaterThan(5);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ReaderOfOtherLanguage_GetsTheArticleWithAFlag(string provider)
    {
        var app = await AppAsync(provider);

        var hit = (await SearchAsync(app, "quokka", KbLanguages.Chinese)).Hits.Single();

        hit.Slug.ShouldBe("kbt-en-only");
        hit.IsOtherLanguage.ShouldBeTrue();
        hit.Lang.ShouldBe(KbLanguages.English);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SynonymQuery_FindsTheArticleThatUsesAnotherWord(string provider)
    {
        var app = await AppAsync(provider);

        // No article says "reimbursement"; the refund group (refund, money back, reimbursement, 退款 …) finds the refund article.
        var english = await SearchAsync(app, "reimbursement");
        english.Hits.Select(h => h.Slug).ShouldContain("kbt-refund");
        english.Terms.ShouldContain("refund");
        english.Hits.Single(h => h.Slug == "kbt-refund").SnippetHtml.ShouldContain("<mark>refund</mark>");

        // 汇款 is in no article; 转账 is its synonym.
        (await SearchAsync(app, "汇款", KbLanguages.Chinese)).Hits.Select(h => h.Slug).ShouldContain("kbt-cjk");
        (await SearchAsync(app, "退货", KbLanguages.Chinese)).Hits.ShouldBeEmpty("not every word has synonyms");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task OperatorSynonyms_FromConfiguration_AreSearched_AndTheDefaultsCanBeTurnedOff(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider, new Dictionary<string, string?>
        {
            ["Knowledge:Synonyms:0"] = "marsupial, wombat, quokka",
            ["Knowledge:UseDefaultSynonyms"] = "false",
        });
        await KbTestData.EnsureAsync(app);

        (await SearchAsync(app, "marsupial")).Hits.Select(h => h.Slug).ShouldBe(["kbt-en-only", "kbt-hostile"], ignoreOrder: true);
        (await SearchAsync(app, "reimbursement")).Hits.ShouldBeEmpty("the wallet defaults are off");
    }
}
