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
public sealed class KnowledgeSearch(AppDbContext db, KnowledgeVocabulary vocabulary, KnowledgeSynonyms synonyms)
{
    // Every provider hands this many candidates to the shared ranking (Bm25); the PostgreSQL pools are 200 rows too.
    private const int Candidates = 200;
    private const double TitleBoost = 1.5;
    private const double OtherLanguageFactor = 0.75;

    public async Task<SearchResults> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        var normalizedQuery = TextAnalyzer.Normalize(request.Query.Trim());
        if (TextAnalyzer.QueryTerms(normalizedQuery).Count == 0)
        {
            return new SearchResults(request.Query, null, request.Lang, [], []);
        }

        var snapshot = await vocabulary.GetAsync(db, cancellationToken);
        var vocab = request.IncludeInternal ? snapshot.All : snapshot.Public;
        var correctedQuery = CorrectSpelling(normalizedQuery, vocab);
        var terms = TextAnalyzer.QueryTerms(correctedQuery ?? normalizedQuery);
        // Synonyms are extra search items (a phrase is "word word", searched as adjacent terms); they count in the
        // index's ranking like the reader's own words and stand in for them in the title-coverage boost.
        var expansions = synonyms.Expand(terms, joined => vocab.Frequency(joined) > 0);
        var items = terms.Concat(expansions).ToList();
        var candidates = db.IsSqlite
            ? await SqliteCandidatesAsync(items, request.IncludeInternal, cancellationToken)
            : await PostgresCandidatesAsync(items, vocab, request.IncludeInternal, cancellationToken);
        if (candidates.Count == 0)
        {
            return new SearchResults(request.Query, correctedQuery, request.Lang, items, []);
        }

