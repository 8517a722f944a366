using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using WalletDesk.Server.Data;

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
    double Score, string Category, string Visibility, bool IsOtherLanguage);

/// <summary>What a search found; <see cref="CorrectedQuery"/> is set when misspelt words were corrected.</summary>
public sealed record SearchResults(string Query, string? CorrectedQuery, string Lang, IReadOnlyList<string> Terms, IReadOnlyList<SearchHit> Hits);

/// <summary>
/// Full-text search over published translations. Both providers run the same analysed terms (see
/// <see cref="TextAnalyzer"/>) as an OR query: SQLite ranks with FTS5's BM25 (title ×10, tags ×4, body ×1,
/// unigrams ×0.3, visibility ×0); PostgreSQL with <c>ts_rank</c> per term (title A … unigrams D) weighted by each term's IDF.
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

        var max = candidates.Max(c => c.Rank);
        var ranked = candidates
            .Select(c =>
            {
                var titleTerms = c.Title.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var coverage = (double)terms.Count(t => titleTerms.Contains(t, StringComparer.Ordinal)) / terms.Count;
                var score = (max > 0 ? c.Rank / max : 0) * (1 + (TitleBoost * coverage)) * (c.Lang == request.Lang ? 1 : OtherLanguageFactor);
                return (Candidate: c, Score: score);
            })
            .GroupBy(x => x.Candidate.ArticleId)
            .Select(g => g.OrderByDescending(x => x.Score).First())
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Candidate.Slug, StringComparer.Ordinal)
            .Take(Math.Clamp(request.Limit, 1, 50))
            .ToList();

        // Show each article in the reader's language when that translation is published, even if the other one matched better.
        var crossLanguage = ranked.Where(r => r.Candidate.Lang != request.Lang).Select(r => r.Candidate.ArticleId).ToList();
        var preferred = crossLanguage.Count == 0
            ? []
            : await db.KbTranslations.AsNoTracking()
                .Where(t => crossLanguage.Contains(t.ArticleId) && t.Lang == request.Lang && t.Status == ArticleStatus.Published)
                .Select(t => new { t.ArticleId, t.Id })
                .ToDictionaryAsync(t => t.ArticleId, t => t.Id, cancellationToken);
        var shownIds = ranked.Select(r => preferred.GetValueOrDefault(r.Candidate.ArticleId, r.Candidate.Id)).ToList();
        var shown = await DisplayAsync(shownIds, cancellationToken);

        var termSet = new HashSet<string>(terms, StringComparer.Ordinal);
        var hits = new List<SearchHit>(ranked.Count);
        string? firstText = null;
        for (var i = 0; i < ranked.Count; i++)
        {
            var (candidate, score) = ranked[i];
            if (!shown.TryGetValue(shownIds[i], out var text))
            {
                continue;
            }

            firstText ??= text.Title + " " + text.Plain;
            hits.Add(new SearchHit(
                candidate.ArticleId, shownIds[i], candidate.Slug, text.Lang, text.Title,
                Highlighter.Highlight(text.Title, termSet), Highlighter.Snippet(text.Plain, termSet),
                Math.Round(score, 4), candidate.Category, candidate.Visibility, text.Lang != request.Lang));
        }

        return new SearchResults(request.Query, CorrectedQuery(normalizedQuery, corrections, firstText), request.Lang, terms, hits);
    }

    /// <summary>A candidate from the index: translation id, language, analysed title terms, provider score (higher is better), article fields.</summary>
    internal sealed record Candidate(long Id, string Lang, string Title, double Rank, long ArticleId, string Slug, string Category, string Visibility);

    private sealed record DisplayText(string Lang, string Title, string Plain);

    /// <summary>The FTS5 query text: each term quoted, OR-ed. Terms hold only letters and digits, and quoting makes any of them literal.</summary>
    internal static string Fts5Match(IEnumerable<string> terms, bool includeInternal) =>
        (includeInternal ? "" : "vis : public AND ") + "(" + string.Join(" OR ", terms.Select(t => "\"" + t.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")) + ")";

    /// <summary>The tsquery text: each term quoted, OR-ed.</summary>
    internal static string TsQuery(IEnumerable<string> terms) =>
        string.Join(" | ", terms.Select(t => "'" + t.Replace("'", "''", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal) + "'"));

    // Rank inside the index first (only ids and scores), then read the stored fields of the 60 best: reading them
    // for every match before sorting is what makes a naive query slow on common terms.
    internal const string SqliteCandidateSql = """
        SELECT f.rowid, f.lang, f.title, c.score, f.article, f.slug, f.category, f.vis
        FROM (SELECT rowid AS id, -bm25(kb_search_fts, 10.0, 4.0, 1.0, 0.3, 0.0) AS score
              FROM kb_search_fts WHERE kb_search_fts MATCH $match
              ORDER BY score DESC LIMIT $limit) AS c
        JOIN kb_search_fts AS f ON f.rowid = c.id
        ORDER BY c.score DESC
        """;

    // ts_rank has no IDF: rank the matches cheaply inside the GIN-filtered set first (what a plain FTS query
    // does anyway), then weight each query term by its IDF over the best 200 only, so the per-term work does
    // not grow with the number of matching articles.
    internal const string PostgresCandidateSql = """
        SELECT c."TranslationId", c.lang, c.title,
            (SELECT coalesce(sum(ts_rank('{0.05,0.1,0.4,1.0}', c.tsv, to_tsquery('simple', q.term), 1) * q.weight), 0)
             FROM unnest(@terms::text[], @weights::float8[]) AS q(term, weight)) AS score,
            c.article, c.slug, c.category, c.vis
        FROM (SELECT "TranslationId", lang, title, tsv, article, slug, category, vis
              FROM kb_search_index, to_tsquery('simple', @match) AS query
              WHERE tsv @@ query AND (@internal OR vis = 'public')
              ORDER BY ts_rank('{0.05,0.1,0.4,1.0}', tsv, query, 1) DESC
              LIMIT 200) AS c
        ORDER BY score DESC
        LIMIT @limit
        """;


    private Task<List<Candidate>> SqliteCandidatesAsync(List<string> terms, bool includeInternal, CancellationToken cancellationToken) =>
        QueryAsync(SqliteCandidateSql, cancellationToken, ("$match", Fts5Match(terms, includeInternal)), ("$limit", Candidates));

    private Task<List<Candidate>> PostgresCandidatesAsync(List<string> terms, VocabularySet vocab, bool includeInternal, CancellationToken cancellationToken) =>
        QueryAsync(PostgresCandidateSql, cancellationToken,
            ("@terms", terms.Select(t => "'" + t + "'").ToArray()),
            ("@weights", terms.Select(vocab.Idf).ToArray()),
            ("@match", TsQuery(SelectiveTerms(terms, vocab))),
            ("@internal", includeInternal),
            ("@limit", Candidates));

    /// <summary>
    /// The terms that decide which rows PostgreSQL ranks: in a large knowledge base (5,000+ translations), terms in
    /// more than a fifth of the articles are left out of the match (they still count in the score) when a rarer
    /// term is there, so "my card payment failed" does not rank every article that says "card". Small knowledge
    /// bases keep every term (it costs nothing there and the common words still find candidates). SQLite's FTS5
    /// ranks fast enough without this.
    /// </summary>
    internal static List<string> SelectiveTerms(List<string> terms, VocabularySet vocab)
    {
        if (vocab.Documents < 5000)
        {
            return terms;
        }

        var selective = terms.Where(t => vocab.Frequency(t) <= vocab.Documents / 5).ToList();
        return selective.Count > 0 ? selective : terms;
    }

    private Task<List<Candidate>> QueryAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        ReadAsync(sql, reader => new Candidate(
            reader.GetInt64(0), reader.GetString(1), reader.GetString(2), Convert.ToDouble(reader.GetValue(3), CultureInfo.InvariantCulture),
            reader.GetInt64(4), reader.GetString(5), reader.GetString(6), reader.GetString(7)), cancellationToken, parameters);

    /// <summary>Title as written and plain text of the translations to show, straight from the index.</summary>
    private async Task<Dictionary<long, DisplayText>> DisplayAsync(List<long> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        List<(long Id, DisplayText Text)> rows;
        if (db.IsSqlite)
        {
            // One numbered placeholder per id: the SQL text holds only parameter names, never values.
            var names = ids.Select((_, i) => "$id" + i.ToString(CultureInfo.InvariantCulture)).ToList();
            rows = await ReadAsync(
                $"SELECT rowid, lang, display, plain FROM kb_search_fts WHERE rowid IN ({string.Join(", ", names)})",
                r => (r.GetInt64(0), new DisplayText(r.GetString(1), r.GetString(2), r.GetString(3))), cancellationToken,
                names.Select((n, i) => (n, (object)ids[i])).ToArray());
        }
        else
        {
            rows = await ReadAsync(
                "SELECT \"TranslationId\", lang, display, plain FROM kb_search_index WHERE \"TranslationId\" = ANY(@ids)",
                r => (r.GetInt64(0), new DisplayText(r.GetString(1), r.GetString(2), r.GetString(3))), cancellationToken,
                ("@ids", ids.ToArray()));
        }

        return rows.ToDictionary(r => r.Id, r => r.Text);
    }

    private async Task<List<T>> ReadAsync<T>(string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
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

            var results = new List<T>();
            await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                results.Add(map(reader));
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
