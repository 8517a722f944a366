using System.CommandLine;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Spectre.Console;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Features.Wallet.Ledger;

namespace WalletDesk.Cli.Commands;

/// <summary>
/// <c>walletdesk bench wallet</c>: transfers per second through the reference ledger (idempotency check, account lock,
/// limit check, balanced posting, all in one database transaction) next to raw single-row inserts measured in the same
/// run on the same database, on SQLite and (when a connection string is given) PostgreSQL.
/// </summary>
internal static class WalletBench
{
    public static Command Create()
    {
        var transfers = new Option<int>("--transfers") { Description = "Transfers per database.", DefaultValueFactory = _ => 3000 };
        var accounts = new Option<int>("--accounts") { Description = "Accounts the transfers move money between.", DefaultValueFactory = _ => 50 };
        var parallel = new Option<int>("--parallel") { Description = "Concurrent workers.", DefaultValueFactory = _ => 4 };
        var postgres = new Option<string?>("--postgres")
        {
            Description = "PostgreSQL admin connection string (a scratch database is created and dropped). Default: WALLETDESK_BENCH_POSTGRES, then WALLETDESK_TEST_POSTGRES.",
        };
        var command = new Command("wallet", "Benchmark ledger transfers per second against raw single-row inserts (SQLite, and PostgreSQL when configured).") { transfers, accounts, parallel, postgres };
        command.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(transfers);
            var a = parse.GetValue(accounts);
            var p = parse.GetValue(parallel);
            if (n < 10 || a < 2 || p < 1 || p > 64)
            {
                await Console.Error.WriteLineAsync("walletdesk: need --transfers >= 10, --accounts >= 2, 1 <= --parallel <= 64.");
                return 2;
            }

            var pg = parse.GetValue(postgres) ?? Environment.GetEnvironmentVariable("WALLETDESK_BENCH_POSTGRES") ?? Environment.GetEnvironmentVariable("WALLETDESK_TEST_POSTGRES");
            var results = new List<BenchResult> { await RunSqliteAsync(n, a, p, ct) };
            if (!string.IsNullOrWhiteSpace(pg))
            {
                results.Add(await RunPostgresAsync(pg, n, a, p, ct));
            }

            var table = new Table().AddColumns("database", "transfers/s", "p50 ms", "p95 ms", "raw inserts/s", "ratio (transfers / inserts)", "ledger balanced");
            foreach (var r in results)
            {
                table.AddRow(r.Database, F(r.TransfersPerSecond), F(r.P50Ms, "0.00"), F(r.P95Ms, "0.00"), F(r.InsertsPerSecond), F(r.TransfersPerSecond / r.InsertsPerSecond, "0.00"), r.Balanced ? "yes" : "NO");
            }

            AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{n} transfers and {n} raw inserts per database, {a} accounts, {p} workers, {Environment.ProcessorCount} cores"));
            AnsiConsole.Write(table);
            if (pg is null)
            {
                AnsiConsole.WriteLine("PostgreSQL skipped: pass --postgres or set WALLETDESK_BENCH_POSTGRES.");
            }

            return results.All(r => r.Balanced) ? 0 : 1;
        });
        return command;
    }

    private sealed record BenchResult(string Database, double TransfersPerSecond, double P50Ms, double P95Ms, double InsertsPerSecond, bool Balanced);

    private static async Task<BenchResult> RunSqliteAsync(int transfers, int accounts, int parallel, CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"walletdesk-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var connection = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "bench.db"), DefaultTimeout = 30 }.ConnectionString;
            return await RunAsync("SQLite (WAL, synchronous=NORMAL)", false, connection, transfers, accounts, parallel, ct);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<BenchResult> RunPostgresAsync(string admin, int transfers, int accounts, int parallel, CancellationToken ct)
    {
        var name = "wd_bench_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }

        try
        {
            var scratch = new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = Math.Max(20, parallel * 2) }.ConnectionString;
            return await RunAsync("PostgreSQL", true, scratch, transfers, accounts, parallel, ct);
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

    private static async Task<BenchResult> RunAsync(string label, bool postgres, string connectionString, int transfers, int accounts, int parallel, CancellationToken ct)
    {
        var factory = new Contexts(postgres, connectionString);
        await using (var db = factory.CreateDbContext())
        {
            await db.Database.MigrateAsync(ct);
        }

        var options = Options.Create(new WalletOptions { RiskReviewThresholdMinor = long.MaxValue / 4, DailyLimitByTier = [long.MaxValue / 4, long.MaxValue / 4, long.MaxValue / 4, long.MaxValue / 4] });
        var ledger = new LedgerService(factory, TimeProvider.System, options);
        var ids = new List<Guid>();
        for (var i = 0; i < accounts; i++)
        {
            var account = await ledger.OpenAccountAsync(new OpenAccountRequest($"bench-{i}", $"Bench {i}", null, "UTC", 3, KycStates.Verified, ["CNY"]), ct);
            var card = await ledger.AddFundingSourceAsync(account.Id, FundingKinds.Card, "Visa", "4242", ct: ct);
            await ledger.TopUpAsync(account.Id, card.Id, 1_000_000_000, "CNY", $"bench-topup-{i}", ct);
            ids.Add(account.Id);
        }

        AnsiConsole.WriteLine($"{label}: {transfers} transfers...");
        var latencies = new double[transfers];
        var next = -1;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            int index;
            while ((index = Interlocked.Increment(ref next)) < transfers)
            {
                var from = ids[random.Next(ids.Count)];
                var to = ids[random.Next(ids.Count - 1)];
                to = to == from ? ids[^1] : to;
                var started = Stopwatch.GetTimestamp();
                await ledger.TransferAsync(from, to, random.Next(100, 10_000), "CNY", $"bench-{index}", ct: ct);
                latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }, ct)));
        var transferRate = transfers / stopwatch.Elapsed.TotalSeconds;

        AnsiConsole.WriteLine($"{label}: {transfers} raw single-row inserts...");
        await using (var db = factory.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync(postgres
                ? "CREATE TABLE bench_rows (id bigint PRIMARY KEY, payload text NOT NULL, created bigint NOT NULL)"
                : "CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, payload TEXT NOT NULL, created INTEGER NOT NULL)", ct);
        }

        next = -1;
        stopwatch.Restart();
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            await using var db = factory.CreateDbContext();
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO bench_rows (id, payload, created) VALUES (@id, @payload, @created)";
            var id = Parameter(command, "@id");
            var payload = Parameter(command, "@payload");
            var created = Parameter(command, "@created");
            int index;
            while ((index = Interlocked.Increment(ref next)) < transfers)
            {
                id.Value = (long)index;
                payload.Value = $"transfer-sized row {index}";
                created.Value = Stopwatch.GetTimestamp();
                await command.ExecuteNonQueryAsync(ct);
            }
        }, ct)));
        var insertRate = transfers / stopwatch.Elapsed.TotalSeconds;

        bool balanced;
        await using (var db = factory.CreateDbContext())
        {
            var total = await db.WalletBooks.SumAsync(b => b.Balance, ct);
            var unbalancedPostings = await db.WalletJournal.GroupBy(e => e.PostingId).Where(g => g.Sum(e => e.Amount) != 0).CountAsync(ct);
            var negative = await db.WalletBooks.CountAsync(b => !b.AllowNegative && b.Balance < 0, ct);
            balanced = total == 0 && unbalancedPostings == 0 && negative == 0;
        }

        Array.Sort(latencies);
        return new BenchResult(label, transferRate, latencies[transfers / 2], latencies[(int)(transfers * 0.95)], insertRate, balanced);
    }

    private static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static string F(double value, string format = "0") => value.ToString(format, CultureInfo.InvariantCulture);

    private sealed class Contexts(bool postgres, string connectionString) : IDbContextFactory<AppDbContext>
    {
        public AppDbContext CreateDbContext() => DataModule.CreateContext(postgres, connectionString);
    }
}
