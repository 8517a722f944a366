using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Knowledge;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Knowledge;

/// <summary>Article CRUD through the API: roles and scopes, validation, revisions with diff and restore, audit, the index kept in step.</summary>
public sealed class EditingArticlesTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Supervisor_CreatesEditsPublishesRestoresAndArchives_WithRevisionsAndAudit(string provider)
    {
        var app = await fixture.For(provider);
        var editor = await KbTestData.SupervisorAsync(app);
        var slug = "edit-" + Guid.NewGuid().ToString("N")[..8];

        var created = await (await editor.PostAsJsonAsync("/api/kb/articles", new CreateArticleRequest(slug, "refunds", "refund-status", "public", [],
            [new TranslationInput("en", "Platypus refunds", "First version about the platypus.", ["platypus"])])))
            .ReadAsAsync<ArticleResponse>(HttpStatusCode.Created);
        created.Translations.Single().Status.ShouldBe(ArticleStatus.Draft);
        created.MissingTranslations.ShouldBeEmpty("nothing is published yet, so nothing is missing");
        (await PublicSearchAsync(app, "platypus")).ShouldNotContain(slug, Case.Sensitive, "drafts are not searchable");

        var published = await (await editor.PostAsync($"/api/kb/articles/{slug}/translations/en/publish", null)).ReadAsAsync<TranslationResponse>();
        published.Status.ShouldBe(ArticleStatus.Published);
        (await PublicSearchAsync(app, "platypus")).ShouldContain(slug);
        (await (await editor.GetAsync($"/api/kb/articles/{slug}")).ReadAsAsync<ArticleResponse>()).MissingTranslations.ShouldBe(["zh"]);

        var edited = await (await editor.PutAsJsonAsync($"/api/kb/articles/{slug}/translations/en",
            new SaveTranslationRequest("Platypus refunds", "Second version about the echidna.", ["echidna"], 1, "new animal")))
            .ReadAsAsync<TranslationResponse>();
        edited.Revision.ShouldBe(2);
        (await PublicSearchAsync(app, "echidna")).ShouldContain(slug, Case.Sensitive, "the index follows edits of published articles");
        (await PublicSearchAsync(app, "platypus")).ShouldContain(slug, Case.Sensitive, "the title still matches");

        var stale = await editor.PutAsJsonAsync($"/api/kb/articles/{slug}/translations/en", new SaveTranslationRequest("Platypus refunds", "Lost update", [], 1, null));
        (await stale.ShouldReturnAsync(HttpStatusCode.Conflict)).ShouldContain("revision 2");

        var diff = await (await editor.GetAsync($"/api/kb/articles/{slug}/translations/en/revisions/2/diff")).ReadAsAsync<RevisionDiffResponse>();
        diff.Lines.ShouldContain(new DiffLine("removed", "First version about the platypus."));
        diff.Lines.ShouldContain(new DiffLine("added", "Second version about the echidna."));

        var restored = await (await editor.PostAsync($"/api/kb/articles/{slug}/translations/en/revisions/1/restore", null)).ReadAsAsync<TranslationResponse>();
        restored.Revision.ShouldBe(3);
        restored.Body.ShouldBe("First version about the platypus.");
        (await (await editor.GetAsync($"/api/kb/articles/{slug}/translations/en/revisions")).ReadAsAsync<List<RevisionSummary>>())
            .Select(r => r.Number).ShouldBe([3, 2, 1]);
        (await PublicSearchAsync(app, "echidna")).ShouldNotContain(slug);

        await (await editor.PostAsync($"/api/kb/articles/{slug}/translations/en/archive", null)).ShouldReturnAsync(HttpStatusCode.OK);
        (await PublicSearchAsync(app, "platypus")).ShouldNotContain(slug);
        (await app.CreateClient().GetAsync($"/help/articles/{slug}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        (await editor.DeleteAsync($"/api/kb/articles/{slug}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await editor.GetAsync($"/api/kb/articles/{slug}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var actions = await app.WithDbAsync(db => db.AuditEntries.Where(e => e.ObjectType == "kb_article" && e.ObjectId!.StartsWith(slug)).Select(e => e.Action).ToListAsync());
        actions.ShouldContain("kb.article.published");
        actions.ShouldContain("kb.article.restored");
        actions.ShouldContain("kb.article.archived");
        actions.ShouldContain("kb.article.deleted");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task InvalidArticle_IsRejected_WithAProblemPerField(string provider)
    {
        var app = await fixture.For(provider);
        var editor = await KbTestData.SupervisorAsync(app);

        var response = await editor.PostAsJsonAsync("/api/kb/articles", new CreateArticleRequest("Bad Slug!", "", "x", "secret", ["../etc"],
            [new TranslationInput("fr", "", null, [])]));

        var body = await response.ShouldReturnAsync(HttpStatusCode.BadRequest);
        foreach (var field in new[] { "slug", "category", "section", "visibility", "related", "translations[0].lang", "translations[0].title", "translations[0].body" })
        {
            body.ShouldContain($"\"{field}\"");
        }

        var duplicate = "dup-" + Guid.NewGuid().ToString("N")[..8];
        var request = new CreateArticleRequest(duplicate, "fees-limits", "fees", "public", [], [new TranslationInput("en", "Fees", "Body", [])]);
        (await editor.PostAsJsonAsync("/api/kb/articles", request)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await editor.PostAsJsonAsync("/api/kb/articles", request)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task WritingNeedsASupervisor_ReadingNeedsStaff(string provider)
    {
        var app = await fixture.For(provider);
        var request = new CreateArticleRequest("role-" + Guid.NewGuid().ToString("N")[..8], "fees-limits", "fees", "public", [], [new TranslationInput("en", "Fees", "Body", [])]);

        (await app.CreateClient().GetAsync("/api/kb/articles")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await KbTestData.Customer(app).GetAsync("/api/kb/articles")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var agent = await KbTestData.AgentAsync(app);
        (await agent.GetAsync("/api/kb/articles")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await agent.PostAsJsonAsync("/api/kb/articles", request)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.CreateClient().PostAsJsonAsync("/api/kb/articles", request)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private static async Task<string> PublicSearchAsync(WalletDeskFactory app, string query) =>
        await (await app.CreateClient().GetAsync($"/api/kb/search?q={Uri.EscapeDataString(query)}&lang=en")).ShouldReturnAsync(HttpStatusCode.OK);
}
