using System.CommandLine;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Spectre.Console;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Insights;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Cli.Commands;

/// <summary>
/// <c>walletdesk bench insights</c>: bulk-loads a year of tickets (the inbox bench's generator), builds the rollups, then
/// times each dashboard read as the console runs it next to the plain aggregate over the tickets table that the same
/// figure would otherwise need, in the same run, on SQLite and (with a connection string) PostgreSQL.
/// </summary>
internal static class InsightsBench
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var postgres = new Option<string?>("--postgres") { Description = "PostgreSQL admin connection string (a scratch database is created and dropped). Without it: SQLite only." };
        var tickets = new Option<int?>("--tickets") { Description = "Tickets bulk-loaded. Default: 100,000 on SQLite, 1,000,000 on PostgreSQL." };
        var iterations = new Option<int>("--iterations") { Description = "Timed runs of each read after warm-up (a read stops early after 30 s).", DefaultValueFactory = _ => 100 };
        var skipSqlite = new Option<bool>("--skip-sqlite") { Description = "Run PostgreSQL only." };
        var command = new Command("insights", "Benchmark the insight dashboards (rollup reads) against raw aggregates over the tickets.") { postgres, tickets, iterations, skipSqlite };
        command.SetAction(async (parse, ct) =>
        {
            var pg = parse.GetValue(postgres);
            var runs = parse.GetValue(iterations);
            if (runs < 1 || parse.GetValue(tickets) is < 1000)
            {
                await Console.Error.WriteLineAsync("walletdesk: need --iterations >= 1 and --tickets >= 1000.");
                return 2;
            }

            if (!await BenchConsole.ProvidersChosenAsync(parse.GetValue(skipSqlite), pg))
            {
                return 2;
            }

            var ok = true;
            if (!parse.GetValue(skipSqlite))
            {
                ok &= await RunSqliteAsync(parse.GetValue(tickets) ?? 100_000, runs, ct);
            }

            if (!string.IsNullOrWhiteSpace(pg))
            {
                ok &= await RunPostgresAsync(pg, parse.GetValue(tickets) ?? 1_000_000, runs, ct);
            }

            return ok ? 0 : 1;
        });
        return command;
    }

    private static async Task<bool> RunSqliteAsync(int count, int runs, CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"walletdesk-bench-insights-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var connection = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "bench.db"), DefaultTimeout = 30 }.ConnectionString;
            return await RunAsync(new Target("SQLite", false, connection, folder), count, runs, ct);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<bool> RunPostgresAsync(string admin, int count, int runs, CancellationToken ct)
    {
        var name = "wd_bench_insights_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }

        try
        {
            var scratch = new NpgsqlConnectionStringBuilder(admin) { Database = name, CommandTimeout = 600 }.ConnectionString;
            return await RunAsync(new Target("PostgreSQL", true, scratch, Path.GetTempPath()), count, runs, ct);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task<bool> RunAsync(Target target, int count, int runs, CancellationToken ct)
    {
        await using var app = CliHost.Build(new Dictionary<string, string?>
        {
            ["WALLETDESK_DATA_DIR"] = target.DataDirectory,
            ["Database:Provider"] = target.IsPostgres ? "postgres" : "sqlite",
            ["ConnectionStrings:WalletDesk"] = target.ConnectionString,
        });
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct))
        {
            await db.Database.MigrateAsync(ct);
        }

        AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{target.Label}: bulk-loading {count:N0} tickets over a year..."));
        var load = await TicketBenchInbox.LoadAsync(target, count, ct);
        AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{target.Label}: loaded {load.Tickets:N0} tickets in {load.Seconds:0.0} s"));

        var started = Stopwatch.StartNew();
        RollupRebuild rebuilt;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            rebuilt = await scope.ServiceProvider.GetRequiredService<ArrivalRollup>().RebuildAsync(ct);
        }

        AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{target.Label}: rollup rebuilt from {rebuilt.Tickets:N0} tickets into {rebuilt.Rows:N0} rows in {started.Elapsed.TotalSeconds:0.0} s; verification against a direct count: {(rebuilt.Mismatches.Count == 0 ? "equal" : $"{rebuilt.Mismatches.Count} MISMATCHES")}"));

        var now = TimeProvider.System.GetUtcNow();
        var hour = ArrivalRollup.HourOf(now);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var chat = new StaffingTarget(0.8, TimeSpan.FromSeconds(20), 0.3, 1, 3);
        var reads = new (string Name, Func<InsightsQueries, Task<int>> Dashboard, Func<DbConnection, Task<int>> Raw)[]
        {
            ("heatmap, 4 weeks", async q => (await q.HeatmapAsync(now.AddDays(-28), now, null, zone, ct)).Total, c => RawHourlyAsync(target, c, now.AddDays(-28), now, ct)),
            ("heatmap, 52 weeks", async q => (await q.HeatmapAsync(now.AddDays(-364), now, null, zone, ct)).Total, c => RawHourlyAsync(target, c, now.AddDays(-364), now, ct)),
            ("forecast + backtest, all channels", async q => (await q.ForecastAsync(null, ct)).Hours.Count, c => RawHourlyAsync(target, c, hour.AddDays(-56), hour, ct)),
            ("staffing plan, chat", async q => (await q.StaffingAsync(TicketChannels.Chat, chat, null, zone, ct)).Count, c => RawHourlyAsync(target, c, hour.AddDays(-56), hour, ct)),
            ("spikes, last hour", async q => (await q.SpikesAsync(hour.AddHours(-1), ct)).Count, c => RawSpikesAsync(target, c, hour.AddHours(-1), ct)),
        };

        var table = new Table().Title(string.Create(CultureInfo.InvariantCulture, $"{target.Label}: insight reads over {load.TotalTickets:N0} tickets (fresh scope each run)"))
            .AddColumns("dashboard", "runs", "p50 ms", "p99 ms", "raw aggregate p50 ms", "raw p99 ms", "ratio raw / rollup (p99)");
        var ok = rebuilt.Mismatches.Count == 0;
        foreach (var (name, dashboard, raw) in reads)
        {
            var rollup = await TimeAsync(runs, async () =>
            {
                await using var scope = app.Services.CreateAsyncScope();
                return await dashboard(scope.ServiceProvider.GetRequiredService<InsightsQueries>());
            });
            var direct = await TimeAsync(runs, async () =>
            {
                await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);
                await db.Database.OpenConnectionAsync(ct);
                return await raw(db.Database.GetDbConnection());
            });
            ok &= rollup.P99 < 300;
            table.AddRow(name, rollup.Runs.ToString(CultureInfo.InvariantCulture), TicketBench.F(rollup.P50, "0.00"),
                rollup.P99 < 300 ? TicketBench.F(rollup.P99, "0.00") : $"[red]{TicketBench.F(rollup.P99, "0.00")}[/]",
                TicketBench.F(direct.P50, "0.00"), TicketBench.F(direct.P99, "0.00"), TicketBench.F(direct.P99 / rollup.P99, "0.0"));
            AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{target.Label}: {name}: rollup p50 {rollup.P50:0.00} / p99 {rollup.P99:0.00} ms; raw p50 {direct.P50:0.00} / p99 {direct.P99:0.00} ms"));
        }

        var refresh = await TimeAsync(Math.Min(runs, 20), async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ArrivalRollup>().RefreshAsync(ct);
            return 1;
        });
        table.AddRow("incremental refresh (the job's tick)", refresh.Runs.ToString(CultureInfo.InvariantCulture), TicketBench.F(refresh.P50, "0.00"), TicketBench.F(refresh.P99, "0.00"), "", "", "");
        AnsiConsole.Write(table);
        return ok;
    }

    private static async Task<(int Runs, double P50, double P99)> TimeAsync(int runs, Func<Task<int>> read)
    {
        for (var i = 0; i < 3; i++)
        {
            await read();
        }

        var latencies = new List<double>(runs);
        var budget = Stopwatch.StartNew();
        while (latencies.Count < runs && (latencies.Count == 0 || budget.Elapsed < Budget))
        {
            var started = Stopwatch.GetTimestamp();
            await read();
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var sorted = latencies.Order().ToArray();
        return (sorted.Length, TicketBench.Percentile(sorted, 0.5), TicketBench.Percentile(sorted, 0.99));
    }

    // What a dashboard would run without the rollup: tickets per hour over the range, grouped in SQL.
    private static async Task<int> RawHourlyAsync(Target target, DbConnection connection, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = target.IsPostgres
            ? "SELECT floor(extract(epoch FROM \"CreatedAt\") / 3600) AS h, count(*) FROM tickets WHERE \"CreatedAt\" >= @from AND \"CreatedAt\" < @to GROUP BY h"
            : "SELECT \"CreatedAt\" / 36000000000 AS h, count(*) FROM tickets WHERE \"CreatedAt\" >= @from AND \"CreatedAt\" < @to GROUP BY h";
        AddTime(command, target, "@from", from);
        AddTime(command, target, "@to", to);
        return await CountRowsAsync(command, ct);
    }

    // Without the rollup: per category for the hour and the same hour in each of the past eight weeks.
    private static async Task<int> RawSpikesAsync(Target target, DbConnection connection, DateTimeOffset hour, CancellationToken ct)
    {
        var rows = 0;
        for (var week = 0; week <= 8; week++)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT \"Category\", count(*) FROM tickets WHERE \"CreatedAt\" >= @from AND \"CreatedAt\" < @to GROUP BY \"Category\"";
            AddTime(command, target, "@from", hour.AddDays(-7 * week));
            AddTime(command, target, "@to", hour.AddDays(-7 * week).AddHours(1));
            rows += await CountRowsAsync(command, ct);
        }

        return rows;
    }

    private static void AddTime(DbCommand command, Target target, string name, DateTimeOffset at)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = target.IsPostgres ? at : at.UtcTicks; // SQLite keeps UTC ticks (UtcTicksConverter)
        command.Parameters.Add(parameter);
    }

    private static async Task<int> CountRowsAsync(DbCommand command, CancellationToken ct)
    {
        var rows = 0;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows++;
        }

        return rows;
    }
}
