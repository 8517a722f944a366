using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Spectre.Console;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Knowledge;
using WalletDesk.Server.Features.Knowledge.ImportExport;
using WalletDesk.Server.Features.Knowledge.Search;

namespace WalletDesk.Cli.Commands;

/// <summary>
/// <c>walletdesk bench kb</c>: search latency p50/p99 at growing numbers of generated articles, on a scratch SQLite
/// database and (with <c>--postgres</c>) a scratch PostgreSQL database, next to the raw FTS query over the same
/// data in the same run (the floor the full search adds analysis, typo correction, ranking and snippets to).
/// </summary>
internal static class KnowledgeBench
{
    public static Command Create()
    {
        var sizes = new Option<string>("--sizes") { Description = "Article counts to measure at, comma-separated.", DefaultValueFactory = _ => "1000,10000,100000" };
        var postgres = new Option<string?>("--postgres") { Description = "Also run on PostgreSQL: a connection string allowed to create a scratch database (dropped afterwards)." };
        var queries = new Option<int>("--queries") { Description = "Timed queries per size and provider.", DefaultValueFactory = _ => 400 };
        var seed = new Option<int>("--seed") { Description = "Seed for the generated articles and queries.", DefaultValueFactory = _ => 7 };
        var postgresOnly = new Option<bool>("--postgres-only") { Description = "Skip SQLite (with --postgres)." };
        var keep = new Option<bool>("--keep") { Description = "Keep the scratch databases for inspection (EXPLAIN ANALYZE); their names are printed." };
        var command = new Command("kb", "Benchmark knowledge-base search latency at 1k, 10k and 100k articles (target: p99 < 20 ms at 10k).") { sizes, postgres, queries, seed, postgresOnly, keep };
        command.SetAction(async (parse, ct) =>
        {
            var counts = parse.GetValue(sizes)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s.Trim(), CultureInfo.InvariantCulture)).Order().ToList();
            var table = new Table().AddColumns("provider", "articles", "search p50", "search p99", "raw FTS p50", "raw FTS p99", "search hits/query", "load time");
            var providers = new List<string?>();
            if (!parse.GetValue(postgresOnly) || parse.GetValue(postgres) is null)
            {
                providers.Add(null);
            }

            if (parse.GetValue(postgres) is { } pg)
            {
                providers.Add(pg);
            }

            AnsiConsole.WriteLine($"{Environment.ProcessorCount} cores; {parse.GetValue(queries)} timed queries per row after 100 warm-up queries; seed {parse.GetValue(seed)}");
            foreach (var provider in providers)
            {
                await using var scratch = await ScratchKnowledgeBase.CreateAsync(provider, ct);
                if (parse.GetValue(keep))
                {
                    AnsiConsole.WriteLine($"  keeping {scratch.Provider} scratch database {scratch.Keep()}");
                }
                var generator = await Generator.CreateAsync(scratch, parse.GetValue(seed), ct);
                var loaded = 0;
                foreach (var count in counts)
                {
                    var stopwatch = Stopwatch.StartNew();
                    await generator.AddAsync(scratch, count - loaded, ct);
                    loaded = count;
                    var load = stopwatch.Elapsed;
                    await AnalyzeAsync(scratch, ct);
                    var row = await MeasureAsync(scratch, generator.Queries(parse.GetValue(queries) + 100), ct);
                    table.AddRow(scratch.Provider, count.ToString("N0", CultureInfo.InvariantCulture), Ms(row.Search.P50), Ms(row.Search.P99), Ms(row.Raw.P50), Ms(row.Raw.P99),
                        row.AverageHits.ToString("F1", CultureInfo.InvariantCulture), load.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s");
                    AnsiConsole.WriteLine($"  {scratch.Provider} {count:N0}: search p50 {Ms(row.Search.P50)} p99 {Ms(row.Search.P99)}; raw FTS p50 {Ms(row.Raw.P50)} p99 {Ms(row.Raw.P99)}");
                }
            }

            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static string Ms(double value) => value.ToString("F2", CultureInfo.InvariantCulture) + " ms";

    private sealed record Percentiles(double P50, double P99);

    private sealed record Row(Percentiles Search, Percentiles Raw, double AverageHits);

    /// <summary>
    /// What autovacuum would have done to a production table after a bulk load: fresh statistics, hint bits and the
    /// visibility map set (PostgreSQL VACUUM ANALYZE; SQLite's PRAGMA optimize). Otherwise the timed queries race
    /// autovacuum, which starts on its own schedule somewhere in the middle of the run.
    /// </summary>
    private static async Task AnalyzeAsync(ScratchKnowledgeBase scratch, CancellationToken ct)
    {
        await using var scope = scratch.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.ExecuteSqlRawAsync(db.IsSqlite ? "PRAGMA optimize=0x10002" : "VACUUM (ANALYZE)", ct);
    }

    private static async Task<Row> MeasureAsync(ScratchKnowledgeBase scratch, IReadOnlyList<(string Query, string Lang)> queries, CancellationToken ct)
    {
        await using var scope = scratch.App.Services.CreateAsyncScope();
        var search = scope.ServiceProvider.GetRequiredService<KnowledgeSearch>();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.OpenConnectionAsync(ct);
        var searchTimes = new List<double>();
        var rawTimes = new List<double>();
        var slowest = new List<(string Query, double Time)>();
        var hits = 0;
        for (var i = 0; i < queries.Count; i++)
        {
            var (query, lang) = queries[i];
            var start = Stopwatch.GetTimestamp();
            var results = await search.SearchAsync(new SearchRequest(query, lang, IncludeInternal: false, Limit: 10), ct);
            var searchTime = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

            start = Stopwatch.GetTimestamp();
            await RawFtsAsync(db, TextAnalyzer.QueryTerms(TextAnalyzer.Normalize(query)), ct);
            var rawTime = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (i >= 100)
            {
                slowest.Add((query, searchTime));
                searchTimes.Add(searchTime);
                rawTimes.Add(rawTime);
                hits += results.Hits.Count;
            }
        }

        await db.Database.CloseConnectionAsync();
        foreach (var (query, time) in slowest.OrderByDescending(x => x.Time).Take(5))
        {
            AnsiConsole.MarkupLineInterpolated($"    slow: {time:0.0} ms search  \"{query}\"");
        }

        return new Row(Summarize(searchTimes), Summarize(rawTimes), (double)hits / Math.Max(1, searchTimes.Count));
    }

    /// <summary>The bare index query: the same OR of analysed terms, ranked by the engine, top 10 ids, nothing else.</summary>
    private static async Task<int> RawFtsAsync(AppDbContext db, List<string> terms, CancellationToken ct)
    {
        if (terms.Count == 0)
        {
            return 0;
        }

        await using var command = db.Database.GetDbConnection().CreateCommand();
        var parameter = command.CreateParameter();
        if (db.IsSqlite)
        {
            command.CommandText = "SELECT rowid FROM kb_search_fts WHERE kb_search_fts MATCH $q ORDER BY rank LIMIT 10";
            parameter.ParameterName = "$q";
            parameter.Value = KnowledgeSearch.Fts5Match(terms, includeInternal: false);
        }
        else
        {
            command.CommandText = "SELECT \"TranslationId\" FROM kb_search_index, to_tsquery('simple', @q) q WHERE tsv @@ q AND vis = 'public' ORDER BY ts_rank(tsv, q) DESC LIMIT 10";
            parameter.ParameterName = "@q";
            parameter.Value = KnowledgeSearch.TsQuery(terms);
        }

        command.Parameters.Add(parameter);
        var count = 0;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            count++;
        }

        return count;
    }

    private static Percentiles Summarize(List<double> samples)
    {
        samples.Sort();
        return samples.Count == 0 ? new(0, 0) : new(samples[samples.Count / 2], samples[Math.Min(samples.Count - 1, (int)(samples.Count * 0.99))]);
    }

    /// <summary>
    /// Articles made of the starter content's own words and characters in their real frequencies (so term
    /// statistics look like a help center's), 80% English and 20% Chinese, 10% internal; queries from the
    /// evaluation set plus one- to three-word samples.
    /// </summary>
    private sealed class Generator
    {
        private readonly Random _random;
        private readonly string[] _words;
        private readonly string _chinese;
        private readonly IReadOnlyList<EvaluationQuery> _evaluation;
        private int _next;

        private Generator(int seed, string[] words, string chinese, IReadOnlyList<EvaluationQuery> evaluation)
        {
            _random = new Random(seed);
            _words = words;
            _chinese = chinese;
            _evaluation = evaluation;
        }

        public static async Task<Generator> CreateAsync(ScratchKnowledgeBase scratch, int seed, CancellationToken ct)
        {
            await using var scope = scratch.App.Services.CreateAsyncScope();
            var importer = scope.ServiceProvider.GetRequiredService<KnowledgeImporter>();
            await importer.ImportStarterContentAsync(ct);
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var bodies = await db.KbTranslations.Select(t => new { t.Lang, t.Body }).ToListAsync(ct);
            var words = bodies.Where(b => b.Lang == KbLanguages.English)
                .SelectMany(b => WalletDesk.Server.Features.Knowledge.Rendering.MarkdownRenderer.ToPlainText(b.Body).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(w => w.Trim('.', ',', ':', ';', '(', ')', '"', '*', '?', '!').ToLowerInvariant())
                .Where(w => w.Length > 0 && w.All(char.IsLetter))
                .ToArray();
            var chinese = new string(bodies.Where(b => b.Lang == KbLanguages.Chinese)
                .SelectMany(b => b.Body).Where(TextAnalyzer.IsCjk).ToArray());
            return new Generator(seed, words, chinese, SearchEvaluation.ParseCsv(KnowledgeImporter.StarterEvaluationCsv()));
        }

        public async Task AddAsync(ScratchKnowledgeBase scratch, int count, CancellationToken ct)
        {
            const int Batch = 2000;
            for (var done = 0; done < count; done += Batch)
            {
                await using var db = scratch.CreateContext();
                db.ChangeTracker.AutoDetectChangesEnabled = false;
                var now = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
                var batch = new List<(KbArticle Article, KbTranslation Translation)>();
                for (var i = 0; i < Math.Min(Batch, count - done); i++)
                {
                    var number = _next++;
                    var chinese = _random.NextDouble() < 0.2;
                    var article = new KbArticle
                    {
                        Slug = "bench-" + number.ToString(CultureInfo.InvariantCulture),
                        Category = "bench",
                        Section = "generated",
                        Visibility = _random.NextDouble() < 0.1 ? ArticleVisibility.Internal : ArticleVisibility.Public,
                        CreatedAt = now,
                        UpdatedAt = now,
                    };
                    var translation = new KbTranslation
                    {
                        Lang = chinese ? KbLanguages.Chinese : KbLanguages.English,
                        Title = chinese ? Chinese(8, 16) : Words(4, 9),
                        Body = chinese ? Paragraphs(() => Chinese(60, 140)) : Paragraphs(() => Words(40, 90)),
                        Tags = chinese ? string.Join(",", Enumerable.Range(0, 4).Select(_ => Chinese(2, 4))) : string.Join(",", Enumerable.Range(0, 4).Select(_ => Words(1, 2))),
                        Status = ArticleStatus.Published,
                        Revision = 1,
                        CreatedAt = now,
                        UpdatedAt = now,
                        PublishedAt = now,
                    };
                    article.Translations.Add(translation);
                    db.KbArticles.Add(article);
                    batch.Add((article, translation));
                }

                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                await db.SaveChangesAsync(ct);
                await KnowledgeIndex.BulkWriteAsync(db, batch.Select(b => IndexDocument.From(b.Translation, b.Article)), ct);
                await transaction.CommitAsync(ct);
            }

            scratch.App.Services.GetRequiredService<KnowledgeVocabulary>().Invalidate();
        }

        public IReadOnlyList<(string Query, string Lang)> Queries(int count)
        {
            var queries = new List<(string, string)>(count);
            for (var i = 0; i < count; i++)
            {
                if (i % 2 == 0)
                {
                    var e = _evaluation[_random.Next(_evaluation.Count)];
                    queries.Add((e.Query, e.Lang));
                }
                else if (i % 10 == 1)
                {
                    queries.Add((Chinese(2, 4), KbLanguages.Chinese));
                }
                else
                {
                    queries.Add((Words(1, 3), KbLanguages.English));
                }
            }

            return queries;
        }

        private string Words(int min, int max)
        {
            var count = _random.Next(min, max + 1);
            return string.Join(' ', Enumerable.Range(0, count).Select(_ => _words[_random.Next(_words.Length)]));
        }

        private string Chinese(int min, int max)
        {
            var length = _random.Next(min, max + 1);
            var start = _random.Next(Math.Max(1, _chinese.Length - length));
            return _chinese.Substring(start, Math.Min(length, _chinese.Length - start));
        }

        private string Paragraphs(Func<string> paragraph)
        {
            var text = new StringBuilder();
            var count = _random.Next(2, 5);
            for (var i = 0; i < count; i++)
            {
                text.Append(paragraph()).Append(".\n\n");
            }

            return text.ToString();
        }
    }
}
