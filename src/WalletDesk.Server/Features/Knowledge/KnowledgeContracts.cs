namespace WalletDesk.Server.Features.Knowledge;

/// <summary>One language version of a new article.</summary>
/// <param name="Lang"><c>en</c> or <c>zh</c>.</param>
/// <param name="Title">Page title, up to 200 characters.</param>
/// <param name="Body">Markdown body (raw HTML is shown as text, never rendered).</param>
/// <param name="Tags">Search keywords in that language.</param>
public sealed record TranslationInput(string? Lang, string? Title, string? Body, IReadOnlyList<string>? Tags);

/// <summary>Creates an article with one or both translations; they start as drafts.</summary>
/// <param name="Slug">Stable id and URL part: lowercase words joined by hyphens.</param>
/// <param name="Category">Category key, e.g. <c>refunds</c>.</param>
/// <param name="Section">Section key inside the category, e.g. <c>refund-status</c>.</param>
/// <param name="Visibility"><c>public</c> (help center) or <c>internal</c> (staff only). Default public.</param>
/// <param name="Related">Slugs of related articles.</param>
/// <param name="Translations">At least one translation.</param>
public sealed record CreateArticleRequest(string? Slug, string? Category, string? Section, string? Visibility, IReadOnlyList<string>? Related, IReadOnlyList<TranslationInput>? Translations);

/// <summary>Changes the language-independent part of an article. Omitted fields stay as they are.</summary>
public sealed record UpdateArticleRequest(string? Category, string? Section, string? Visibility, IReadOnlyList<string>? Related);

/// <summary>Saves new content for one language (a new revision); creates the translation as a draft when it does not exist.</summary>
/// <param name="Title">Page title.</param>
/// <param name="Body">Markdown body.</param>
/// <param name="Tags">Search keywords.</param>
/// <param name="ExpectedRevision">The revision the edit started from; a newer one on the server answers 409.</param>
/// <param name="Note">What changed, shown in the history.</param>
public sealed record SaveTranslationRequest(string? Title, string? Body, IReadOnlyList<string>? Tags, int? ExpectedRevision, string? Note);

