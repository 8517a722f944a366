using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Spectre.Console;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Knowledge;
using WalletDesk.Server.Features.Knowledge.ImportExport;
using WalletDesk.Server.Features.Knowledge.Search;

namespace WalletDesk.Cli.Commands;

/// <summary><c>walletdesk kb import|export|search|eval</c>.</summary>
internal static class KnowledgeCommands
{
    public static Command Create()
    {
        var kb = new Command("kb", "The knowledge base: import and export Markdown folders, search, measure relevance.");
        kb.Add(Import());
        kb.Add(Export());
        kb.Add(Search());
        kb.Add(Eval());
        return kb;
    }

    private static Command Import()
    {
        var directory = new Argument<DirectoryInfo>("DIR") { Description = "Folder with en/ and zh/ (or articles/en, articles/zh) Markdown files with front matter." };
        var keep = new Option<bool>("--keep-existing") { Description = "Only add new articles; leave existing ones as they are." };
        var command = new Command("import", "Import a folder of Markdown articles (matched by slug and language; changes become new revisions).") { directory, keep };
        command.SetAction(async (parse, ct) =>
        {
            var dir = parse.GetValue(directory)!;
            if (!dir.Exists)
            {
                await Console.Error.WriteLineAsync($"walletdesk: {dir.FullName} does not exist.");
                return 1;
            }

            await using var app = CliHost.Build();
            if (await PrepareAsync(app, ct) is { } problem)
            {
                await Console.Error.WriteLineAsync($"walletdesk: {problem}");
                return 1;
            }

            await using var scope = app.Services.CreateAsyncScope();
            // Progress goes to stderr (one line per batch), so stdout stays the summary a script reads.
            var progress = new SynchronousProgress<ImportProgress>(p =>
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {p.Done:N0} / {p.Total:N0} files")));
            var report = await scope.ServiceProvider.GetRequiredService<KnowledgeImporter>().ImportDirectoryAsync(dir.FullName, overwrite: !parse.GetValue(keep), progress, ct);
            foreach (var error in report.Errors)
            {
                await Console.Error.WriteLineAsync("  skipped: " + error);
            }

            Console.WriteLine($"Imported {report.Total} files: {report.Created} created, {report.Updated} updated, {report.Unchanged} unchanged, {report.Skipped} left as they were; {report.Errors.Count} skipped (each named above with the reason).");
            return report.Errors.Count == 0 ? 0 : 2;
        });
        return command;
    }

    private static Command Export()
    {
        var directory = new Argument<DirectoryInfo>("DIR") { Description = "Folder to write articles/{en,zh}/<slug>.md into (created if missing)." };
        var command = new Command("export", "Export every article translation as Markdown with front matter.") { directory };
        command.SetAction(async (parse, ct) =>
        {
            await using var app = CliHost.Build();
            if (await PrepareAsync(app, ct) is { } problem)
            {
                await Console.Error.WriteLineAsync($"walletdesk: {problem}");
                return 1;
            }

            await using var scope = app.Services.CreateAsyncScope();
            var dir = parse.GetValue(directory)!;
            var count = await scope.ServiceProvider.GetRequiredService<KnowledgeImporter>().ExportDirectoryAsync(dir.FullName, ct);
            Console.WriteLine($"Exported {count} files to {Path.Combine(dir.FullName, "articles")}.");
            return 0;
        });
        return command;
    }

    private static Command Search()
    {
        var query = new Argument<string>("query") { Description = "What a reader would type." };
        var lang = new Option<string>("--lang") { Description = "Help-center language: en or zh.", DefaultValueFactory = _ => KbLanguages.English };
        lang.AcceptOnlyFromAmong([.. KbLanguages.All]);
        var json = new Option<bool>("--json") { Description = "Print JSON for scripts." };
        var staff = new Option<bool>("--internal") { Description = "Include internal (staff-only) articles." };
        var limit = new Option<int>("--limit") { Description = "Number of results (1–50).", DefaultValueFactory = _ => 10 };
        var command = new Command("search", "Search the knowledge base as a reader would: ranked article slugs, titles and scores.") { query, lang, json, staff, limit };
        command.SetAction(async (parse, ct) =>
        {
            if (KbText.HasControlCharacters(parse.GetValue(query)))
            {
                await Console.Error.WriteLineAsync("walletdesk: " + KbText.ControlCharacterMessage);
                return 1;
            }

            await using var app = CliHost.Build();
            if (await PrepareAsync(app, ct) is { } problem)
            {
                await Console.Error.WriteLineAsync($"walletdesk: {problem}");
                return 1;
            }

            await using var scope = app.Services.CreateAsyncScope();
            var results = await scope.ServiceProvider.GetRequiredService<KnowledgeSearch>().SearchAsync(
                new SearchRequest(parse.GetValue(query)!, parse.GetValue(lang)!, parse.GetValue(staff), Math.Clamp(parse.GetValue(limit), 1, 50)), ct);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    query = results.Query,
                    correctedQuery = results.CorrectedQuery,
                    lang = results.Lang,
                    results = results.Hits.Select(h => new { slug = h.Slug, lang = h.Lang, title = h.Title, score = h.Score, visibility = h.Visibility }),
                }, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                return 0;
            }

            if (results.CorrectedQuery is not null)
            {
                Console.WriteLine($"Showing results for: {results.CorrectedQuery}");
            }

            if (results.Hits.Count == 0)
            {
                Console.WriteLine("No articles found.");
                return 0;
            }

            var table = new Table().AddColumns("#", "slug", "title", "lang", "score");
            var rank = 1;
            foreach (var hit in results.Hits)
            {
                table.AddRow(Markup.Escape(rank++.ToString(CultureInfo.InvariantCulture)), Markup.Escape(hit.Slug), Markup.Escape(hit.Title),
                    Markup.Escape(hit.Lang + (hit.IsOtherLanguage ? " (other language)" : "")), Markup.Escape(hit.Score.ToString("F3", CultureInfo.InvariantCulture)));
            }

            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Eval()
    {
        var file = new Option<FileInfo?>("--file") { Description = "Evaluation CSV (query,lang,relevant). Default: the starter set embedded in the server." };
        var postgres = new Option<string?>("--postgres") { Description = "Run on PostgreSQL: a connection string allowed to create a scratch database (dropped afterwards)." };
        var current = new Option<bool>("--current") { Description = "Evaluate the configured database as it is, instead of a scratch copy of the starter content." };
        var verbose = new Option<bool>("--verbose") { Description = "List every query that missed its first relevant article in the top 5." };
        var json = new Option<bool>("--json") { Description = "Print JSON for scripts." };
        var command = new Command("eval", "Measure search relevance: recall@5, hit@5 and MRR@10 over the evaluation set.") { file, postgres, current, verbose, json };
        command.SetAction(async (parse, ct) =>
        {
            var csv = parse.GetValue(file) is { } f ? await File.ReadAllTextAsync(f.FullName, ct) : KnowledgeImporter.StarterEvaluationCsv();
            var queries = SearchEvaluation.ParseCsv(csv);
            EvaluationReport report;
            string where;
            if (parse.GetValue(current))
            {
                await using var app = CliHost.Build();
                if (await PrepareAsync(app, ct) is { } problem)
                {
                    await Console.Error.WriteLineAsync($"walletdesk: {problem}");
                    return 1;
                }

                await using var scope = app.Services.CreateAsyncScope();
                report = await SearchEvaluation.RunAsync(scope.ServiceProvider.GetRequiredService<KnowledgeSearch>(), queries, ct);
                where = "the configured database";
            }
            else
            {
                await using var scratch = await ScratchKnowledgeBase.CreateAsync(parse.GetValue(postgres), ct);
                await using (var seedScope = scratch.App.Services.CreateAsyncScope())
                {
                    await seedScope.ServiceProvider.GetRequiredService<KnowledgeImporter>().ImportStarterContentAsync(ct);
                }

                await using var scope = scratch.App.Services.CreateAsyncScope();
                report = await SearchEvaluation.RunAsync(scope.ServiceProvider.GetRequiredService<KnowledgeSearch>(), queries, ct);
                where = $"the starter content on a scratch {scratch.Provider} database";
            }

            Print(report, where, parse.GetValue(verbose), parse.GetValue(json));
            return 0;
        });
        return command;
    }

    private static void Print(EvaluationReport report, string where, bool verbose, bool json)
    {
        if (json)
        {
            object Summary(EvaluationReport r) => new { queries = r.Count, recallAt5 = Math.Round(r.RecallAt5, 4), hitAt5 = Math.Round(r.HitAt5, 4), mrrAt10 = Math.Round(r.MrrAt10, 4) };
            Console.WriteLine(JsonSerializer.Serialize(new { all = Summary(report), en = Summary(report.For(KbLanguages.English)), zh = Summary(report.For(KbLanguages.Chinese)) }));
            return;
        }

        AnsiConsole.WriteLine($"Search relevance over {report.Count} queries on {where}");
        var table = new Table().AddColumns("", "queries", "recall@5", "hit@5", "MRR@10");
        foreach (var (name, r) in new[] { ("all", report), ("en", report.For(KbLanguages.English)), ("zh", report.For(KbLanguages.Chinese)) })
        {
            table.AddRow(name, r.Count.ToString(CultureInfo.InvariantCulture), r.RecallAt5.ToString("F3", CultureInfo.InvariantCulture),
                r.HitAt5.ToString("F3", CultureInfo.InvariantCulture), r.MrrAt10.ToString("F3", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        if (verbose)
        {
            foreach (var miss in report.Outcomes.Where(o => o.RecallAt5 < 1))
            {
                AnsiConsole.WriteLine($"  [{miss.Query.Lang}] {miss.Query.Query}  wanted {string.Join("|", miss.Query.Relevant)}  got {string.Join(", ", miss.Ranked.Take(5))}");
            }
        }
    }

    internal static async Task<string?> PrepareAsync(WebApplication app, CancellationToken ct) =>
        await app.Services.GetRequiredService<DatabaseInitializer>().PrepareAsync(ct);
}

/// <summary>A throwaway database (a temp SQLite file, or a PostgreSQL database created and dropped) with the server's services over it.</summary>
internal sealed class ScratchKnowledgeBase : IAsyncDisposable
{
    private readonly string _folder;
    private readonly string? _postgresAdmin;
    private readonly string? _postgresDatabase;
    private bool _keep;

    private ScratchKnowledgeBase(WebApplication app, string provider, string folder, string? postgresAdmin, string? postgresDatabase)
    {
        App = app;
        Provider = provider;
        _folder = folder;
        _postgresAdmin = postgresAdmin;
        _postgresDatabase = postgresDatabase;
    }

    public WebApplication App { get; }

    public string Provider { get; }

    public static async Task<ScratchKnowledgeBase> CreateAsync(string? postgresAdmin, CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetTempPath(), "walletdesk-kb-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var settings = new Dictionary<string, string?>
        {
            ["WALLETDESK_DATA_DIR"] = folder,
            ["Database:Provider"] = "sqlite",
            ["Database:MigrateOnStart"] = "true",
            ["Database:SeedDemoData"] = "false",
            ["ConnectionStrings:WalletDesk"] = $"Data Source={Path.Combine(folder, "scratch.db")}",
        };
        string? database = null;
        if (postgresAdmin is not null)
        {
            database = "walletdesk_scratch_" + Guid.NewGuid().ToString("N")[..12];
            await using (var connection = new NpgsqlConnection(postgresAdmin))
            {
                await connection.OpenAsync(ct);
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
                await create.ExecuteNonQueryAsync(ct);
            }

            settings["Database:Provider"] = "postgres";
            settings["ConnectionStrings:WalletDesk"] = new NpgsqlConnectionStringBuilder(postgresAdmin) { Database = database, CommandTimeout = 300 }.ConnectionString;
        }

        var app = CliHost.Build(settings);
        var scratch = new ScratchKnowledgeBase(app, postgresAdmin is null ? "SQLite" : "PostgreSQL", folder, postgresAdmin, database);
        if (await KnowledgeCommands.PrepareAsync(app, ct) is { } problem)
        {
            await scratch.DisposeAsync();
            throw new InvalidOperationException(problem);
        }

        return scratch;
    }

    /// <summary>Leaves the database in place when disposed; returns its name (PostgreSQL) or folder (SQLite).</summary>
    public string Keep()
    {
        _keep = true;
        return _postgresDatabase ?? _folder;
    }

    public AppDbContext CreateContext() => App.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext();

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_keep)
        {
            return;
        }

        if (_postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_postgresAdmin);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS temp cleaner.
        }
    }
}

/// <summary>Reports on the caller's thread (<see cref="Progress{T}"/> would post to the thread pool and print out of order).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
