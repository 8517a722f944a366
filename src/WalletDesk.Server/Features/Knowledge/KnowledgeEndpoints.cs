using System.Security.Claims;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Knowledge.Rendering;
using WalletDesk.Server.Features.Knowledge.Search;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Server.Features.Knowledge;

internal static class KnowledgeEndpoints
{
    private const string Translation = "/articles/{slug}/translations/{lang}";

    public static void Map(IEndpointRouteBuilder app)
    {
        var kb = app.MapGroup("/api/kb").WithTags("Knowledge");

        // Readers (customers, anonymous visitors, the widget and the ticket form): public articles only.
        kb.MapGet("/search", SearchArticles).RequireAuthorization(KnowledgeModule.PublicReaderPolicy).RequireRateLimiting(RateLimits.Public);
        kb.MapGet("/suggestions", SuggestArticles).RequireAuthorization(KnowledgeModule.PublicReaderPolicy).RequireRateLimiting(RateLimits.Public);
        kb.MapPost("/deflections", RecordDeflection).RequireAuthorization(KnowledgeModule.PublicReaderPolicy).RequireRateLimiting(RateLimits.Public);
        kb.MapPost("/feedback", RecordFeedback).RequireAuthorization(KnowledgeModule.PublicReaderPolicy).RequireRateLimiting(RateLimits.Public);

        // Staff.
        kb.MapGet("/articles", ListArticles).RequireStaff(StaffRoles.Agent, ApiScopes.KbRead);
        kb.MapPost("/articles", CreateArticle).RequireStaff(StaffRoles.Supervisor, ApiScopes.KbWrite);
        kb.MapGet("/articles/{slug}", GetArticle).RequireStaff(StaffRoles.Agent, ApiScopes.KbRead);
        kb.MapPut("/articles/{slug}", UpdateArticle).RequireStaff(StaffRoles.Supervisor, ApiScopes.KbWrite);
        kb.MapDelete("/articles/{slug}", DeleteArticle).RequireStaff(StaffRoles.Supervisor, ApiScopes.KbWrite);
        kb.MapPut(Translation, SaveTranslation).RequireStaff(StaffRoles.Supervisor, ApiScopes.KbWrite);
        kb.MapPost(Translation + "/publish", PublishTranslation).RequireStaff(StaffRoles.Supervisor, ApiScopes.KbWrite);
        kb.MapPost(Translation + "/archive", ArchiveTranslation).RequireStaff(StaffRoles.Supervisor, ApiScopes.KbWrite);
        kb.MapPost(Translation + "/unpublish", UnpublishTranslation).RequireStaff(StaffRoles.Supervisor, ApiScopes.KbWrite);
        kb.MapPost(Translation + "/reviewed", MarkTranslationReviewed).RequireStaff(StaffRoles.Supervisor, ApiScopes.KbWrite);
        kb.MapGet(Translation + "/revisions", ListRevisions).RequireStaff(StaffRoles.Agent, ApiScopes.KbRead);
        kb.MapGet(Translation + "/revisions/{number:int}", GetRevision).RequireStaff(StaffRoles.Agent, ApiScopes.KbRead);
        kb.MapGet(Translation + "/revisions/{number:int}/diff", DiffRevision).RequireStaff(StaffRoles.Agent, ApiScopes.KbRead);
        kb.MapPost(Translation + "/revisions/{number:int}/restore", RestoreRevision).RequireStaff(StaffRoles.Supervisor, ApiScopes.KbWrite);
        kb.MapPost("/preview", PreviewMarkdown).RequireStaff(StaffRoles.Supervisor, ApiScopes.KbWrite);
        kb.MapGet("/analytics", GetAnalytics).RequireStaff(StaffRoles.Supervisor, ApiScopes.KbRead);
    }

    private static async Task<IResult> SearchArticles(
        KnowledgeSearch search, KnowledgeAnalytics analytics, ClaimsPrincipal user, CancellationToken ct,
        string? q = null, string? lang = null, int limit = 10)
    {
        if (ValidateSearch(q, lang, limit) is { } problem)
        {
            return problem;
        }

        var staff = KnowledgeAccess.CanSeeInternal(user);
        var results = await search.SearchAsync(new SearchRequest(q!, lang ?? KbLanguages.English, staff, limit), ct);
        // Content-gap analytics are about readers; staff lookups would drown them.
        Guid? searchId = staff ? null : await analytics.LogSearchAsync(q!, results.Lang, SearchSources.Api, results.Hits.Count, results.CorrectedQuery, ct);
        return TypedResults.Ok(new SearchResponse(results.Query, results.CorrectedQuery, results.Lang, searchId, results.Hits
            .Select(h => new SearchResultItem(h.Slug, h.Lang, h.Title, h.TitleHtml, h.SnippetHtml, ArticleUrl(h.Slug, searchId), h.Score, h.Category, h.IsOtherLanguage, staff ? h.Visibility : null))
            .ToList()));
    }

