using Microsoft.EntityFrameworkCore;
using WalletDesk.Redaction;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Knowledge.Search;

namespace WalletDesk.Server.Features.Knowledge;

/// <summary>
/// Reader signals: searches (and which result was opened), "was this helpful?" votes and comments, and
/// deflection outcomes from the widget and ticket form; plus the editors' report over them. Everything a
/// reader typed is redacted (card numbers, codes, passwords) before it is stored.
/// </summary>
public sealed class KnowledgeAnalytics(AppDbContext db, TimeProvider time)
{
    public async Task<Guid> LogSearchAsync(string query, string lang, string source, int resultCount, string? correctedQuery, CancellationToken cancellationToken = default)
    {
        var entry = new KbSearchEvent
        {
            Id = Guid.NewGuid(),
            Query = Clean(query, KbLimits.QueryLength),
            Lang = lang,
            Source = source,
            ResultCount = resultCount,
            CorrectedQuery = correctedQuery is null ? null : Clean(correctedQuery, KbLimits.QueryLength),
            CreatedAt = time.GetUtcNow(),
        };
        db.KbSearchEvents.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
        return entry.Id;
    }

    /// <summary>Notes the first result a reader opened from a search (later opens keep the first).</summary>
    public async Task RecordClickAsync(Guid searchId, string slug, CancellationToken cancellationToken = default)
    {
        if (!KbText.IsValidSlug(slug))
        {
            return;
        }

        await db.KbSearchEvents.Where(e => e.Id == searchId && e.ClickedSlug == null)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.ClickedSlug, slug), cancellationToken);
    }

    /// <summary>Records a vote on a published translation; false when there is no such translation for this reader.</summary>
    public async Task<bool> RecordFeedbackAsync(long translationId, bool helpful, string? comment, string source, CancellationToken cancellationToken = default)
    {
        var cleaned = string.IsNullOrWhiteSpace(comment) ? null : Clean(comment, KbLimits.CommentLength, fold: false);
        db.KbFeedback.Add(new KbFeedback { TranslationId = translationId, Helpful = helpful, Comment = cleaned, Source = source, CreatedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
        var counter = db.KbTranslations.Where(t => t.Id == translationId);
        if (helpful)
        {
            await counter.ExecuteUpdateAsync(s => s.SetProperty(t => t.HelpfulCount, t => t.HelpfulCount + 1), cancellationToken);
        }
        else
        {
            await counter.ExecuteUpdateAsync(s => s.SetProperty(t => t.NotHelpfulCount, t => t.NotHelpfulCount + 1), cancellationToken);
        }

        return true;
    }

    public async Task RecordDeflectionAsync(string source, string outcome, string? query, string? articleSlug, CancellationToken cancellationToken = default)
    {
        db.KbDeflectionEvents.Add(new KbDeflectionEvent
        {
            Source = source,
            Outcome = outcome,
            Query = string.IsNullOrWhiteSpace(query) ? null : Clean(query, KbLimits.QueryLength),
            ArticleSlug = KbText.IsValidSlug(articleSlug) ? articleSlug : null,
            CreatedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<AnalyticsResponse> ReportAsync(int days, CancellationToken cancellationToken = default)
    {
        var since = time.GetUtcNow().AddDays(-days);
        var searches = await db.KbSearchEvents.AsNoTracking()
            .Where(e => e.CreatedAt >= since && e.Source != SearchSources.Widget && e.Source != SearchSources.TicketForm)
            .Select(e => new { e.Query, e.Lang, e.ResultCount, e.ClickedSlug })
            .ToListAsync(cancellationToken);

        List<QueryStat> Group(IEnumerable<(string Query, string Lang, int ResultCount, string? ClickedSlug)> rows) => rows
            .GroupBy(r => (r.Query, r.Lang))
            .Select(g => new QueryStat(g.Key.Query, g.Key.Lang, g.Count(), g.Count(r => r.ClickedSlug != null), Math.Round(g.Average(r => r.ResultCount), 1)))
            .OrderByDescending(s => s.Count).ThenBy(s => s.Query, StringComparer.Ordinal)
            .Take(20)
            .ToList();

        var rows = searches.Select(s => (s.Query, s.Lang, s.ResultCount, s.ClickedSlug)).ToList();
        var noResult = rows.Where(r => r.ResultCount == 0).ToList();
        var noClick = rows.Where(r => r.ResultCount > 0 && r.ClickedSlug == null).ToList();

        var votes = await db.KbFeedback.AsNoTracking().Where(f => f.CreatedAt >= since)
            .Join(db.KbTranslations, f => f.TranslationId, t => t.Id, (f, t) => new { f.Helpful, f.Comment, f.CreatedAt, t.Lang, t.Title, t.Article!.Slug })
            .ToListAsync(cancellationToken);
        var notHelpful = votes.GroupBy(v => (v.Slug, v.Lang, v.Title))
            .Select(g => new ArticleFeedbackStat(g.Key.Slug, g.Key.Lang, g.Key.Title, g.Count(v => v.Helpful), g.Count(v => !v.Helpful)))
            .Where(s => s.NotHelpful > 0)
            .OrderByDescending(s => s.NotHelpful).ThenBy(s => s.Helpful).ThenBy(s => s.Slug, StringComparer.Ordinal)
            .Take(20)
            .ToList();
        var comments = votes.Where(v => v.Comment != null).OrderByDescending(v => v.CreatedAt).Take(20)
            .Select(v => new FeedbackComment(v.Slug, v.Lang, v.Helpful, v.Comment!, v.CreatedAt)).ToList();

        var deflections = await db.KbDeflectionEvents.AsNoTracking().Where(e => e.CreatedAt >= since)
            .GroupBy(e => new { e.Source, e.Outcome }).Select(g => new { g.Key.Source, g.Key.Outcome, Count = g.Count() })
            .ToListAsync(cancellationToken);
        int Outcome(string name, string? source = null) => deflections.Where(d => d.Outcome == name && (source == null || d.Source == source)).Sum(d => d.Count);
        var bySource = SearchSources.Suggestion
            .Select(s => new DeflectionSourceStats(s, Outcome(DeflectionOutcomes.ArticleOpened, s), Outcome(DeflectionOutcomes.LeftWithoutFiling, s), Outcome(DeflectionOutcomes.Filed, s)))
            .ToList();

        return new AnalyticsResponse(
            days, rows.Count, noResult.Count, noClick.Count, Group(rows), Group(noResult), Group(noClick), notHelpful, comments,
            new DeflectionStats(Outcome(DeflectionOutcomes.ArticleOpened), Outcome(DeflectionOutcomes.LeftWithoutFiling), Outcome(DeflectionOutcomes.Filed), bySource));
    }

    /// <summary>Redacts, optionally folds whitespace and case (so "Refund " and "refund" count together) and caps the length.</summary>
    internal static string Clean(string text, int max, bool fold = true)
    {
        var redacted = Redactor.Redact(text).Text;
        var folded = fold ? TextAnalyzer.Normalize(string.Join(' ', redacted.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))) : redacted.Trim();
        return folded.Length <= max ? folded : folded[..max];
    }
}