        var alternatives = terms.Select(t => Alternatives(t, expansions)).ToList();
        var scored = candidates.Select(c => c with { Rank = Bm25.Score(c, items, vocab) }).ToList();
        var max = scored.Max(c => c.Rank);
        var ranked = scored
            .Select(c =>
            {
                var titleTerms = new HashSet<string>(c.Title.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
                var coverage = (double)alternatives.Count(a => a.Any(item => item.Split(' ').All(titleTerms.Contains))) / terms.Count;
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

        var termSet = new HashSet<string>(items.SelectMany(i => i.Split(' ')), StringComparer.Ordinal);
        var hits = new List<SearchHit>(ranked.Count);
        for (var i = 0; i < ranked.Count; i++)
        {
            var (candidate, score) = ranked[i];
            if (!shown.TryGetValue(shownIds[i], out var text))
            {
                continue;
            }

            hits.Add(new SearchHit(
                candidate.ArticleId, shownIds[i], candidate.Slug, text.Lang, text.Title,
                Highlighter.Highlight(text.Title, termSet), Highlighter.Snippet(text.Plain, termSet),
                Math.Round(score, 4), candidate.Category, candidate.Visibility, text.Lang != request.Lang));
        }

        return new SearchResults(request.Query, correctedQuery, request.Lang, items, hits);
    }

    /// <summary>A query term and the synonym items that can stand in for it (those whose group it belongs to).</summary>
    private List<string> Alternatives(string term, IReadOnlyList<string> expansions) =>
        [term, .. expansions.Where(e => synonyms.AreSynonyms(term, e))];

    /// <summary>A candidate from the index: translation id, language, analysed title terms, score (higher is better), article fields, the other analysed fields.</summary>
    internal sealed record Candidate(long Id, string Lang, string Title, double Rank, long ArticleId, string Slug, string Category, string Visibility,
        string Tags, string Body, string Unigrams);

    private sealed record DisplayText(string Lang, string Title, string Plain);

    /// <summary>The FTS5 query text: each term quoted, OR-ed. Terms hold only letters and digits, and quoting makes any of them literal.</summary>
    internal static string Fts5Match(IEnumerable<string> terms, bool includeInternal) =>
        (includeInternal ? "" : "vis : public AND ") + "(" + string.Join(" OR ", terms.Select(t => "\"" + t.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")) + ")";

    /// <summary>The tsquery text: each item quoted (a phrase as adjacent terms), OR-ed.</summary>
    internal static string TsQuery(IEnumerable<string> items) => string.Join(" | ", items.Select(TsItem));

    /// <summary>One search item as tsquery text: <c>'term'</c>, or <c>('word' &lt;-&gt; 'word')</c> for a phrase.</summary>
    internal static string TsItem(string item)
    {
        var words = item.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(t => "'" + t.Replace("'", "''", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal) + "'")
            .ToList();
        return words.Count == 1 ? words[0] : "(" + string.Join(" <-> ", words) + ")";
    }

    // Rank inside the index first (only ids and scores), then read the stored fields of the 60 best: reading them
    // for every match before sorting is what makes a naive query slow on common terms.
    internal const string SqliteCandidateSql = """
        SELECT f.rowid, f.lang, f.title, c.score, f.article, f.slug, f.category, f.vis, f.tags, f.body, f.uni
        FROM (SELECT rowid AS id, -bm25(kb_search_fts, 10.0, 4.0, 1.0, 0.3, 0.0) AS score
              FROM kb_search_fts WHERE kb_search_fts MATCH $match
              ORDER BY score DESC LIMIT $limit) AS c
        JOIN kb_search_fts AS f ON f.rowid = c.id
        ORDER BY c.score DESC
        """;

    // The pool's analysed fields, for the ranking both providers share (Bm25): ts_rank has no IDF and no
    // saturation, so a common word in a title outweighed every body match of rarer words.
    private const string PostgresScoreSql = """

        SELECT c."TranslationId", c.lang, c.title, 0.0::float8, c.article, c.slug, c.category, c.vis, c.tags, c.body, c.uni
        FROM candidates JOIN kb_search_index AS c ON c."TranslationId" = candidates.id
        """;

    // Few matching rows (by the vocabulary's counts): rank every match cheaply with one ts_rank, score the best 200.
    internal const string PostgresExhaustiveSql = """
        WITH candidates AS (
            SELECT "TranslationId" AS id
            FROM kb_search_index, to_tsquery('simple', @match) AS query
            WHERE tsv @@ query AND (@internal OR vis = 'public')
            ORDER BY ts_rank('{0.05,0.1,0.4,1.0}', tsv, query, 1) DESC
            LIMIT 200)
        """ + PostgresScoreSql;

    // Many matching rows: never touch all their tsvectors. Candidates are the rows with the query's rarest items
    // (the vocabulary says there are few) plus the best title/tag matches for all items, ranked on the small `head`
    // vector (title and tags only, migration M0013); when no item is rare, also any 100 matching rows, so common
    // words that are in no title still find something.
    private const string PostgresRareCandidates = """
        (SELECT "TranslationId" AS id FROM kb_search_index
         WHERE tsv @@ to_tsquery('simple', @rare) AND (@internal OR vis = 'public')
         LIMIT 400)
        UNION
        """;

    private const string PostgresHeadCandidates = """
        (SELECT "TranslationId" AS id FROM kb_search_index, to_tsquery('simple', @match) AS query
         WHERE head @@ query AND (@internal OR vis = 'public')
         ORDER BY ts_rank(head, query) DESC
         LIMIT 100)
        """;

    private const string PostgresAnyCandidates = """
        UNION
        (SELECT "TranslationId" AS id FROM kb_search_index
         WHERE tsv @@ to_tsquery('simple', @match) AND (@internal OR vis = 'public')
         LIMIT 100)
        """;

    // The pool (up to ~500 rows) is ordered by one cheap ts_rank for the whole query and only the best 200 get the
    // per-item IDF score: scoring costs a ts_rank per item per row, so a long query (a Chinese sentence is five or six
    // overlapping bigrams plus synonyms) over the whole pool was the PostgreSQL tail in `bench kb` (49–65 ms → 8–16 ms).
    private const string PostgresPreRank = """
        ,
        candidates AS (
            SELECT k."TranslationId" AS id
            FROM pool JOIN kb_search_index AS k ON k."TranslationId" = pool.id, to_tsquery('simple', @match) AS query
            ORDER BY ts_rank('{0.05,0.1,0.4,1.0}', k.tsv, query, 1) DESC
            LIMIT 200)
        """;

    internal const string PostgresRareSql = "WITH pool AS (\n" + PostgresRareCandidates + "\n" + PostgresHeadCandidates + ")" + PostgresPreRank + "\n" + PostgresScoreSql;

    internal const string PostgresCommonSql = "WITH pool AS (\n" + PostgresHeadCandidates + "\n" + PostgresAnyCandidates + ")" + PostgresPreRank + "\n" + PostgresScoreSql;

    /// <summary>Estimated matching rows at or below which every match is ranked.</summary>
    internal const int ExhaustiveRows = 600;

    /// <summary>Estimated rows the rare items may match.</summary>
    internal const int RareRows = 300;

    private Task<List<Candidate>> SqliteCandidatesAsync(List<string> items, bool includeInternal, CancellationToken cancellationToken) =>
        QueryAsync(SqliteCandidateSql, cancellationToken, ("$match", Fts5Match(items, includeInternal)), ("$limit", Candidates));

    private Task<List<Candidate>> PostgresCandidatesAsync(List<string> items, VocabularySet vocab, bool includeInternal, CancellationToken cancellationToken)
    {
        var plan = PlanPostgres(items, vocab);
        var parameters = new List<(string, object)>
        {
            ("@match", TsQuery(items)),
            ("@internal", includeInternal),
        };
        if (plan.Rare is { Count: > 0 } rare)
        {
            parameters.Add(("@rare", TsQuery(rare)));
        }

        var sql = plan.Rare is null ? PostgresExhaustiveSql : plan.Rare.Count > 0 ? PostgresRareSql : PostgresCommonSql;
        return QueryAsync(sql, cancellationToken, [.. parameters]);
    }

    /// <summary>
    /// Planner setting for the PostgreSQL candidate query, local to its transaction (<c>set_config(…, true)</c> is
    /// <c>SET LOCAL</c> without the warning outside an explicit transaction block). The search index is small and
    /// read on every search, so it stays in shared buffers; at the default random_page_cost of 4 (a disk seek) the planner
    /// ranked every title match with a sequential scan of the whole table (all ~1,900 pages at 10k articles, 13–30 ms)
    /// instead of visiting the ~1,800 matching rows through the `head` GIN index (4–7 ms). EXPLAIN ANALYZE in
    /// docs/benchmarks.md.
    /// </summary>
    internal const string PostgresPlannerSettings = "SELECT set_config('random_page_cost', '1.1', true)";

    /// <summary>Which rows PostgreSQL scores: every match (<c>Rare</c> null), or the rows with the rarest items plus title matches.</summary>
    internal sealed record PostgresPlan(IReadOnlyList<string>? Rare);

    /// <summary>
    /// Chooses how to find candidates from the vocabulary's document counts: when all items together match at most
    /// <see cref="ExhaustiveRows"/> rows, every match is ranked (small knowledge bases always, so relevance there
    /// is exact); otherwise the rarest items whose counts add up to at most <see cref="RareRows"/> (possibly none).
    /// </summary>
    internal static PostgresPlan PlanPostgres(IReadOnlyList<string> items, VocabularySet vocab)
    {
        var estimates = items.Select(i => (Item: i, Rows: EstimatedRows(i, vocab))).OrderBy(x => x.Rows).ThenBy(x => x.Item, StringComparer.Ordinal).ToList();
        if (estimates.Sum(x => (long)x.Rows) <= ExhaustiveRows)
        {
            return new PostgresPlan(null);
        }

        var rare = new List<string>();
        long total = 0;
        foreach (var (item, rows) in estimates)
        {
            if (total + rows > RareRows)
            {
                break;
            }

            rare.Add(item);
            total += rows;
        }

        return new PostgresPlan(rare);
    }

    /// <summary>Rows an item matches at most: its rarest word's document count. A lone CJK character is in most
    /// texts' unigram field, which the vocabulary does not count: it is taken as common.</summary>
    private static int EstimatedRows(string item, VocabularySet vocab) =>
        item.Split(' ').Min(t => t.Length == 1 && TextAnalyzer.IsCjk(t[0]) ? vocab.Documents : vocab.Frequency(t));

    private Task<List<Candidate>> QueryAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        ReadAsync(sql, db.IsSqlite ? null : PostgresPlannerSettings, reader => new Candidate(
            reader.GetInt64(0), reader.GetString(1), reader.GetString(2), Convert.ToDouble(reader.GetValue(3), CultureInfo.InvariantCulture),
            reader.GetInt64(4), reader.GetString(5), reader.GetString(6), reader.GetString(7),
            reader.GetString(8), reader.GetString(9), reader.GetString(10)), cancellationToken, parameters);

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
                $"SELECT rowid, lang, display, plain FROM kb_search_fts WHERE rowid IN ({string.Join(", ", names)})", null,
                r => (r.GetInt64(0), new DisplayText(r.GetString(1), r.GetString(2), r.GetString(3))), cancellationToken,
                names.Select((n, i) => (n, (object)ids[i])).ToArray());
        }
        else
        {
            rows = await ReadAsync(
                "SELECT \"TranslationId\", lang, display, plain FROM kb_search_index WHERE \"TranslationId\" = ANY(@ids)", null,
                r => (r.GetInt64(0), new DisplayText(r.GetString(1), r.GetString(2), r.GetString(3))), cancellationToken,
                ("@ids", ids.ToArray()));
        }

        return rows.ToDictionary(r => r.Id, r => r.Text);
    }

