using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Knowledge;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Knowledge;

/// <summary>The public help center over HTTP: pages, visibility, language, feedback, deflection and the analytics they feed.</summary>
public sealed class HelpCenterTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    private async Task<WalletDeskFactory> AppAsync(string provider)
    {
        var app = await fixture.For(provider);
        await KbTestData.EnsureAsync(app);
        return app;
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task HomeAndArticle_RenderWithBreadcrumbsSearchBoxAndContactOptions(string provider)
    {
        var app = await AppAsync(provider);
        var client = app.CreateClient();

        var home = HttpHelpers.Html(await (await client.GetAsync("/help?lang=en")).ShouldReturnAsync(HttpStatusCode.OK));
        home.QuerySelector("form[role=search] input[name=q]").ShouldNotBeNull();
        home.QuerySelectorAll("a[href='/help/articles/kbt-refund']").Length.ShouldBe(1);
        home.Body!.TextContent.ShouldNotContain("Zebra");

        var page = HttpHelpers.Html(await (await client.GetAsync("/help/articles/kbt-hostile?lang=en")).ShouldReturnAsync(HttpStatusCode.OK));
        page.QuerySelector("nav.breadcrumbs a[href='/help/categories/security']").ShouldNotBeNull();
        page.QuerySelector("h1")!.TextContent.ShouldContain("<img src=x onerror=alert(1)>", Case.Sensitive, "shown as text");
        page.QuerySelectorAll(".article-body script, .article-body [onclick], h1 img").Length.ShouldBe(0);
        page.QuerySelector(".article-body a").ShouldBeNull("the javascript: link is reduced to its text");
        page.QuerySelector(".help-contact")!.TextContent.ShouldContain("within 2 minutes");
        page.QuerySelector("form input[name=_handler][value=feedback]").ShouldNotBeNull();
        page.QuerySelector("form input[name=__RequestVerificationToken]").ShouldNotBeNull();
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task InternalDraftArchivedAndMissing_Are404ForReaders_InternalShownToAgents(string provider)
    {
        var app = await AppAsync(provider);

        foreach (var client in new[] { app.CreateClient(), KbTestData.Customer(app) })
        {
            foreach (var slug in new[] { "kbt-internal", "kbt-draft", "kbt-archived", "no-such-article" })
            {
                var response = await client.GetAsync($"/help/articles/{slug}");
                var body = await response.ShouldReturnAsync(HttpStatusCode.NotFound);
                body.ShouldNotContain("Zebra");
            }

            (await (await client.GetAsync("/help/search?q=zebra")).Content.ReadAsStringAsync()).ShouldNotContain("kbt-internal");
        }

        var agent = await KbTestData.AgentAsync(app);
        var internalPage = await (await agent.GetAsync("/help/articles/kbt-internal")).ShouldReturnAsync(HttpStatusCode.OK);
        internalPage.ShouldContain("Zebra escalation procedure");
        (await agent.GetAsync("/help/articles/kbt-draft")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ChineseReader_OfAnEnglishOnlyArticle_SeesItWithANote_AndTheLanguageSticks(string provider)
    {
        var app = await AppAsync(provider);
        var client = app.CreateBrowserClient();

        var first = await client.GetAsync("/help?lang=zh");
        await first.ShouldReturnAsync(HttpStatusCode.OK);
        first.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith("wd.lang=zh", StringComparison.Ordinal));

        var page = HttpHelpers.Html(await (await client.GetAsync("/help/articles/kbt-en-only")).ShouldReturnAsync(HttpStatusCode.OK));
        page.QuerySelector("[data-testid=other-language-note]")!.TextContent.ShouldContain("暂时没有中文版");
        page.QuerySelector("h1")!.TextContent.ShouldBe("Quokka care guide");
        page.QuerySelector(".help-contact")!.TextContent.ShouldContain("2 分钟内");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SearchPage_Clicks_Feedback_AndDeflection_ShowUpInAnalytics(string provider)
    {
        var app = await AppAsync(provider);
        var reader = app.CreateBrowserClient();
        var marker = "kangaroo" + Guid.NewGuid().ToString("N")[..6];

        var results = HttpHelpers.Html(await (await reader.GetAsync("/help/search?q=refunds&lang=en")).ShouldReturnAsync(HttpStatusCode.OK));
        var link = results.QuerySelector("a.result-title[href^='/help/articles/kbt-refund?sid=']")!.GetAttribute("href")!;
        results.QuerySelector("p.snippet mark")!.TextContent.ShouldBe("refund");
        (await reader.GetAsync(link)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await reader.GetAsync($"/help/search?q={marker}")).ShouldReturnAsync(HttpStatusCode.OK)).ShouldContain("data-testid=\"no-results\"");

        var vote = await reader.SubmitFormAsync("/help/articles/kbt-refund", "feedback", new() { ["Comment"] = "Card 4111 1111 1111 1111 still waiting" }, "Vote", "no");
        (await vote.ShouldReturnAsync(HttpStatusCode.OK)).ShouldContain("data-testid=\"feedback-thanks\"");

        (await app.CreateClient().PostAsJsonAsync("/api/kb/deflections", new DeflectionRequest("widget", "left-without-filing", "refund late", "kbt-refund")))
            .StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var bad = await app.CreateClient().PostAsJsonAsync("/api/kb/deflections", new DeflectionRequest("email", "maybe", null, "../x"));
        (await bad.ShouldReturnAsync(HttpStatusCode.BadRequest)).ShouldContain("\"outcome\"");

        var suggestions = await (await app.CreateClient().GetAsync("/api/kb/suggestions?q=refund&lang=en&source=ticket-form")).ReadAsAsync<SuggestionsResponse>();
        suggestions.Articles.Select(a => a.Slug).ShouldContain("kbt-refund");

        var supervisor = await KbTestData.SupervisorAsync(app);
        var report = await (await supervisor.GetAsync("/api/kb/analytics?days=7")).ReadAsAsync<AnalyticsResponse>();
        report.TopQueries.ShouldContain(q => q.Query == "refunds" && q.Clicks >= 1);
        report.NoResultQueries.ShouldContain(q => q.Query == marker);
        report.NotHelpfulArticles.ShouldContain(a => a.Slug == "kbt-refund" && a.NotHelpful >= 1);
        report.RecentComments.ShouldContain(c => c.Slug == "kbt-refund" && !c.Comment.Contains("4111 1111 1111 1111"));
        report.Deflection.LeftWithoutFiling.ShouldBeGreaterThanOrEqualTo(1);
        report.Deflection.BySource.ShouldNotBeNull().Single(s => s.Source == "widget").LeftWithoutFiling.ShouldBeGreaterThanOrEqualTo(1);
        (await app.WithDbAsync(db => db.KbTranslations.Where(t => t.Article!.Slug == "kbt-refund").Select(t => t.NotHelpfulCount).SingleAsync())).ShouldBeGreaterThanOrEqualTo(1);

        var page = await (await supervisor.GetAsync("/console/kb/analytics")).ShouldReturnAsync(HttpStatusCode.OK);
        page.ShouldContain(marker);
        var deflection = HttpHelpers.Html(page).QuerySelector("[data-testid=kb-deflection]").ShouldNotBeNull();
        deflection.TextContent.ShouldContain("Ticket form (portal)");
        deflection.QuerySelectorAll("tbody tr").Single(r => r.TextContent.Contains("Chat widget", StringComparison.Ordinal))
            .QuerySelectorAll("td")[2].TextContent.ShouldNotBe("0", "left without filing");
    }

    [Fact]
    public async Task ArticleImages_OnAnAllowedHost_AreKeptAndAdmittedByTheCsp_OthersAreNeither()
    {
        await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite, new Dictionary<string, string?> { ["Knowledge:AllowedImageHosts:0"] = "images.example.com" });
        await KbTestData.PublishedAsync(app, "kbt-images", KbLanguages.English, "Screenshots",
            "![ok](https://images.example.com/steps.png) ![http](http://images.example.com/a.png) ![evil](https://evil.example/t.png) " +
            "![port](https://images.example.com:8443/b.png) ![local](/img/local.png)", "getting-started");

        var response = await app.CreateClient().GetAsync("/help/articles/kbt-images?lang=en");

        var page = HttpHelpers.Html(await response.ShouldReturnAsync(HttpStatusCode.OK));
        page.QuerySelectorAll(".article-body img").Select(i => i.GetAttribute("src")).ShouldBe(["https://images.example.com/steps.png", "/img/local.png"]);
        var imgSrc = response.Headers.GetValues("Content-Security-Policy").Single().Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("img-src ", StringComparison.Ordinal));
        imgSrc.ShouldBe("img-src 'self' data: https://images.example.com");
    }

    [Fact]
    public async Task DefaultCsp_AdmitsSameOriginImagesOnly()
    {
        var app = await AppAsync(Providers.Sqlite);

        var response = await app.CreateClient().GetAsync("/help?lang=en");

        response.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("img-src 'self' data:;");
    }

    [Theory]
    [InlineData("Knowledge:AllowedImageHosts:0", "images.example.com; script-src *", "AllowedImageHosts")]
    [InlineData("Knowledge:AllowedImageHosts:0", "https://images.example.com", "AllowedImageHosts")]
    [InlineData("Knowledge:AllowedImageHosts:0", "*.example.com", "AllowedImageHosts")]
    [InlineData("Knowledge:Synonyms:0", "lonely", "Synonyms")]
    public async Task BadKnowledgeSettings_StopTheServerAtStart(string key, string value, string named)
    {
        var failure = await Should.ThrowAsync<Exception>(async () =>
        {
            await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite, new Dictionary<string, string?> { [key] = value });
        });

        failure.ToString().ShouldContain(named);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ConsoleEditor_PreviewIsSanitized_SaveMakesARevision_HistoryShowsTheDiff(string provider)
    {
        var app = await AppAsync(provider);
        var supervisor = await app.SignInAsync(await app.CreateStaffAsync(WalletDesk.Server.Features.Identity.StaffRoles.Supervisor, withTotp: true));
        var slug = "console-" + Guid.NewGuid().ToString("N")[..8];

        var created = await supervisor.SubmitFormAsync("/console/kb/new", "kb-edit", new()
        {
            ["Input.Slug"] = slug, ["Input.Lang"] = "en", ["Input.Category"] = "fees-limits", ["Input.Section"] = "fees", ["Input.Visibility"] = "public",
            ["Input.Title"] = "Console article", ["Input.Body"] = "Line one", ["Input.Tags"] = "a, b",
        }, "Input.Action", "save");
        created.StatusCode.ShouldBe(HttpStatusCode.Redirect, await created.Content.ReadAsStringAsync());
        created.LocationPath().ShouldBe($"/console/kb/edit/{slug}/en");

        var preview = await supervisor.SubmitFormAsync($"/console/kb/edit/{slug}/en", "kb-edit", new()
        {
            ["Input.Category"] = "fees-limits", ["Input.Section"] = "fees", ["Input.Visibility"] = "public", ["Input.Title"] = "Console article",
            ["Input.Body"] = "<script>alert(1)</script> [x](javascript:alert(1)) **bold**",
        }, "Input.Action", "preview");
        var previewHtml = HttpHelpers.Html(await preview.ShouldReturnAsync(HttpStatusCode.OK)).QuerySelector("[data-testid=kb-preview] .article-body")!;
        previewHtml.QuerySelector("strong").ShouldNotBeNull();
        previewHtml.QuerySelectorAll("script, a").Length.ShouldBe(0);

        var saved = await supervisor.SubmitFormAsync($"/console/kb/edit/{slug}/en", "kb-edit", new()
        {
            ["Input.Category"] = "fees-limits", ["Input.Section"] = "fees", ["Input.Visibility"] = "public", ["Input.Title"] = "Console article",
            ["Input.Body"] = "Line two", ["Input.Note"] = "second",
        }, "Input.Action", "save");
        (await saved.ShouldReturnAsync(HttpStatusCode.OK)).ShouldContain("Saved.");

        var history = HttpHelpers.Html(await (await supervisor.GetAsync($"/console/kb/revisions/{slug}/en?diff=2")).ShouldReturnAsync(HttpStatusCode.OK));
        history.QuerySelector("[data-testid=kb-diff] .removed")!.TextContent.ShouldContain("Line one");
        history.QuerySelector("[data-testid=kb-diff] .added")!.TextContent.ShouldContain("Line two");

        var list = await (await supervisor.GetAsync("/console/kb?missing=true")).ShouldReturnAsync(HttpStatusCode.OK);
        list.ShouldContain("kbt-en-only");
        (await app.CreateBrowserClient().GetAsync("/console/kb")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var agent = await app.SignInAsync(await app.CreateStaffAsync(WalletDesk.Server.Features.Identity.StaffRoles.Agent));
        (await agent.GetAsync($"/console/kb/edit/{slug}/en")).StatusCode.ShouldNotBe(HttpStatusCode.OK);
    }
}
