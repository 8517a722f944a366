using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Customers;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Cli.Commands;

internal sealed record LoadFigures(int Tickets, int Messages, int Links, int Customers, double Seconds, long TotalTickets, Guid Me, long SampleId, string SampleReference);

internal sealed record QueryFigures(string Name, int Rows, int Runs, double P50, double P99, double Max);

/// <summary>
/// Bulk-loads a realistic inbox straight into the schema the migrations created (multi-row INSERTs in transactions on
/// SQLite, binary COPY on PostgreSQL), then times the inbox queries through <see cref="TicketQuery"/> as the console runs them.
/// </summary>
internal static class TicketBenchInbox
{
    private const int CustomerCount = 2000;
    private const int AgentCount = 5;
    private const int DeepPage = 200;
    private static readonly TimeSpan QueryBudget = TimeSpan.FromSeconds(45);

    private static readonly (string Name, NpgsqlDbType Type)[] TicketColumns =
    [
        ("Id", NpgsqlDbType.Bigint), ("CustomerId", NpgsqlDbType.Uuid), ("Subject", NpgsqlDbType.Varchar), ("Channel", NpgsqlDbType.Varchar),
        ("Category", NpgsqlDbType.Varchar), ("Priority", NpgsqlDbType.Varchar), ("Status", NpgsqlDbType.Varchar), ("Group", NpgsqlDbType.Varchar),
        ("AssigneeId", NpgsqlDbType.Uuid), ("Tags", NpgsqlDbType.Varchar), ("Language", NpgsqlDbType.Varchar), ("CreatedAt", NpgsqlDbType.TimestampTz),
        ("UpdatedAt", NpgsqlDbType.TimestampTz), ("FirstResponseAt", NpgsqlDbType.TimestampTz), ("SolvedAt", NpgsqlDbType.TimestampTz),
        ("ClosedAt", NpgsqlDbType.TimestampTz), ("LastCustomerMessageAt", NpgsqlDbType.TimestampTz), ("MergedIntoId", NpgsqlDbType.Bigint),
        ("ParentId", NpgsqlDbType.Bigint), ("ClientRequestId", NpgsqlDbType.Varchar), ("NextSlaDueAt", NpgsqlDbType.TimestampTz), ("MessageCount", NpgsqlDbType.Integer),
    ];

    private static readonly (string Name, NpgsqlDbType Type)[] MessageColumns =
    [
        ("TicketId", NpgsqlDbType.Bigint), ("Seq", NpgsqlDbType.Integer), ("AuthorType", NpgsqlDbType.Varchar), ("AuthorId", NpgsqlDbType.Varchar),
        ("AuthorName", NpgsqlDbType.Varchar), ("Visibility", NpgsqlDbType.Varchar), ("Body", NpgsqlDbType.Varchar), ("Channel", NpgsqlDbType.Varchar),
        ("Redactions", NpgsqlDbType.Varchar), ("ClientMessageId", NpgsqlDbType.Varchar), ("CreatedAt", NpgsqlDbType.TimestampTz),
    ];

    private static readonly (string Name, NpgsqlDbType Type)[] LinkColumns =
    [
        ("TicketId", NpgsqlDbType.Bigint), ("TransactionReference", NpgsqlDbType.Varchar), ("LinkedAt", NpgsqlDbType.TimestampTz),
    ];

    private static readonly (string Key, int Weight)[] CategoryWeights =
    [
        ("transfer_delayed", 18), ("topup_failed", 12), ("payment_failed", 10), ("refund", 10), ("incorrect_amount", 8), ("link_bank_or_card", 8),
        ("account_locked", 7), ("password_2fa_recovery", 7), ("account_setup", 6), ("fees_limits", 5), ("other", 5), ("security", 4),
    ];

    private static readonly (string Status, int Weight)[] StatusWeights =
    [
        (TicketStatuses.New, 8), (TicketStatuses.Open, 17), (TicketStatuses.PendingCustomer, 10), (TicketStatuses.OnHold, 5), (TicketStatuses.Solved, 25), (TicketStatuses.Closed, 35),
    ];