/// <summary>An article for staff, with every translation.</summary>
public sealed record ArticleResponse(
    string Slug, string Category, string Section, string Visibility, IReadOnlyList<string> Related,
    IReadOnlyList<TranslationResponse> Translations, IReadOnlyList<string> MissingTranslations, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>One translation for staff. <see cref="Html"/> is the sanitized rendering.</summary>
public sealed record TranslationResponse(
    string Lang, string Title, string Body, string Html, IReadOnlyList<string> Tags, string Status, int Revision,
    DateTimeOffset? ReviewedAt, bool IsStale, DateTimeOffset UpdatedAt, DateTimeOffset? PublishedAt, string? UpdatedBy, int Helpful, int NotHelpful);

/// <summary>A row of the article list.</summary>
public sealed record ArticleSummary(
    string Slug, string Category, string Section, string Visibility,
    IReadOnlyList<TranslationSummary> Translations, IReadOnlyList<string> MissingTranslations, bool IsStale);

/// <summary>One language of an article in the list.</summary>
public sealed record TranslationSummary(string Lang, string Title, string Status, int Revision, DateTimeOffset? ReviewedAt, bool IsStale, DateTimeOffset UpdatedAt);

/// <summary>A saved revision.</summary>
public sealed record RevisionResponse(int Number, string Title, string Body, IReadOnlyList<string> Tags, DateTimeOffset CreatedAt, string? Author, string? Note);

/// <summary>A revision in the history list (no body).</summary>
public sealed record RevisionSummary(int Number, string Title, DateTimeOffset CreatedAt, string? Author, string? Note);

/// <summary>A line diff between two revisions; each line starts with "+ ", "- " or "  ".</summary>
public sealed record RevisionDiffResponse(int From, int To, bool TitleChanged, string FromTitle, string ToTitle, IReadOnlyList<DiffLine> Lines, int Added, int Removed);

/// <summary>One line of a diff. <see cref="Kind"/> is <c>added</c>, <c>removed</c> or <c>same</c>.</summary>
public sealed record DiffLine(string Kind, string Text);

/// <summary>Search results for the API. Snippets and titles are safe HTML (encoded text with &lt;mark&gt; around matches).</summary>
public sealed record SearchResponse(string Query, string? CorrectedQuery, string Lang, Guid? SearchId, IReadOnlyList<SearchResultItem> Results);

/// <summary>One article found.</summary>
public sealed record SearchResultItem(string Slug, string Lang, string Title, string TitleHtml, string SnippetHtml, string Url, double Score, string Category, bool IsOtherLanguage, string? Visibility);

/// <summary>Articles suggested to a customer typing in the chat widget or the ticket form.</summary>
public sealed record SuggestionsResponse(IReadOnlyList<SuggestionItem> Articles);

/// <summary>A suggested article.</summary>
public sealed record SuggestionItem(string Slug, string Title, string SnippetHtml, string Url);

/// <summary>What the customer did after seeing suggestions.</summary>
/// <param name="Source"><c>widget</c> or <c>ticket-form</c>.</param>
/// <param name="Outcome"><c>article-opened</c>, <c>left-without-filing</c> or <c>filed</c>.</param>
/// <param name="Query">The subject or message they typed (redacted before storage).</param>
/// <param name="ArticleSlug">The article they opened, for <c>article-opened</c>.</param>
public sealed record DeflectionRequest(string? Source, string? Outcome, string? Query, string? ArticleSlug);

/// <summary>A "was this helpful?" answer.</summary>
public sealed record FeedbackRequest(string? Slug, string? Lang, bool? Helpful, string? Comment);

/// <summary>Search and content analytics for editors over a period.</summary>
public sealed record AnalyticsResponse(
    int Days, int Searches, int SearchesWithoutResults, int SearchesWithoutClicks,
    IReadOnlyList<QueryStat> TopQueries, IReadOnlyList<QueryStat> NoResultQueries, IReadOnlyList<QueryStat> NoClickQueries,
    IReadOnlyList<ArticleFeedbackStat> NotHelpfulArticles, IReadOnlyList<FeedbackComment> RecentComments, DeflectionStats Deflection);

/// <summary>A query and how often it was searched.</summary>
public sealed record QueryStat(string Query, string Lang, int Count, int Clicks, double AverageResults);

/// <summary>Votes for one article translation.</summary>
public sealed record ArticleFeedbackStat(string Slug, string Lang, string Title, int Helpful, int NotHelpful);

/// <summary>A reader's comment with their vote.</summary>
public sealed record FeedbackComment(string Slug, string Lang, bool Helpful, string Comment, DateTimeOffset At);

/// <summary>Deflection outcomes from the widget and the ticket form.</summary>
public sealed record DeflectionStats(int ArticleOpened, int LeftWithoutFiling, int Filed, IReadOnlyList<DeflectionSourceStats>? BySource = null)
{
    /// <summary>Share of suggestion sessions that ended without a ticket.</summary>
    public double Rate => LeftWithoutFiling + Filed == 0 ? 0 : (double)LeftWithoutFiling / (LeftWithoutFiling + Filed);
}

/// <summary>Outcome names for deflection events.</summary>
/// <summary>Deflection outcomes from one place suggestions are shown (<c>ticket-form</c> or <c>widget</c>).</summary>
public sealed record DeflectionSourceStats(string Source, int ArticleOpened, int LeftWithoutFiling, int Filed)
{
    /// <summary>Share of this source's suggestion sessions that ended without a ticket.</summary>
    public double Rate => LeftWithoutFiling + Filed == 0 ? 0 : (double)LeftWithoutFiling / (LeftWithoutFiling + Filed);
}

public static class DeflectionOutcomes
{
    public const string ArticleOpened = "article-opened";
    public const string LeftWithoutFiling = "left-without-filing";
    public const string Filed = "filed";

    public static readonly IReadOnlyList<string> Reported = [ArticleOpened, LeftWithoutFiling, Filed];
}

/// <summary>Where a search or suggestion came from.</summary>
public static class SearchSources
{
    public const string HelpCenter = "help";
    public const string Api = "api";
    public const string Widget = "widget";
    public const string TicketForm = "ticket-form";

    public static readonly IReadOnlyList<string> Suggestion = [Widget, TicketForm];
}
