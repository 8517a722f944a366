using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Knowledge.Rendering;
using WalletDesk.Server.Features.Knowledge.Search;

namespace WalletDesk.Server.Features.Knowledge;

/// <summary>Invalid input, by field (becomes a 400 validation problem).</summary>
public sealed class KnowledgeValidationException(IDictionary<string, string[]> errors)
    : Exception("The request has invalid fields: " + string.Join(", ", errors.Keys))
{
    public IDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>The article changed since the editor loaded it, or the slug is taken (becomes a 409).</summary>
public sealed class KnowledgeConflictException(string message) : Exception(message);

/// <summary>
/// Editing rules for articles: validation, revisions on every content change, status changes (audited when
/// publishing, archiving or deleting), and keeping the search index in the same transaction.
/// </summary>
public sealed class KnowledgeService(
    AppDbContext db, KnowledgeIndex index, AuditService audit, MarkdownRenderer renderer, IOptions<KnowledgeOptions> options, TimeProvider time)
{
    public async Task<List<ArticleSummary>> ListAsync(string? status = null, string? lang = null, string? text = null, bool? staleOnly = null, bool? missingTranslation = null, CancellationToken cancellationToken = default)
    {
        var query = db.KbArticles.AsNoTracking().Include(a => a.Translations).AsQueryable();
        if (!string.IsNullOrWhiteSpace(status))
        {
            query = query.Where(a => a.Translations.Any(t => t.Status == status && (lang == null || t.Lang == lang)));
        }
        else if (!string.IsNullOrWhiteSpace(lang))
        {
            query = query.Where(a => a.Translations.Any(t => t.Lang == lang));
        }

        if (!string.IsNullOrWhiteSpace(text))
        {
            var pattern = "%" + text.Trim().Replace("%", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal) + "%";
            query = query.Where(a => EF.Functions.Like(a.Slug, pattern) || a.Translations.Any(t => EF.Functions.Like(t.Title, pattern)));
        }

        var articles = await query.OrderBy(a => a.Category).ThenBy(a => a.Section).ThenBy(a => a.Slug).ToListAsync(cancellationToken);
        var summaries = articles.Select(Summarize).ToList();
        if (staleOnly == true)
        {
            summaries = summaries.Where(s => s.IsStale).ToList();
        }

        if (missingTranslation == true)
        {
            summaries = summaries.Where(s => s.MissingTranslations.Count > 0).ToList();
        }

        return summaries;
    }

    public async Task<ArticleResponse?> GetAsync(string slug, CancellationToken cancellationToken = default)
    {
        var article = await db.KbArticles.AsNoTracking().Include(a => a.Translations).SingleOrDefaultAsync(a => a.Slug == slug, cancellationToken);
        return article is null ? null : ToResponse(article);
    }

    public async Task<ArticleResponse> CreateAsync(CreateArticleRequest request, StaffActor? actor, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (!KbText.IsValidSlug(request.Slug))
        {
            errors["slug"] = ["slug must be 2–96 lowercase letters or digits in words joined by hyphens."];
        }

        ValidateArticleFields(request.Category, request.Section, request.Visibility ?? ArticleVisibility.Public, request.Related, errors, required: true);
        var translations = request.Translations ?? [];
        if (translations.Count == 0)
        {
            errors["translations"] = ["Give at least one translation."];
        }

        for (var i = 0; i < translations.Count; i++)
        {
            if (!KbLanguages.IsKnown(translations[i].Lang))
            {
                errors[$"translations[{i}].lang"] = ["lang must be 'en' or 'zh'."];
            }

            ValidateContent(translations[i].Title, translations[i].Body, translations[i].Tags, errors, $"translations[{i}].");
        }

        if (translations.Select(t => t.Lang).Distinct().Count() != translations.Count)
        {
            errors["translations"] = ["Each language at most once."];
        }

        ThrowIfAny(errors);
        if (await db.KbArticles.AnyAsync(a => a.Slug == request.Slug, cancellationToken))
        {
            throw new KnowledgeConflictException($"An article with the slug '{request.Slug}' already exists.");
        }

        var now = time.GetUtcNow();
        var article = new KbArticle
        {
            Slug = request.Slug!,
            Category = request.Category!,
            Section = request.Section!,
            Visibility = request.Visibility ?? ArticleVisibility.Public,
            Related = KbText.JoinList(request.Related),
            CreatedAt = now,
            UpdatedAt = now,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.KbArticles.Add(article);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var input in translations)
        {
            var translation = new KbTranslation
            {
                ArticleId = article.Id,
                Lang = input.Lang!,
                Title = input.Title!.Trim(),
                Body = input.Body!,
                Tags = KbText.JoinList(input.Tags),
                Status = ArticleStatus.Draft,
                CreatedAt = now,
                UpdatedAt = now,
                UpdatedBy = actor?.Name,
            };
            db.KbTranslations.Add(translation);
            await db.SaveChangesAsync(cancellationToken);
            AddRevision(translation, actor?.Name, "created", now);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await AuditAsync("kb.article.created", actor, article.Slug, null, cancellationToken);
        return (await GetAsync(article.Slug, cancellationToken))!;
    }

    public async Task<ArticleResponse?> UpdateArticleAsync(string slug, UpdateArticleRequest request, StaffActor? actor, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        ValidateArticleFields(request.Category, request.Section, request.Visibility, request.Related, errors, required: false);
        ThrowIfAny(errors);
        var article = await db.KbArticles.Include(a => a.Translations).SingleOrDefaultAsync(a => a.Slug == slug, cancellationToken);
        if (article is null)
        {
            return null;
        }

        var visibilityChanged = request.Visibility is not null && request.Visibility != article.Visibility;
        article.Category = request.Category ?? article.Category;
        article.Section = request.Section ?? article.Section;
        article.Visibility = request.Visibility ?? article.Visibility;
        article.Related = request.Related is null ? article.Related : KbText.JoinList(request.Related.Where(r => r != slug));
        article.UpdatedAt = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var translation in article.Translations)
        {
            await index.SyncAsync(db, translation, article, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (visibilityChanged)
        {
            await AuditAsync("kb.article.visibility", actor, slug, "visibility=" + article.Visibility, cancellationToken);
        }

        return ToResponse(article);
    }

    /// <summary>Saves content as a new revision (no revision when nothing changed); creates a missing translation as a draft.</summary>
    public async Task<TranslationResponse?> SaveTranslationAsync(string slug, string lang, SaveTranslationRequest request, StaffActor? actor, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (!KbLanguages.IsKnown(lang))
        {
            errors["lang"] = ["lang must be 'en' or 'zh'."];
        }

        ValidateContent(request.Title, request.Body, request.Tags, errors, "");
        if (request.Note is { Length: > 200 })
        {
            errors["note"] = ["note must be at most 200 characters."];
        }

        ThrowIfAny(errors);
        var article = await db.KbArticles.Include(a => a.Translations).SingleOrDefaultAsync(a => a.Slug == slug, cancellationToken);
        if (article is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var translation = article.Translations.SingleOrDefault(t => t.Lang == lang);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (translation is null)
        {
            translation = new KbTranslation
            {
                ArticleId = article.Id,
                Lang = lang,
                Title = request.Title!.Trim(),
                Body = request.Body!,
                Tags = KbText.JoinList(request.Tags),
                Status = ArticleStatus.Draft,
                CreatedAt = now,
                UpdatedAt = now,
                UpdatedBy = actor?.Name,
            };
            article.Translations.Add(translation);
            await db.SaveChangesAsync(cancellationToken);
            AddRevision(translation, actor?.Name, request.Note ?? "created", now);
        }
        else
        {
            if (request.ExpectedRevision is { } expected && expected != translation.Revision)
            {
                throw new KnowledgeConflictException($"The article was changed by someone else (revision {translation.Revision}, you edited revision {expected}). Reload and apply your change again.");
            }

            var tags = KbText.JoinList(request.Tags);
            var title = request.Title!.Trim();
            if (title == translation.Title && request.Body == translation.Body && tags == translation.Tags)
            {
                return ToResponse(translation);
            }

            translation.Title = title;
            translation.Body = request.Body!;
            translation.Tags = tags;
            translation.UpdatedAt = now;
            translation.UpdatedBy = actor?.Name;
            AddRevision(translation, actor?.Name, request.Note, now);
        }

        article.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        await index.SyncAsync(db, translation, article, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ToResponse(translation);
    }

    /// <summary>Publishes, archives or returns a translation to draft. Publishing and archiving are audited.</summary>
    public async Task<TranslationResponse?> SetStatusAsync(string slug, string lang, string status, StaffActor? actor, CancellationToken cancellationToken = default)
    {
        if (!ArticleStatus.All.Contains(status))
        {
            ThrowIfAny(new Dictionary<string, string[]> { ["status"] = ["status must be draft, published or archived."] });
        }

        var (article, translation) = await FindAsync(slug, lang, cancellationToken);
        if (translation is null)
        {
            return null;
        }

        if (translation.Status != status)
        {
            var now = time.GetUtcNow();
            translation.Status = status;
            translation.UpdatedAt = now;
            translation.UpdatedBy = actor?.Name;
            if (status == ArticleStatus.Published)
            {
                translation.PublishedAt = now;
                translation.ReviewedAt ??= Day(now);
            }

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await index.SyncAsync(db, translation, article!, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            var action = status switch
            {
                ArticleStatus.Published => "kb.article.published",
                ArticleStatus.Archived => "kb.article.archived",
                _ => "kb.article.unpublished",
            };
            await AuditAsync(action, actor, $"{slug}/{lang}", $"revision={translation.Revision}", cancellationToken);
        }

        return ToResponse(translation);
    }

    /// <summary>Records that an editor checked the content today.</summary>
    public async Task<TranslationResponse?> MarkReviewedAsync(string slug, string lang, StaffActor? actor, CancellationToken cancellationToken = default)
    {
        var (article, translation) = await FindAsync(slug, lang, cancellationToken);
        if (translation is null)
        {
            return null;
        }

        translation.ReviewedAt = Day(time.GetUtcNow());
        translation.UpdatedBy = actor?.Name;
        await db.SaveChangesAsync(cancellationToken);
        return ToResponse(translation);
    }

    public async Task<bool> DeleteAsync(string slug, StaffActor? actor, CancellationToken cancellationToken = default)
    {
        var article = await db.KbArticles.Include(a => a.Translations).SingleOrDefaultAsync(a => a.Slug == slug, cancellationToken);
        if (article is null)
        {
            return false;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var translation in article.Translations)
        {
            await index.RemoveAsync(db, translation.Id, cancellationToken);
        }

        db.KbArticles.Remove(article);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await AuditAsync("kb.article.deleted", actor, slug, string.Join(",", article.Translations.Select(t => $"{t.Lang}:{t.Title}")), cancellationToken);
        return true;
    }

    public async Task<List<RevisionSummary>?> RevisionsAsync(string slug, string lang, CancellationToken cancellationToken = default)
    {
        var translationId = await TranslationIdAsync(slug, lang, cancellationToken);
        if (translationId is null)
        {
            return null;
        }

        return await db.KbRevisions.AsNoTracking().Where(r => r.TranslationId == translationId)
            .OrderByDescending(r => r.Number)
            .Select(r => new RevisionSummary(r.Number, r.Title, r.CreatedAt, r.Author, r.Note))
            .ToListAsync(cancellationToken);
    }

    public async Task<RevisionResponse?> RevisionAsync(string slug, string lang, int number, CancellationToken cancellationToken = default)
    {
        var translationId = await TranslationIdAsync(slug, lang, cancellationToken);
        var revision = translationId is null ? null : await db.KbRevisions.AsNoTracking().SingleOrDefaultAsync(r => r.TranslationId == translationId && r.Number == number, cancellationToken);
        return revision is null ? null : new RevisionResponse(revision.Number, revision.Title, revision.Body, KbText.SplitList(revision.Tags), revision.CreatedAt, revision.Author, revision.Note);
    }

    /// <summary>The diff from revision <paramref name="from"/> to <paramref name="to"/> (title as a first line, then the body).</summary>
    public async Task<RevisionDiffResponse?> DiffAsync(string slug, string lang, int from, int to, CancellationToken cancellationToken = default)
    {
        var a = await RevisionAsync(slug, lang, from, cancellationToken);
        var b = await RevisionAsync(slug, lang, to, cancellationToken);
        if (a is null || b is null)
        {
            return null;
        }

        var lines = LineDiff.Compute(a.Body, b.Body);
        return new RevisionDiffResponse(from, to, a.Title != b.Title, a.Title, b.Title, lines, lines.Count(l => l.Kind == "added"), lines.Count(l => l.Kind == "removed"));
    }

    /// <summary>Writes a new revision with the content of an old one; the status does not change.</summary>
    public async Task<TranslationResponse?> RestoreAsync(string slug, string lang, int number, StaffActor? actor, CancellationToken cancellationToken = default)
    {
        var old = await RevisionAsync(slug, lang, number, cancellationToken);
        if (old is null)
        {
            return null;
        }

        var result = await SaveTranslationAsync(slug, lang, new SaveTranslationRequest(old.Title, old.Body, old.Tags, null, $"restored revision {number}"), actor, cancellationToken);
        await AuditAsync("kb.article.restored", actor, $"{slug}/{lang}", $"from revision {number}", cancellationToken);
        return result;
    }

    internal static DateTimeOffset Day(DateTimeOffset at) => new(at.UtcDateTime.Date, TimeSpan.Zero);

    public bool IsStale(DateTimeOffset? reviewedAt) =>
        reviewedAt is null || reviewedAt.Value < time.GetUtcNow().AddDays(-options.Value.StaleAfterDays);

    private void AddRevision(KbTranslation translation, string? author, string? note, DateTimeOffset now)
    {
        translation.Revision++;
        db.KbRevisions.Add(new KbRevision
        {
            TranslationId = translation.Id,
            Number = translation.Revision,
            Title = translation.Title,
            Body = translation.Body,
            Tags = translation.Tags,
            CreatedAt = now,
            Author = author,
            Note = note is { Length: > 200 } ? note[..200] : note,
        });
    }

    private async Task<(KbArticle? Article, KbTranslation? Translation)> FindAsync(string slug, string lang, CancellationToken cancellationToken)
    {
        var article = await db.KbArticles.Include(a => a.Translations).SingleOrDefaultAsync(a => a.Slug == slug, cancellationToken);
        return (article, article?.Translations.SingleOrDefault(t => t.Lang == lang));
    }

    private Task<long?> TranslationIdAsync(string slug, string lang, CancellationToken cancellationToken) =>
        db.KbTranslations.Where(t => t.Article!.Slug == slug && t.Lang == lang).Select(t => (long?)t.Id).SingleOrDefaultAsync(cancellationToken);

    private static void ValidateArticleFields(string? category, string? section, string? visibility, IReadOnlyList<string>? related, Dictionary<string, string[]> errors, bool required)
    {
        if ((required || category is not null) && !KbText.IsValidKey(category))
        {
            errors["category"] = ["category must be a key like 'refunds' (2–48 lowercase letters, digits, hyphens)."];
        }

        if ((required || section is not null) && !KbText.IsValidKey(section))
        {
            errors["section"] = ["section must be a key like 'refund-status' (2–48 lowercase letters, digits, hyphens)."];
        }

        if (visibility is not null && !ArticleVisibility.All.Contains(visibility))
        {
            errors["visibility"] = ["visibility must be 'public' or 'internal'."];
        }

        if (related is not null && (related.Count > 20 || related.Any(r => !KbText.IsValidSlug(r))))
        {
            errors["related"] = ["related must be at most 20 article slugs."];
        }
    }

    private static void ValidateContent(string? title, string? body, IReadOnlyList<string>? tags, Dictionary<string, string[]> errors, string prefix)
    {
        if (string.IsNullOrWhiteSpace(title) || title.Trim().Length > KbLimits.TitleLength)
        {
            errors[prefix + "title"] = [$"title is required and at most {KbLimits.TitleLength} characters."];
        }

        if (body is null || body.Length > KbLimits.BodyLength)
        {
            errors[prefix + "body"] = [$"body is required and at most {KbLimits.BodyLength} characters."];
        }

        if (tags is not null && (tags.Any(t => t is null || t.Length > 64) || KbText.JoinList(tags).Length > KbLimits.TagsLength))
        {
            errors[prefix + "tags"] = [$"tags must be at most 64 characters each and {KbLimits.TagsLength} in total."];
        }
    }

    private static void ThrowIfAny(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw new KnowledgeValidationException(errors);
        }
    }

    private Task AuditAsync(string action, StaffActor? actor, string objectId, string? details, CancellationToken cancellationToken) =>
        audit.AppendAsync(new AuditEvent(
            action, AuditOutcomes.Success, actor is null ? "system" : "staff", actor?.Id.ToString(), actor?.Name ?? "walletdesk",
            "kb_article", objectId, actor?.SourceIp, details), cancellationToken);

    private ArticleSummary Summarize(KbArticle article)
    {
        var translations = article.Translations.OrderBy(t => t.Lang, StringComparer.Ordinal)
            .Select(t => new TranslationSummary(t.Lang, t.Title, t.Status, t.Revision, t.ReviewedAt, t.Status == ArticleStatus.Published && IsStale(t.ReviewedAt), t.UpdatedAt))
            .ToList();
        return new ArticleSummary(article.Slug, article.Category, article.Section, article.Visibility, translations, Missing(article), translations.Any(t => t.IsStale));
    }

    /// <summary>Languages without a published translation while another language is published (flagged to editors).</summary>
    internal static IReadOnlyList<string> Missing(KbArticle article) =>
        KbLanguages.All.Where(l => !article.Translations.Any(t => t.Lang == l && t.Status == ArticleStatus.Published)).ToList() is { Count: 1 } missing
            ? missing
            : [];

    private ArticleResponse ToResponse(KbArticle article) => new(
        article.Slug, article.Category, article.Section, article.Visibility, article.RelatedSlugs,
        article.Translations.OrderBy(t => t.Lang, StringComparer.Ordinal).Select(t => ToResponse(t)).ToList(),
        Missing(article), article.CreatedAt, article.UpdatedAt);

    private TranslationResponse ToResponse(KbTranslation t) => new(
        t.Lang, t.Title, t.Body, renderer.ToHtml(t.Body), t.TagList, t.Status, t.Revision, t.ReviewedAt,
        t.Status == ArticleStatus.Published && IsStale(t.ReviewedAt), t.UpdatedAt, t.PublishedAt, t.UpdatedBy, t.HelpfulCount, t.NotHelpfulCount);
}