    // `setup` is a statement sent in the same batch before the query, whose first result it skips: Npgsql sends both
    // with one Sync, so PostgreSQL runs them in one implicit transaction (or the caller's) and plans the query after
    // `setup` has run — one round trip, no BEGIN/COMMIT.
    private async Task<List<T>> ReadAsync<T>(string sql, string? setup, Func<DbDataReader, T> map, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        // EF's ref-counted open runs the connection interceptors (SQLite pragmas) and leaves an open connection alone.
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();

        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = setup is null ? sql : setup + ";\n" + sql;
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
            if (setup is not null)
            {
                await reader.NextResultAsync(cancellationToken);
            }

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

    /// <summary>
    /// The query with its misspelt words replaced by the closest words of the help center, or null when none is
    /// misspelt. A word is misspelt only when it is Latin, 3+ letters, not a stop word, matches nothing in the index (its
    /// stem is no indexed term and it is no written word), and is not a real English word (<see cref="EnglishWords"/>):
    /// "many" or "retrieve" are left alone even when no article uses them. Words are replaced where they were typed, one
    /// span per word, so the rest of the query (hyphens, apostrophes, other scripts) stays as it was.
    /// </summary>
    internal static string? CorrectSpelling(string normalizedQuery, VocabularySet vocab)
    {
        System.Text.StringBuilder? result = null;
        var position = 0;
        foreach (var (start, length) in TextAnalyzer.WordSpans(normalizedQuery))
        {
            var word = normalizedQuery.Substring(start, length);
            if (!IsMisspelt(word, vocab) || vocab.CorrectWord(word) is not { } correction)
            {
                continue;
            }

            result ??= new System.Text.StringBuilder(normalizedQuery.Length + 8);
            result.Append(normalizedQuery, position, start - position).Append(correction);
            position = start + length;
        }

        return result?.Append(normalizedQuery, position, normalizedQuery.Length - position).ToString();
    }

    private static bool IsMisspelt(string word, VocabularySet vocab) =>
        word.Length >= 3
        && TextAnalyzer.IsLatinWord(word)
        && !TextAnalyzer.IsStopWord(word)
        && vocab.Frequency(PorterStemmer.Stem(word)) == 0
        && !vocab.SurfaceFrequency.ContainsKey(word)
        && !EnglishWords.Contains(word);
}