    private static async Task<IResult> SuggestArticles(KnowledgeSearch search, CancellationToken ct, string? q = null, string? lang = null, string? source = null)
    {
        if (ValidateSearch(q, lang, 5) is { } problem)
        {
            return problem;
        }

        if (source is not null && !SearchSources.Suggestion.Contains(source))
        {
            return Problems.Validation("source", "source must be 'widget' or 'ticket-form'.");
        }

        // Suggestions are for customers even when staff test the widget: public articles only.
        var results = await search.SearchAsync(new SearchRequest(q!, lang ?? KbLanguages.English, IncludeInternal: false, Limit: 5), ct);
        return TypedResults.Ok(new SuggestionsResponse(results.Hits.Select(h => new SuggestionItem(h.Slug, h.Title, h.SnippetHtml, ArticleUrl(h.Slug, null))).ToList()));
    }

    private static async Task<IResult> RecordDeflection(DeflectionRequest request, KnowledgeAnalytics analytics, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Source is null || !SearchSources.Suggestion.Contains(request.Source))
        {
            errors["source"] = ["source must be 'widget' or 'ticket-form'."];
        }

        if (request.Outcome is null || !DeflectionOutcomes.Reported.Contains(request.Outcome))
        {
            errors["outcome"] = ["outcome must be 'article-opened', 'left-without-filing' or 'filed'."];
        }

        if (request.Query is { Length: > KbLimits.QueryLength })
        {
            errors["query"] = [$"query must be at most {KbLimits.QueryLength} characters."];
        }

