using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Knowledge.Rendering;

namespace WalletDesk.Server.Features.Knowledge.Search;

/// <summary>A search as a reader asks it.</summary>
/// <param name="Query">What they typed.</param>
/// <param name="Lang">The help-center language: results are shown in it when a translation exists.</param>
/// <param name="IncludeInternal">Staff only: internal articles too.</param>
/// <param name="Limit">At most this many articles.</param>
public sealed record SearchRequest(string Query, string Lang, bool IncludeInternal, int Limit = 10);

/// <summary>One article found. <see cref="TitleHtml"/> and <see cref="SnippetHtml"/> are safe HTML (encoded text plus &lt;mark&gt;).</summary>
public sealed record SearchHit(
    long ArticleId, long TranslationId, string Slug, string Lang, string Title, string TitleHtml, string SnippetHtml,
    double Score, string Category, string Section, string Visibility, bool IsOtherLanguage);

/// <summary>What a search found; <see cref="CorrectedQuery"/> is set when misspelt words were corrected.</summary>
public sealed record SearchResults(string Query, string? CorrectedQuery, string Lang, IReadOnlyList<string> Terms, IReadOnlyList<SearchHit> Hits);

/// <summary>
/// Full-text search over published translations. Both providers run the same analysed terms (see
/// <see cref="TextAnalyzer"/>) as an OR query: SQLite ranks with FTS5's BM25 (title ×10, tags ×4, body ×1,
/// unigrams ×0.3); PostgreSQL with <c>ts_rank</c> per term (title A … unigrams D) weighted by each term's IDF.
/// Then: title coverage boost (titles first), the reader's language preferred, one hit per article, snippets.
/// Unknown English words are first corrected against the index vocabulary by edit distance.
/// </summary>
public sealed class KnowledgeSearch(AppDbContext db, KnowledgeVocabulary vocabulary)
{
    private const int Candidates = 60;
    private const double TitleBoost = 1.5;
    private const double OtherLanguageFactor = 0.75;

    public async Task<SearchResults> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        var normalizedQuery = TextAnalyzer.Normalize(request.Query.Trim());
        var terms = TextAnalyzer.QueryTerms(normalizedQuery);
        if (terms.Count == 0)
        {
            return new SearchResults(request.Query, null, request.Lang, [], []);
        }

