using System.CommandLine;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using Spectre.Console;

namespace WalletDesk.Cli.Commands;

/// <summary>
/// <c>walletdesk bench tickets</c>: tickets created per second through the real server (a child process, customer
/// tokens, HTTP) next to raw single-row inserts on the same database in the same run, then inbox query latency
/// (<see cref="WalletDesk.Server.Features.Tickets.TicketQuery"/>) over a bulk-loaded inbox, on SQLite and
/// (when a connection string is given) PostgreSQL. Every database is a fresh scratch one, removed afterwards.
/// </summary>
internal static class TicketBench
{
    public static Command Create()
    {
        var postgres = new Option<string?>("--postgres")
        {
            Description = "PostgreSQL admin connection string (a scratch database is created and dropped). Without it: SQLite only.",
        };
        var creates = new Option<int>("--creates") { Description = "Tickets created through the API per database.", DefaultValueFactory = _ => 2000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent clients (API and raw inserts).", DefaultValueFactory = _ => 8 };
        var customers = new Option<int>("--customers") { Description = "Distinct customers (tokens) creating tickets through the API.", DefaultValueFactory = _ => 200 };
        var inbox = new Option<int?>("--inbox-tickets") { Description = "Tickets bulk-loaded for the inbox queries. Default: 100,000 on SQLite, 1,000,000 on PostgreSQL." };
        var iterations = new Option<int>("--iterations") { Description = "Timed runs of each inbox query after warm-up; a query stops early after 45 s (the runs column says how many).", DefaultValueFactory = _ => 200 };
        var skipSqlite = new Option<bool>("--skip-sqlite") { Description = "Run PostgreSQL only." };
        var keep = new Option<bool>("--keep") { Description = "Keep the scratch databases (their location is printed) to investigate plans afterwards." };
        var command = new Command("tickets", "Benchmark ticket creation through the API against raw inserts, and inbox query latency over a large inbox.")
        {
            postgres, creates, concurrency, customers, inbox, iterations, skipSqlite, keep,
        };
        command.SetAction(async (parse, ct) =>
        {
            var settings = new Settings(parse.GetValue(creates), parse.GetValue(concurrency), parse.GetValue(customers), parse.GetValue(iterations), parse.GetValue(keep));
            var inboxTickets = parse.GetValue(inbox);
            if (settings.Creates < 10 || settings.Concurrency is < 1 or > 128 || settings.Customers < 1 || settings.Iterations < 1 || inboxTickets is < 1000)
            {
                await Console.Error.WriteLineAsync("walletdesk: need --creates >= 10, 1 <= --concurrency <= 128, --customers >= 1, --iterations >= 1, --inbox-tickets >= 1000.");
                return 2;
            }

            var pg = parse.GetValue(postgres);
            if (!await BenchConsole.ProvidersChosenAsync(parse.GetValue(skipSqlite), pg))
            {
                return 2;
            }

            AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"walletdesk bench tickets: {settings.Creates} creates at concurrency {settings.Concurrency} by {settings.Customers} customers, {settings.Iterations} runs per inbox query, {Environment.ProcessorCount} cores"));
            var results = new List<ProviderResult>();
            if (!parse.GetValue(skipSqlite))
            {
                results.Add(await RunSqliteAsync(settings, inboxTickets ?? 100_000, ct));
            }

            if (!string.IsNullOrWhiteSpace(pg))
            {
                results.Add(await RunPostgresAsync(pg, settings, inboxTickets ?? 1_000_000, ct));
            }
            else
            {
                AnsiConsole.WriteLine("PostgreSQL skipped: pass --postgres \"Host=...;Username=...;Database=postgres\".");
            }

            PrintSummary(results);
            return results.All(r => r.Api.Failed == 0 && r.Queries.All(q => q.Rows > 0)) ? 0 : 1;
        });
        return command;
    }

    internal sealed record Settings(int Creates, int Concurrency, int Customers, int Iterations, bool Keep);

    internal sealed record ProviderResult(string Database, ApiFigures Api, RawFigures Raw, LoadFigures Load, IReadOnlyList<QueryFigures> Queries);

    private static async Task<ProviderResult> RunSqliteAsync(Settings settings, int inboxTickets, CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"walletdesk-bench-tickets-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var connection = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "bench.db"), DefaultTimeout = 30 }.ConnectionString;
            return await RunAsync(new Target("SQLite", false, connection, Path.Combine(folder, "data")), settings, inboxTickets, ct);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (settings.Keep)
            {
                AnsiConsole.WriteLine($"Kept SQLite scratch database: {Path.Combine(folder, "bench.db")}");
            }
            else
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static async Task<ProviderResult> RunPostgresAsync(string admin, Settings settings, int inboxTickets, CancellationToken ct)
    {
        var name = "wd_bench_tickets_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }

        var folder = Path.Combine(Path.GetTempPath(), $"walletdesk-bench-tickets-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var scratch = new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = Math.Max(20, settings.Concurrency * 2), CommandTimeout = 300 }.ConnectionString;
            return await RunAsync(new Target("PostgreSQL", true, scratch, Path.Combine(folder, "data")), settings, inboxTickets, ct);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
            if (settings.Keep)
            {
                AnsiConsole.WriteLine($"Kept PostgreSQL scratch database: {name} (drop it with DROP DATABASE \"{name}\" WITH (FORCE))");
            }
            else
            {
                await using var connection = new NpgsqlConnection(admin);
                await connection.OpenAsync(CancellationToken.None);
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
    }

    private static async Task<ProviderResult> RunAsync(Target target, Settings settings, int inboxTickets, CancellationToken ct)
    {
        Directory.CreateDirectory(target.DataDirectory);
        AnsiConsole.WriteLine($"{target.Label}: starting WalletDesk.Server and creating {settings.Creates} tickets through POST /api/me/tickets...");
        var api = await TicketBenchApi.CreateThroughApiAsync(target, settings, ct);
        AnsiConsole.WriteLine($"{target.Label}: {settings.Creates} raw single-row inserts (baseline)...");
        var raw = await TicketBenchApi.RawInsertsAsync(target, settings, ct);

        var creation = new Table().Title($"{target.Label}: ticket creation").AddColumns("", "count", "per second", "p50 ms", "p99 ms", "wall s");
        creation.AddRow("API: POST /api/me/tickets (server process)", I(api.Created), F(api.PerSecond), F(api.P50, "0.00"), F(api.P99, "0.00"), F(api.Seconds, "0.0"));
        creation.AddRow("baseline: raw 1-row INSERT, 1 commit each", I(raw.Count), F(raw.PerSecond), F(raw.P50, "0.00"), F(raw.P99, "0.00"), F(raw.Seconds, "0.0"));
        creation.AddRow("[bold]ratio api / raw[/]", "", F(api.PerSecond / raw.PerSecond, "0.00"), "", "", "");
        AnsiConsole.Write(creation);
        if (api.Failed > 0)
        {
            AnsiConsole.MarkupLine($"[red]{api.Failed} API requests failed[/]; first: {Markup.Escape(api.FirstError ?? "")}");
        }

        AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{target.Label}: bulk-loading {inboxTickets:N0} tickets (with one message each) for the inbox..."));
        var load = await TicketBenchInbox.LoadAsync(target, inboxTickets, ct);
        AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{target.Label}: loaded {load.Tickets:N0} tickets, {load.Messages:N0} messages, {load.Links:N0} transaction links, {load.Customers:N0} customers in {load.Seconds:0.0} s ({load.Tickets / load.Seconds:N0} tickets/s); inbox now holds {load.TotalTickets:N0} tickets"));
        var queries = await TicketBenchInbox.TimeQueriesAsync(target, load, settings.Iterations, ct);
        var table = new Table().Title(string.Create(CultureInfo.InvariantCulture, $"{target.Label}: inbox queries over {load.TotalTickets:N0} tickets (TicketQuery.ListAsync, fresh DbContext each)"))
            .AddColumns("query", "rows", "runs", "p50 ms", "p99 ms", "max ms");
        foreach (var q in queries)
        {
            var slow = q.P99 > 100;
            table.AddRow(Markup.Escape(q.Name), I(q.Rows), I(q.Runs), F(q.P50, "0.00"), slow ? $"[red]{F(q.P99, "0.00")}[/]" : F(q.P99, "0.00"), F(q.Max, "0.00"));
        }

        AnsiConsole.Write(table);
        return new ProviderResult(target.Label, api, raw, load, queries);
    }

    private static void PrintSummary(IReadOnlyList<ProviderResult> results)
    {
        if (results.Count == 0)
        {
            return;
        }

        var summary = new Table().Title("Summary").AddColumns("database", "API tickets/s", "API p50 / p99 ms", "raw inserts/s", "ratio api/raw", "inbox tickets", "bulk load s", "slowest query p99 ms");
        foreach (var r in results)
        {
            var slowest = r.Queries.MaxBy(q => q.P99)!;
            summary.AddRow(
                r.Database, F(r.Api.PerSecond), $"{F(r.Api.P50, "0.0")} / {F(r.Api.P99, "0.0")}", F(r.Raw.PerSecond), F(r.Api.PerSecond / r.Raw.PerSecond, "0.00"),
                I(r.Load.TotalTickets), F(r.Load.Seconds, "0.0"), $"{F(slowest.P99, "0.0")} ({Markup.Escape(slowest.Name)})");
        }

        AnsiConsole.Write(summary);
    }

    internal static string F(double value, string format = "0") => value.ToString(format, CultureInfo.InvariantCulture);

    internal static string I(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Percentile of an ascending-sorted sample (nearest rank).</summary>
    internal static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>One scratch database: the provider, its connection string and a data folder for the server child process.</summary>
internal sealed record Target(string Label, bool IsPostgres, string ConnectionString, string DataDirectory);