        if (request.ArticleSlug is not null && !KbText.IsValidSlug(request.ArticleSlug))
        {
            errors["articleSlug"] = ["articleSlug must be an article slug."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The request has invalid fields.");
        }

        await analytics.RecordDeflectionAsync(request.Source!, request.Outcome!, request.Query, request.ArticleSlug, ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> RecordFeedback(FeedbackRequest request, KnowledgeReader reader, KnowledgeAnalytics analytics, ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!KbText.IsValidSlug(request.Slug))
        {
            errors["slug"] = ["slug must be an article slug."];
        }

        if (!KbLanguages.IsKnown(request.Lang))
        {
            errors["lang"] = ["lang must be 'en' or 'zh'."];
        }

        if (request.Helpful is null)
        {
            errors["helpful"] = ["helpful is required (true or false)."];
        }

        if (request.Comment is { Length: > KbLimits.CommentLength })
        {
            errors["comment"] = [$"comment must be at most {KbLimits.CommentLength} characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The request has invalid fields.");
        }

        var translationId = await reader.VisibleTranslationIdAsync(request.Slug!, request.Lang!, KnowledgeAccess.CanSeeInternal(user), ct);
        if (translationId is null)
        {
            return Problems.NotFound("The article");
        }

        await analytics.RecordFeedbackAsync(translationId.Value, request.Helpful!.Value, request.Comment, SearchSources.Api, ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ListArticles(
        KnowledgeService service, CancellationToken ct, string? status = null, string? lang = null, string? q = null, bool? stale = null, bool? missingTranslation = null)
    {
        if (status is not null && !ArticleStatus.All.Contains(status))
        {
            return Problems.Validation("status", "status must be draft, published or archived.");
        }

        if (lang is not null && !KbLanguages.IsKnown(lang))
        {
            return Problems.Validation("lang", "lang must be 'en' or 'zh'.");
        }

        if (q is { Length: > KbLimits.QueryLength })
        {
            return Problems.Validation("q", $"q must be at most {KbLimits.QueryLength} characters.");
        }

        if (KbText.HasControlCharacters(q))
        {
            return Problems.Validation("q", "q must not contain control characters (tab, line break, NUL …).");
        }

        return TypedResults.Ok(await service.ListAsync(status, lang, q, stale, missingTranslation, ct));
    }

    private static async Task<IResult> GetArticle(string slug, KnowledgeService service, CancellationToken ct) =>
        await service.GetAsync(slug, ct) is { } article ? TypedResults.Ok(article) : Problems.NotFound("The article");

    private static Task<IResult> CreateArticle(CreateArticleRequest request, KnowledgeService service, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        Guard(async () =>
        {
            var article = await service.CreateAsync(request, user.ToActor(http), ct);
            return TypedResults.Created($"/api/kb/articles/{article.Slug}", article);
        });

    private static Task<IResult> UpdateArticle(string slug, UpdateArticleRequest request, KnowledgeService service, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        Guard(async () => await service.UpdateArticleAsync(slug, request, user.ToActor(http), ct) is { } article ? TypedResults.Ok(article) : Problems.NotFound("The article"));

    private static async Task<IResult> DeleteArticle(string slug, KnowledgeService service, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        await service.DeleteAsync(slug, user.ToActor(http), ct) ? TypedResults.NoContent() : Problems.NotFound("The article");

    private static Task<IResult> SaveTranslation(string slug, string lang, SaveTranslationRequest request, KnowledgeService service, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        Guard(async () => await service.SaveTranslationAsync(slug, lang, request, user.ToActor(http), ct) is { } t ? TypedResults.Ok(t) : Problems.NotFound("The article"));

    private static Task<IResult> PublishTranslation(string slug, string lang, KnowledgeService service, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        SetStatus(slug, lang, ArticleStatus.Published, service, user, http, ct);

    private static Task<IResult> ArchiveTranslation(string slug, string lang, KnowledgeService service, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        SetStatus(slug, lang, ArticleStatus.Archived, service, user, http, ct);

    private static Task<IResult> UnpublishTranslation(string slug, string lang, KnowledgeService service, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        SetStatus(slug, lang, ArticleStatus.Draft, service, user, http, ct);

    private static Task<IResult> SetStatus(string slug, string lang, string status, KnowledgeService service, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        Guard(async () => await service.SetStatusAsync(slug, lang, status, user.ToActor(http), ct) is { } t ? TypedResults.Ok(t) : Problems.NotFound("The translation"));

    private static async Task<IResult> MarkTranslationReviewed(string slug, string lang, KnowledgeService service, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        await service.MarkReviewedAsync(slug, lang, user.ToActor(http), ct) is { } t ? TypedResults.Ok(t) : Problems.NotFound("The translation");

    private static async Task<IResult> ListRevisions(string slug, string lang, KnowledgeService service, CancellationToken ct) =>
        await service.RevisionsAsync(slug, lang, ct) is { } revisions ? TypedResults.Ok(revisions) : Problems.NotFound("The translation");

    private static async Task<IResult> GetRevision(string slug, string lang, int number, KnowledgeService service, CancellationToken ct) =>
        await service.RevisionAsync(slug, lang, number, ct) is { } revision ? TypedResults.Ok(revision) : Problems.NotFound("The revision");

    private static async Task<IResult> DiffRevision(string slug, string lang, int number, KnowledgeService service, CancellationToken ct, int? against = null)
    {
        var from = against ?? number - 1;
        return await service.DiffAsync(slug, lang, from, number, ct) is { } diff ? TypedResults.Ok(diff) : Problems.NotFound("The revision");
    }

    private static Task<IResult> RestoreRevision(string slug, string lang, int number, KnowledgeService service, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        Guard(async () => await service.RestoreAsync(slug, lang, number, user.ToActor(http), ct) is { } t ? TypedResults.Ok(t) : Problems.NotFound("The revision"));

    private static IResult PreviewMarkdown(PreviewRequest request, MarkdownRenderer renderer) =>
        request.Markdown is null || request.Markdown.Length > KbLimits.BodyLength
            ? Problems.Validation("markdown", $"markdown is required and at most {KbLimits.BodyLength} characters.")
            : TypedResults.Ok(new PreviewResponse(renderer.ToHtml(request.Markdown)));

    private static async Task<IResult> GetAnalytics(KnowledgeAnalytics analytics, CancellationToken ct, int days = 30) =>
        days is < 1 or > 365
            ? Problems.Validation("days", "days must be between 1 and 365.")
            : TypedResults.Ok(await analytics.ReportAsync(days, ct));

    private static IResult? ValidateSearch(string? q, string? lang, int limit)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(q))
        {
            errors["q"] = ["q is required."];
        }
        else if (q.Length > KbLimits.QueryLength)
        {
            errors["q"] = [$"q must be at most {KbLimits.QueryLength} characters."];
        }
        else if (KbText.HasControlCharacters(q))
        {
            errors["q"] = ["q must not contain control characters (tab, line break, NUL …)."];
        }

        if (lang is not null && !KbLanguages.IsKnown(lang))
        {
            errors["lang"] = ["lang must be 'en' or 'zh'."];
        }

        if (limit is < 1 or > 50)
        {
            errors["limit"] = ["limit must be between 1 and 50."];
        }

        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors, title: "The request has invalid fields.");
    }

    internal static string ArticleUrl(string slug, Guid? searchId) => KnowledgeLinks.Article(slug, searchId);

    private static async Task<IResult> Guard(Func<Task<IResult>> work)
    {
        try
        {
            return await work();
        }
        catch (KnowledgeValidationException ex)
        {
            return TypedResults.ValidationProblem(ex.Errors, title: "The request has invalid fields.");
        }
        catch (KnowledgeConflictException ex)
        {
            return Problems.Conflict(ex.Message);
        }
    }
}

/// <summary>Markdown to preview.</summary>
public sealed record PreviewRequest(string? Markdown);

/// <summary>The sanitized HTML the help center would show.</summary>
public sealed record PreviewResponse(string Html);