        var snapshot = await vocabulary.GetAsync(db, cancellationToken);
        var vocab = request.IncludeInternal ? snapshot.All : snapshot.Public;
        var corrections = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < terms.Count; i++)
        {
            if (TextAnalyzer.IsLatinWord(terms[i]) && vocab.Correct(terms[i]) is { } corrected)
            {
                corrections[terms[i]] = corrected;
                terms[i] = corrected;
            }
        }

        terms = terms.Distinct(StringComparer.Ordinal).ToList();
        var candidates = db.IsSqlite
            ? await SqliteCandidatesAsync(terms, request.IncludeInternal, cancellationToken)
            : await PostgresCandidatesAsync(terms, snapshot.All, request.IncludeInternal, cancellationToken);
        if (candidates.Count == 0)
        {
            return new SearchResults(request.Query, CorrectedQuery(normalizedQuery, corrections, null), request.Lang, terms, []);
        }

        var ids = candidates.Select(c => c.Id).ToList();
        var info = await db.KbTranslations.AsNoTracking()
            .Where(t => ids.Contains(t.Id))
            .Select(t => new { t.Id, t.ArticleId, t.Article!.Slug, t.Article.Category, t.Article.Section, t.Article.Visibility })
            .ToDictionaryAsync(t => t.Id, cancellationToken);

        var max = candidates.Max(c => c.Rank);
        var termSet = new HashSet<string>(terms, StringComparer.Ordinal);
        var ranked = candidates
            .Where(c => info.ContainsKey(c.Id))
            .Select(c =>
            {
                var titleTerms = c.Title.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
                var coverage = (double)terms.Count(titleTerms.Contains) / terms.Count;
                var score = (max > 0 ? c.Rank / max : 0) * (1 + (TitleBoost * coverage)) * (c.Lang == request.Lang ? 1 : OtherLanguageFactor);
                return (Candidate: c, Info: info[c.Id], Score: score);
            })
            .GroupBy(x => x.Info.ArticleId)
            .Select(g => g.OrderByDescending(x => x.Score).First())
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Info.Slug, StringComparer.Ordinal)
            .Take(Math.Clamp(request.Limit, 1, 50))
            .ToList();

        var articleIds = ranked.Select(r => r.Info.ArticleId).ToList();
        var hitIds = ranked.Select(r => r.Candidate.Id).ToList();
        var texts = await db.KbTranslations.AsNoTracking()
            .Where(t => articleIds.Contains(t.ArticleId) && t.Status == ArticleStatus.Published && (t.Lang == request.Lang || hitIds.Contains(t.Id)))
            .Select(t => new { t.Id, t.ArticleId, t.Lang, t.Title, t.Body })
            .ToListAsync(cancellationToken);

        var hits = new List<SearchHit>(ranked.Count);
        string? firstPlain = null;
        foreach (var (candidate, article, score) in ranked)
        {
            var shown = texts.FirstOrDefault(t => t.ArticleId == article.ArticleId && t.Lang == request.Lang)
                ?? texts.First(t => t.Id == candidate.Id);
            var plain = MarkdownRenderer.ToPlainText(shown.Body);
            firstPlain ??= shown.Title + " " + plain;
            hits.Add(new SearchHit(
                article.ArticleId, shown.Id, article.Slug, shown.Lang, shown.Title,
                Highlighter.Highlight(shown.Title, termSet), Highlighter.Snippet(plain, termSet),
                Math.Round(score, 4), article.Category, article.Section, article.Visibility, shown.Lang != request.Lang));
        }

        return new SearchResults(request.Query, CorrectedQuery(normalizedQuery, corrections, firstPlain), request.Lang, terms, hits);
    }

    /// <summary>A candidate from the index: translation id, language, analysed title terms, provider score (higher is better).</summary>
    internal sealed record Candidate(long Id, string Lang, string Title, double Rank);

    /// <summary>The FTS5 query text: each term quoted, OR-ed. Terms hold only letters and digits, and quoting makes any of them literal.</summary>
    internal static string Fts5Match(IEnumerable<string> terms) =>
        string.Join(" OR ", terms.Select(t => "\"" + t.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));

    /// <summary>The tsquery text: each term quoted, OR-ed.</summary>
    internal static string TsQuery(IEnumerable<string> terms) =>
        string.Join(" | ", terms.Select(t => "'" + t.Replace("'", "''", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal) + "'"));

    internal const string SqliteCandidateSql = """
        SELECT rowid, lang, title, -bm25(kb_search_fts, 10.0, 4.0, 1.0, 0.3) AS score
        FROM kb_search_fts
        WHERE kb_search_fts MATCH $match AND ($internal = 1 OR vis = 'public')
        ORDER BY bm25(kb_search_fts, 10.0, 4.0, 1.0, 0.3)
        LIMIT $limit
        """;

    internal const string PostgresCandidateSql = """
        SELECT "TranslationId", lang, title,
            (SELECT coalesce(sum(ts_rank('{0.05,0.1,0.4,1.0}', tsv, to_tsquery('simple', q.term), 1) * q.weight), 0)
             FROM unnest(@terms::text[], @weights::float8[]) AS q(term, weight)) AS score
        FROM kb_search_index
        WHERE tsv @@ to_tsquery('simple', @match) AND (@internal OR vis = 'public')
        ORDER BY score DESC
        LIMIT @limit
        """;

    private Task<List<Candidate>> SqliteCandidatesAsync(List<string> terms, bool includeInternal, CancellationToken cancellationToken) =>
        QueryAsync(SqliteCandidateSql, cancellationToken, ("$match", Fts5Match(terms)), ("$internal", includeInternal ? 1 : 0), ("$limit", Candidates));

    private Task<List<Candidate>> PostgresCandidatesAsync(List<string> terms, VocabularySet vocab, bool includeInternal, CancellationToken cancellationToken) =>
        QueryAsync(PostgresCandidateSql, cancellationToken,
            ("@terms", terms.Select(t => "'" + t + "'").ToArray()),
            ("@weights", terms.Select(vocab.Idf).ToArray()),
            ("@match", TsQuery(terms)),
            ("@internal", includeInternal),
            ("@limit", Candidates));

    private async Task<List<Candidate>> QueryAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        // EF's ref-counted open runs the connection interceptors (SQLite pragmas) and leaves an open connection alone.
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();

        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }

            var results = new List<Candidate>();
            await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                results.Add(new Candidate(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), Convert.ToDouble(reader.GetValue(3), CultureInfo.InvariantCulture)));
            }

            return results;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The query as the reader typed it with misspelt words replaced by the words that were searched for.</summary>
    private static string? CorrectedQuery(string normalizedQuery, Dictionary<string, string> corrections, string? sampleText)
    {
        if (corrections.Count == 0)
        {
            return null;
        }

        var result = normalizedQuery;
        foreach (var token in TextAnalyzer.Tokenize(normalizedQuery, unigrams: false).Where(t => corrections.ContainsKey(t.Term)).OrderByDescending(t => t.Start))
        {
            var replacement = corrections[token.Term];
            var surface = sampleText is null ? null : Highlighter.SurfaceOf(sampleText, replacement);
            result = string.Concat(result.AsSpan(0, token.Start), surface ?? replacement, result.AsSpan(token.Start + token.Length));
        }

        return result;
    }
}