    private static readonly (string Channel, int Weight)[] ChannelWeights =
    [
        (TicketChannels.InApp, 40), (TicketChannels.Web, 20), (TicketChannels.Email, 20), (TicketChannels.Chat, 15), (TicketChannels.Phone, 4), (TicketChannels.Social, 1),
    ];

    private static readonly (string Tag, double Share)[] TagShares =
    [
        ("refund", 0.08), ("bank-delay", 0.06), ("callback", 0.05), ("kyc", 0.04), ("vip", 0.03), ("escalated", 0.03), ("chargeback", 0.02), ("duplicate", 0.02), ("fraud-check", 0.02),
    ];

    private static readonly string[] Subjects =
    [
        "Transfer has not arrived", "Top-up failed", "Charged twice", "Cannot link my card", "Refund missing", "Locked out of my account",
        "Withdrawal limit question", "Verification keeps failing", "Payment declined at shop", "Lost my 2FA phone", "Strange login alert", "转账未到账", "充值失败",
    ];

    private static readonly string[] Openings =
    [
        "Hello, I need help with my wallet. ", "Hi team, ", "Good morning. ", "您好，", "Hi, this is the second time I write about this. ",
    ];

    private static readonly string[] Middles =
    [
        "I sent money to a friend two days ago and it still shows as processing on their side.",
        "My bank says the top-up went through but the wallet balance did not change.",
        "The merchant took the payment twice and only one order was delivered.",
        "Whenever I add my card the app says the bank declined the verification.",
        "I changed my phone and now the app asks for a code I never receive.",
        "我昨天转账给家人，到现在还没有到账，请帮忙查询。",
    ];

    private static readonly string[] Closings = [" Thanks.", " Please call me back.", " Can you check quickly?", " 谢谢。", ""];

