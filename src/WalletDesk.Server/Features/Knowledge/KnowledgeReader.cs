using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Knowledge.Rendering;

namespace WalletDesk.Server.Features.Knowledge;

/// <summary>A category of the help center with its sections.</summary>
public sealed record HelpCategory(string Key, string Name, IReadOnlyList<HelpSection> Sections)
{
    public int ArticleCount => Sections.Sum(s => s.Articles.Count);
}

/// <summary>A section with its articles.</summary>
public sealed record HelpSection(string Key, string Name, IReadOnlyList<HelpArticleLink> Articles);

/// <summary>A link to an article, titled in the reader's language when that translation exists.</summary>
public sealed record HelpArticleLink(string Slug, string Title, string Lang, bool IsOtherLanguage, bool IsInternal);

/// <summary>An article as a reader sees it. <see cref="Html"/> is sanitized.</summary>
public sealed record HelpArticle(
    long TranslationId, string Slug, string Lang, string Title, string Html, string Category, string Section, string Visibility,
    DateTimeOffset? ReviewedAt, DateTimeOffset UpdatedAt, IReadOnlyList<string> Tags, IReadOnlyList<HelpArticleLink> Related, bool IsOtherLanguage);

/// <summary>
/// The help center's read side: only published translations; internal articles only when the caller may see
/// them; the reader's language when that translation is published, else the other one (flagged, the page says so).
/// </summary>
public sealed class KnowledgeReader(AppDbContext db, MarkdownRenderer renderer)
{
    public async Task<List<HelpCategory>> CategoriesAsync(string lang, bool includeInternal, CancellationToken cancellationToken = default)
    {
        var rows = await Published(includeInternal)
            .Select(t => new { t.ArticleId, t.Lang, t.Title, t.Article!.Slug, t.Article.Category, t.Article.Section, t.Article.Visibility })
            .ToListAsync(cancellationToken);
        return rows
            .GroupBy(r => r.ArticleId)
            .Select(g => g.FirstOrDefault(r => r.Lang == lang) ?? g.First())
            .GroupBy(r => r.Category)
            .OrderBy(g => KbCategories.Rank(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(c => new HelpCategory(c.Key, KbCategories.Name(c.Key, lang), c
                .GroupBy(r => r.Section)
                .OrderBy(s => s.Key, StringComparer.Ordinal)
                .Select(s => new HelpSection(s.Key, KbCategories.SectionName(s.Key, lang), s
                    .OrderBy(r => r.Title, StringComparer.Ordinal)
                    .Select(r => new HelpArticleLink(r.Slug, r.Title, r.Lang, r.Lang != lang, r.Visibility == ArticleVisibility.Internal))
                    .ToList()))
                .ToList()))
            .ToList();
    }

    public async Task<HelpArticle?> ArticleAsync(string slug, string lang, bool includeInternal, CancellationToken cancellationToken = default)
    {
        var translations = await Published(includeInternal).Include(t => t.Article)
            .Where(t => t.Article!.Slug == slug)
            .ToListAsync(cancellationToken);
        var shown = translations.FirstOrDefault(t => t.Lang == lang) ?? translations.FirstOrDefault();
        if (shown is null)
        {
            return null;
        }

        var article = shown.Article!;
        var relatedSlugs = article.RelatedSlugs;
        var related = await Published(includeInternal)
            .Where(t => relatedSlugs.Contains(t.Article!.Slug))
            .Select(t => new { t.Lang, t.Title, t.Article!.Slug, t.Article.Visibility })
            .ToListAsync(cancellationToken);
        var relatedLinks = relatedSlugs
            .Select(s => related.FirstOrDefault(r => r.Slug == s && r.Lang == lang) ?? related.FirstOrDefault(r => r.Slug == s))
            .Where(r => r is not null)
            .Select(r => new HelpArticleLink(r!.Slug, r.Title, r.Lang, r.Lang != lang, r.Visibility == ArticleVisibility.Internal))
            .ToList();

        return new HelpArticle(
            shown.Id, article.Slug, shown.Lang, shown.Title, renderer.ToHtml(shown.Body), article.Category, article.Section, article.Visibility,
            shown.ReviewedAt, shown.UpdatedAt, shown.TagList, relatedLinks, shown.Lang != lang);
    }

    /// <summary>The published translation a reader may vote on, if there is one.</summary>
    public Task<long?> VisibleTranslationIdAsync(string slug, string lang, bool includeInternal, CancellationToken cancellationToken = default) =>
        Published(includeInternal).Where(t => t.Article!.Slug == slug && t.Lang == lang).Select(t => (long?)t.Id).FirstOrDefaultAsync(cancellationToken);

    private IQueryable<KbTranslation> Published(bool includeInternal) =>
        db.KbTranslations.AsNoTracking()
            .Where(t => t.Status == ArticleStatus.Published && (includeInternal || t.Article!.Visibility == ArticleVisibility.Public));
}