    public static async Task<LoadFigures> LoadAsync(Target target, int count, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var now = TimeProvider.System.GetUtcNow();
        var customers = Enumerable.Range(0, CustomerCount).Select(i => new Customer
        {
            Id = Guid.CreateVersion7(),
            ExternalId = $"inbox-customer-{i.ToString("D5", CultureInfo.InvariantCulture)}",
            DisplayName = $"Inbox Customer {i.ToString(CultureInfo.InvariantCulture)}",
            Email = $"customer{i.ToString(CultureInfo.InvariantCulture)}@example.com",
            Locale = i % 6 == 0 ? "zh" : "en",
            CreatedAt = now.AddDays(-400),
        }).ToList();
        var agents = Enumerable.Range(0, AgentCount).Select(_ => Guid.CreateVersion7()).ToArray();

        long firstId;
        await using (var db = DataModule.CreateContext(target.IsPostgres, target.ConnectionString))
        {
            db.Customers.AddRange(customers);
            await db.SaveChangesAsync(ct);
            firstId = (await db.Tickets.MaxAsync(t => (long?)t.Id, ct) ?? 0) + 1;
        }

        var customerIds = customers.Select(c => c.Id).ToArray();
        TicketSpec Spec(int i) => Generate(i, firstId + i, customerIds, agents, now);
        var specs = Enumerable.Range(0, count).Select(Spec);
        var ticketRows = specs.Select(s => s.TicketRow());
        var messageRows = specs.Select(s => s.MessageRow());
        var linkRows = specs.Where(s => s.Reference is not null).Select(s => s.LinkRow());

        int tickets, messages, links;
        if (target.IsPostgres)
        {
            await using var connection = new NpgsqlConnection(target.ConnectionString);
            await connection.OpenAsync(ct);
            tickets = await CopyAsync(connection, "tickets", TicketColumns, ticketRows, ct);
            messages = await CopyAsync(connection, "ticket_messages", MessageColumns, messageRows, ct);
            links = await CopyAsync(connection, "ticket_transactions", LinkColumns, linkRows, ct);
            await using (var sequence = new NpgsqlCommand("SELECT setval(pg_get_serial_sequence('tickets', 'Id'), (SELECT MAX(\"Id\") FROM tickets))", connection))
            {
                await sequence.ExecuteNonQueryAsync(ct);
            }

            // What autovacuum does shortly after a large load anyway; measured queries should see steady-state statistics.
            await using var analyze = new NpgsqlCommand("ANALYZE", connection);
            await analyze.ExecuteNonQueryAsync(ct);
        }
        else
        {
            // The interceptor's pragmas (WAL, synchronous=NORMAL, foreign keys) apply, as in the server.
            await using var db = DataModule.CreateContext(false, target.ConnectionString);
            await db.Database.OpenConnectionAsync(ct);
            var connection = db.Database.GetDbConnection();
            tickets = await InsertAsync(connection, "tickets", TicketColumns, ticketRows, ct);
            messages = await InsertAsync(connection, "ticket_messages", MessageColumns, messageRows, ct);
            links = await InsertAsync(connection, "ticket_transactions", LinkColumns, linkRows, ct);

            // The server runs PRAGMA optimize at every start, so a running desk plans with statistics; give the bench the same.
            await db.Database.ExecuteSqlRawAsync("PRAGMA optimize=0x10002", ct);
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        long total;
        await using (var db = DataModule.CreateContext(target.IsPostgres, target.ConnectionString))
        {
            total = await db.Tickets.LongCountAsync(ct);
        }

        var sampleIndex = count / 2;
        var referenceIndex = Enumerable.Range(count / 3, count - count / 3).First(i => Spec(i).Reference is not null);
        return new LoadFigures(tickets, messages, links, customers.Count, seconds, total, agents[0], firstId + sampleIndex, Spec(referenceIndex).Reference!);
    }

    public static async Task<IReadOnlyList<QueryFigures>> TimeQueriesAsync(Target target, LoadFigures load, int iterations, CancellationToken ct)
    {
        async Task<TicketPageResponse> RunAsync(TicketFilter filter)
        {
            await using var db = DataModule.CreateContext(target.IsPostgres, target.ConnectionString);
            return await new TicketQuery(db, TimeProvider.System).ListAsync(filter, load.Me, ct);
        }

        // The deep page is reached the way the console reaches it: by following each page's cursor.
        string? cursor = null;
        var page = 1;
        while (page < DeepPage)
        {
            var next = (await RunAsync(new TicketFilter(View: "open", Cursor: cursor))).NextCursor;
            if (next is null)
            {
                break;
            }

            cursor = next;
            page++;
        }

        var queries = new (string Name, TicketFilter Filter)[]
        {
            ("open, by updated, page 1", new TicketFilter(View: "open")),
            ($"open, by updated, page {page.ToString(CultureInfo.InvariantCulture)} (cursor)", new TicketFilter(View: "open", Cursor: cursor)),
            ("mine (1 of 5 agents)", new TicketFilter(View: "mine")),
            ("unassigned", new TicketFilter(View: "unassigned")),
            ("open, group payments + category transfer_delayed", new TicketFilter(View: "open", Group: TicketGroups.Payments, Category: "transfer_delayed")),
            ("open, tag vip (3 %)", new TicketFilter(View: "open", Tag: "vip")),
            ("search #id", new TicketFilter(Query: "#" + load.SampleId.ToString(CultureInfo.InvariantCulture))),
            ("search transaction reference", new TicketFilter(Query: load.SampleReference)),
            ("open, by SLA due", new TicketFilter(View: "open", Sort: "sla")),
        };

        var results = new List<QueryFigures>();
        foreach (var (name, filter) in queries)
        {
            // Warm-up: five runs, fewer when one run takes seconds (the run stays bounded at 1M tickets).
            var rows = 0;
            var warmUp = Stopwatch.StartNew();
            for (var i = 0; i < 5 && (i == 0 || warmUp.Elapsed < TimeSpan.FromSeconds(5)); i++)
            {
                rows = (await RunAsync(filter)).Items.Count;
            }

            var latencies = new List<double>(iterations);
            var budget = Stopwatch.StartNew();
            while (latencies.Count < iterations && (latencies.Count == 0 || budget.Elapsed < QueryBudget))
            {
                var started = Stopwatch.GetTimestamp();
                rows = (await RunAsync(filter)).Items.Count;
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            var sorted = latencies.Order().ToArray();
            var figures = new QueryFigures(name, rows, sorted.Length, TicketBench.Percentile(sorted, 0.50), TicketBench.Percentile(sorted, 0.99), sorted[^1]);
            Spectre.Console.AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{target.Label}: {name}: {figures.Rows} rows, {figures.Runs} runs, p50 {figures.P50:0.00} ms, p99 {figures.P99:0.00} ms"));
            results.Add(figures);
        }

        return results;
    }

    private sealed record TicketSpec(
        long Id, Guid CustomerId, string Subject, string Body, string Channel, string Category, string Priority, string Status, string Group,
        Guid? AssigneeId, string Tags, string Language, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FirstResponseAt,
        DateTimeOffset? SolvedAt, DateTimeOffset? ClosedAt, DateTimeOffset? NextSlaDueAt, string? Reference, string CustomerName)
    {
        public object?[] TicketRow() =>
        [
            Id, CustomerId, Subject, Channel, Category, Priority, Status, Group, AssigneeId, Tags, Language, CreatedAt, UpdatedAt, FirstResponseAt,
            SolvedAt, ClosedAt, CreatedAt, null, null, null, NextSlaDueAt, 1,
        ];

        public object?[] MessageRow() =>
            [Id, 1, TicketActors.Customer, CustomerId.ToString(), CustomerName, "public", Body, Channel, "", null, CreatedAt];

        public object?[] LinkRow() => [Id, Reference, CreatedAt];
    }

    /// <summary>Ticket <paramref name="index"/> of the inbox, the same every time (its own seed), so messages and links can be generated in separate passes.</summary>
    private static TicketSpec Generate(int index, long id, Guid[] customers, Guid[] agents, DateTimeOffset now)
    {
        var random = new Random(index);
        var customerIndex = random.Next(customers.Length);
        var categoryKey = Pick(random, CategoryWeights);
        var category = DefaultCategories.All.First(c => c.Key == categoryKey);
        var status = Pick(random, StatusWeights);
        var active = status is TicketStatuses.New or TicketStatuses.Open or TicketStatuses.PendingCustomer or TicketStatuses.OnHold;
        Guid? assignee = status == TicketStatuses.New
            ? (random.Next(10) < 7 ? null : PickAgent(random, agents))
            : active && random.Next(10) == 0 ? null : PickAgent(random, agents);
        var group = random.Next(20) == 0 ? TicketGroups.General : category.DefaultGroup;
        var priority = random.Next(10) == 0 ? TicketPriorities.High : category.DefaultPriority;

        // Recent tickets are more common than old ones; active ones were touched within the last weeks.
        var age = TimeSpan.FromDays((active ? 30 : 365) * Math.Pow(random.NextDouble(), 1.5));
        var updated = now - age - TimeSpan.FromMilliseconds(random.Next(1000));
        var created = updated - TimeSpan.FromMinutes(random.Next(0, 7 * 24 * 60));
        DateTimeOffset? firstResponse = status == TicketStatuses.New ? null : created + TimeSpan.FromMinutes(random.Next(5, 600));
        DateTimeOffset? solved = status is TicketStatuses.Solved or TicketStatuses.Closed ? updated : null;
        DateTimeOffset? closed = status == TicketStatuses.Closed ? updated : null;
        DateTimeOffset? slaDue = active ? updated + TimeSpan.FromMinutes(random.Next(-240, 72 * 60)) : null;

        var tags = new StringBuilder(" ");
        foreach (var (tag, share) in TagShares)
        {
            if (random.NextDouble() < share)
            {
                tags.Append(tag).Append(' ');
            }
        }

        var reference = random.Next(10) < 3 ? $"TXN{(3_000_000_000L + (index * 7L)).ToString(CultureInfo.InvariantCulture)}" : null;
        var subject = Subjects[random.Next(Subjects.Length)];
        var body = Openings[random.Next(Openings.Length)] + Middles[random.Next(Middles.Length)]
            + (reference is null ? "" : $" The reference in the app is {reference}.") + Closings[random.Next(Closings.Length)];
        return new TicketSpec(
            id, customers[customerIndex], subject, body, Pick(random, ChannelWeights), categoryKey, priority, status, group, assignee, tags.ToString(),
            subject.Any(c => c > 0x2E80) ? "zh" : "en", created, updated, firstResponse, solved, closed, slaDue, reference,
            $"Inbox Customer {customerIndex.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Agent 1 carries a quarter of the load, the others share the rest.</summary>
    private static Guid PickAgent(Random random, Guid[] agents) => random.Next(4) == 0 ? agents[0] : agents[1 + random.Next(agents.Length - 1)];

    private static string Pick(Random random, (string Value, int Weight)[] weights)
    {
        var roll = random.Next(weights.Sum(w => w.Weight));
        foreach (var (value, weight) in weights)
        {
            if ((roll -= weight) < 0)
            {
                return value;
            }
        }

        return weights[^1].Value;
    }

    private static async Task<int> CopyAsync(NpgsqlConnection connection, string table, (string Name, NpgsqlDbType Type)[] columns, IEnumerable<object?[]> rows, CancellationToken ct)
    {
        var count = 0;
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {table} ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(ct);
            for (var c = 0; c < columns.Length; c++)
            {
                switch (row[c])
                {
                    case null:
                        await importer.WriteNullAsync(ct);
                        break;
                    case DateTimeOffset at:
                        await importer.WriteAsync(at.UtcDateTime, columns[c].Type, ct);
                        break;
                    case var value:
                        await importer.WriteAsync(value, columns[c].Type, ct);
                        break;
                }
            }

            count++;
        }

        await importer.CompleteAsync(ct);
        return count;
    }

    /// <summary>Multi-row parameterized INSERTs, 50 rows a statement, 20,000 rows a transaction.</summary>
    private static async Task<int> InsertAsync(DbConnection connection, string table, (string Name, NpgsqlDbType Type)[] columns, IEnumerable<object?[]> rows, CancellationToken ct)
    {
        const int rowsPerStatement = 50;
        const int rowsPerTransaction = 20_000;
        await using var full = BuildInsert(connection, table, columns, rowsPerStatement);
        var pending = new List<object?[]>(rowsPerStatement);
        DbTransaction? transaction = null;
        var inTransaction = 0;
        var count = 0;
        try
        {
            foreach (var row in rows)
            {
                transaction ??= await connection.BeginTransactionAsync(ct);
                pending.Add(row);
                if (pending.Count < rowsPerStatement)
                {
                    continue;
                }

                await ExecuteAsync(full, transaction, pending, ct);
                count += pending.Count;
                inTransaction += pending.Count;
                pending.Clear();
                if (inTransaction >= rowsPerTransaction)
                {
                    await transaction.CommitAsync(ct);
                    await transaction.DisposeAsync();
                    transaction = null;
                    inTransaction = 0;
                }
            }

            if (pending.Count > 0)
            {
                transaction ??= await connection.BeginTransactionAsync(ct);
                await using var tail = BuildInsert(connection, table, columns, pending.Count);
                await ExecuteAsync(tail, transaction, pending, ct);
                count += pending.Count;
            }

            if (transaction is not null)
            {
                await transaction.CommitAsync(ct);
            }
        }
        finally
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }
        }

        return count;
    }

    private static DbCommand BuildInsert(DbConnection connection, string table, (string Name, NpgsqlDbType Type)[] columns, int rowCount)
    {
        var command = connection.CreateCommand();
        var sql = new StringBuilder($"INSERT INTO {table} ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) VALUES ");
        for (var r = 0; r < rowCount; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Length; c++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"@p{r}_{c}");
                sql.Append(c == 0 ? "" : ", ").Append(name);
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                command.Parameters.Add(parameter);
            }

            sql.Append(')');
        }

        command.CommandText = sql.ToString();
        return command;
    }

    private static async Task ExecuteAsync(DbCommand command, DbTransaction transaction, List<object?[]> rows, CancellationToken ct)
    {
        command.Transaction = transaction;
        var columns = rows[0].Length;
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                // SQLite keeps timestamps as UTC ticks (UtcTicksConverter).
                command.Parameters[(r * columns) + c].Value = rows[r][c] switch
                {
                    null => DBNull.Value,
                    DateTimeOffset at => at.UtcTicks,
                    var value => value,
                };
            }
        }

        await command.ExecuteNonQueryAsync(ct);
    }
}
