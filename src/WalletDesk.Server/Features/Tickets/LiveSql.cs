using System.Data.Common;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace WalletDesk.Server.Features.Tickets;

/// <summary>The newest facts about one ticket's conversation that a live batch appends after.</summary>
internal sealed class LiveHead
{
    public int LastSeq { get; set; }
    public int LastPublicSeq { get; set; }

    /// <summary>The customer's latest message (its end is where a card number split across messages starts).</summary>
    public TicketMessage? PreviousCustomer { get; set; }
}

/// <summary>What <see cref="LiveSql.ReadAsync"/> found for a batch's tickets.</summary>
internal sealed class LiveReads(long[] ids)
{
    public Dictionary<long, Ticket> Tickets { get; } = new(ids.Length);

    public Dictionary<(long, string), TicketMessage> Known { get; } = [];

    public Dictionary<long, LiveHead> Heads { get; } = ids.ToDictionary(id => id, _ => new LiveHead());

    public List<TicketEvent> History { get; } = [];
}

/// <summary>
/// The statements of <see cref="TicketService.AppendLiveAsync"/> in plain ADO.NET on the context's own connection and
/// transaction, for SQLite and PostgreSQL. Column names and value encodings mirror the EF model (timestamps are UTC
/// ticks on SQLite, <c>timestamptz</c> on PostgreSQL; see UtcTicksConverter), so both paths read each other's rows.
/// Id lists are one parameter (<c>json_each</c> / <c>ANY</c>) so every statement's text is the same from batch to batch.
/// </summary>
internal sealed class LiveSql(DbTransaction transaction, bool sqlite)
{
    private const string TicketColumns = "\"Id\", \"CustomerId\", \"Subject\", \"Channel\", \"Category\", \"Priority\", \"Status\", \"Tags\", \"CreatedAt\", \"MergedIntoId\", \"FirstResponseAt\", \"LastCustomerMessageAt\", \"MessageCount\", \"NextSlaDueAt\", \"NextSlaCheckAt\"";
    private const string MessageColumns = "\"Id\", \"TicketId\", \"Seq\", \"AuthorType\", \"AuthorId\", \"AuthorName\", \"Visibility\", \"Body\", \"Channel\", \"Redactions\", \"ClientMessageId\", \"CreatedAt\"";

    private DbConnection Connection => transaction.Connection!;

    /// <summary>
    /// Everything a live batch appends after, for these tickets: the tickets themselves, locked for this transaction (row
    /// locks in id order on PostgreSQL; SQLite's write lock is the transaction's); messages already stored under one of
    /// these client ids (retried sends); each ticket's head (<see cref="LiveHead"/>); and the history the SLA clocks are
    /// computed from. Four statements, sent as one <see cref="NpgsqlBatch"/> on PostgreSQL (one round trip, the lock
    /// first), one after the other on SQLite (in process, no round trips to save).
    /// </summary>
    public async Task<LiveReads> ReadAsync(long[] ids, string[] clientIds, CancellationToken ct)
    {
        var reads = new LiveReads(ids);
        var statements = new List<(string Text, object?[] Args, Func<DbDataReader, CancellationToken, Task> Consume)>
        {
            (LockText, [IdList(ids)], (r, c) => ReadTicketsAsync(r, reads.Tickets, c)),
            (HeadsText, [IdList(ids)], (r, c) => ReadHeadsAsync(r, reads.Heads, c)),
            (EventsText, [IdList(ids)], (r, c) => ReadEventsAsync(r, reads.History, c)),
        };
        if (clientIds.Length > 0)
        {
            statements.Add((ClientIdText, [IdList(ids), sqlite ? JsonSerializer.Serialize(clientIds) : clientIds], (r, c) => ReadKnownAsync(r, reads.Known, c)));
        }

        if (sqlite)
        {
            foreach (var (text, args, consume) in statements)
            {
                await using var command = Command(text, args);
                await using var reader = await command.ExecuteReaderAsync(ct);
                await consume(reader, ct);
            }

            return reads;
        }

        await using var batch = new NpgsqlBatch((NpgsqlConnection)Connection, (NpgsqlTransaction)transaction);
        foreach (var (text, args, _) in statements)
        {
            Add(batch, text, args);
        }

        await using var results = await batch.ExecuteReaderAsync(ct);
        for (var i = 0; i < statements.Count; i++)
        {
            if (i > 0 && !await results.NextResultAsync(ct))
            {
                throw new InvalidOperationException("The live read batch returned fewer result sets than statements.");
            }

            await statements[i].Consume(results, ct);
        }

        return reads;
    }

    private string LockText => sqlite
        ? $"SELECT {TicketColumns} FROM tickets WHERE \"Id\" IN (SELECT value FROM json_each($1))"
        : $"SELECT {TicketColumns} FROM tickets WHERE \"Id\" = ANY($1) ORDER BY \"Id\" FOR UPDATE";

    private string ClientIdText => sqlite
        ? $"SELECT {MessageColumns} FROM ticket_messages WHERE \"TicketId\" IN (SELECT value FROM json_each($1)) AND \"ClientMessageId\" IN (SELECT value FROM json_each($2))"
        : $"SELECT {MessageColumns} FROM ticket_messages WHERE \"TicketId\" = ANY($1) AND \"ClientMessageId\" = ANY($2)";

    private string HeadsText => sqlite ? HeadsSqlite : HeadsPostgres;

    private static readonly string HeadsSqlite = Heads(sqlite: true);
    private static readonly string HeadsPostgres = Heads(sqlite: false);

    /// <summary>
    /// Per ticket: the last sequence number, the last public one, and the customer's latest message (index lookups only).
    /// The customer's latest message is a rowid lookup on SQLite, a LATERAL index scan on PostgreSQL (whose planner cannot
    /// use an index for a join condition that is itself a correlated subquery). Built once per provider.
    /// </summary>
    private static string Heads(bool sqlite)
    {
        const string LatestCustomer = "SELECT x.\"Id\" FROM ticket_messages AS x WHERE x.\"TicketId\" = j.value AND x.\"AuthorType\" = 'customer' ORDER BY x.\"Seq\" DESC LIMIT 1";
        var join = sqlite
            ? $"json_each($1) AS j LEFT JOIN ticket_messages AS m ON m.\"Id\" = ({LatestCustomer})"
            : $"unnest($1::bigint[]) AS j(value) LEFT JOIN LATERAL ({LatestCustomer.Replace("SELECT x.\"Id\"", "SELECT x.*", StringComparison.Ordinal)}) AS m ON true";
        return $"""
            SELECT j.value,
                (SELECT MAX(x."Seq") FROM ticket_messages AS x WHERE x."TicketId" = j.value),
                (SELECT x."Seq" FROM ticket_messages AS x WHERE x."TicketId" = j.value AND x."Visibility" = 'public' ORDER BY x."Seq" DESC LIMIT 1),
                {string.Join(", ", MessageColumns.Split(", ").Select(c => "m." + c))}
            FROM {join}
            """;
    }

    /// <summary>The history the SLA clocks are computed from (notes left out).</summary>
    private string EventsText => sqlite
        ? "SELECT \"Id\", \"TicketId\", \"At\", \"Kind\", \"ActorType\", \"FromValue\", \"ToValue\" FROM ticket_events WHERE \"TicketId\" IN (SELECT value FROM json_each($1))"
        : "SELECT \"Id\", \"TicketId\", \"At\", \"Kind\", \"ActorType\", \"FromValue\", \"ToValue\" FROM ticket_events WHERE \"TicketId\" = ANY($1)";

    private async Task ReadTicketsAsync(DbDataReader reader, Dictionary<long, Ticket> tickets, CancellationToken ct)
    {
        while (await reader.ReadAsync(ct))
        {
            var ticket = new Ticket
            {
                Id = reader.GetInt64(0),
                CustomerId = reader.GetGuid(1),
                Subject = reader.GetString(2),
                Channel = reader.GetString(3),
                Category = reader.GetString(4),
                Priority = reader.GetString(5),
                Status = reader.GetString(6),
                Tags = reader.GetString(7),
                CreatedAt = Time(reader, 8),
                MergedIntoId = reader.IsDBNull(9) ? null : reader.GetInt64(9),
                FirstResponseAt = TimeOrNull(reader, 10),
                LastCustomerMessageAt = TimeOrNull(reader, 11),
                MessageCount = reader.GetInt32(12),
                NextSlaDueAt = TimeOrNull(reader, 13),
                NextSlaCheckAt = TimeOrNull(reader, 14),
            };
            tickets[ticket.Id] = ticket;
        }
    }

    private async Task ReadKnownAsync(DbDataReader reader, Dictionary<(long, string), TicketMessage> known, CancellationToken ct)
    {
        while (await reader.ReadAsync(ct))
        {
            var message = ReadMessage(reader, 0);
            known[(message.TicketId, message.ClientMessageId!)] = message;
        }
    }

    private async Task ReadHeadsAsync(DbDataReader reader, Dictionary<long, LiveHead> heads, CancellationToken ct)
    {
        while (await reader.ReadAsync(ct))
        {
            var head = heads[reader.GetInt64(0)];
            head.LastSeq = reader.IsDBNull(1) ? 0 : reader.GetInt32(1);
            head.LastPublicSeq = reader.IsDBNull(2) ? 0 : reader.GetInt32(2);
            head.PreviousCustomer = reader.IsDBNull(3) ? null : ReadMessage(reader, 3);
        }
    }

    private async Task ReadEventsAsync(DbDataReader reader, List<TicketEvent> events, CancellationToken ct)
    {
        while (await reader.ReadAsync(ct))
        {
            events.Add(new TicketEvent
            {
                Id = reader.GetInt64(0),
                TicketId = reader.GetInt64(1),
                At = Time(reader, 2),
                Kind = reader.GetString(3),
                ActorType = reader.GetString(4),
                FromValue = reader.IsDBNull(5) ? null : reader.GetString(5),
                ToValue = reader.IsDBNull(6) ? null : reader.GetString(6),
            });
        }
    }

    /// <summary>
    /// Inserts the messages (their ids are set from the database) and their history events, updates the tickets and the
    /// patched earlier messages: on PostgreSQL one round trip (a batch), on SQLite a few statements in process.
    /// </summary>
    public async Task WriteAsync(IReadOnlyList<(TicketMessage Message, TicketEvent Event)> added, IReadOnlyList<TicketMessage> patched, IReadOnlyList<Ticket> tickets, CancellationToken ct)
    {
        var ids = new Dictionary<(long, int), long>(added.Count);
        if (sqlite)
        {
            await WriteSqliteAsync(added, patched, tickets, ids, ct);
        }
        else
        {
            await WritePostgresAsync(added, patched, tickets, ids, ct);
        }

        foreach (var (m, _) in added)
        {
            m.Id = ids[(m.TicketId, m.Seq)];
        }
    }

    /// <summary>SQLite: multi-row inserts and one update per ticket, each a statement in process.</summary>
    private async Task WriteSqliteAsync(IReadOnlyList<(TicketMessage Message, TicketEvent Event)> added, IReadOnlyList<TicketMessage> patched, IReadOnlyList<Ticket> tickets, Dictionary<(long, int), long> ids, CancellationToken ct)
    {
        var messages = new StringBuilder("INSERT INTO ticket_messages (\"TicketId\", \"Seq\", \"AuthorType\", \"AuthorId\", \"AuthorName\", \"Visibility\", \"Body\", \"Channel\", \"Redactions\", \"ClientMessageId\", \"CreatedAt\") VALUES ");
        var messageArgs = new List<object?>(added.Count * 11);
        var events = new StringBuilder("INSERT INTO ticket_events (\"TicketId\", \"At\", \"Kind\", \"ActorType\", \"ActorId\", \"ActorName\", \"FromValue\", \"ToValue\", \"Note\") VALUES ");
        var eventArgs = new List<object?>(added.Count * 9);
        foreach (var (m, e) in added)
        {
            Row(messages, messageArgs, m.TicketId, m.Seq, m.AuthorType, m.AuthorId, m.AuthorName, m.Visibility, m.Body, m.Channel, m.Redactions, m.ClientMessageId, m.CreatedAt.UtcTicks);
            Row(events, eventArgs, e.TicketId, e.At.UtcTicks, e.Kind, e.ActorType, e.ActorId, e.ActorName, e.FromValue, e.ToValue, e.Note);
        }

        await using (var insert = Command(messages.Append(" RETURNING \"Id\", \"TicketId\", \"Seq\"").ToString(), [.. messageArgs]))
        {
            await ReadIdsAsync(await insert.ExecuteReaderAsync(ct), ids, ct);
        }

        await using (var insert = Command(events.ToString(), [.. eventArgs]))
        {
            await insert.ExecuteNonQueryAsync(ct);
        }

        foreach (var t in tickets)
        {
            await using var update = Command(
                "UPDATE tickets SET \"MessageCount\" = $2, \"UpdatedAt\" = $3, \"LastCustomerMessageAt\" = $4, \"FirstResponseAt\" = $5, \"NextSlaDueAt\" = $6, \"NextSlaCheckAt\" = $7 WHERE \"Id\" = $1",
                t.Id, t.MessageCount, t.UpdatedAt.UtcTicks, t.LastCustomerMessageAt?.UtcTicks, t.FirstResponseAt?.UtcTicks, t.NextSlaDueAt?.UtcTicks, t.NextSlaCheckAt?.UtcTicks);
            await update.ExecuteNonQueryAsync(ct);
        }

        foreach (var p in patched)
        {
            await using var update = Command("UPDATE ticket_messages SET \"Body\" = $2, \"Redactions\" = $3 WHERE \"Id\" = $1", p.Id, p.Body, p.Redactions);
            await update.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>PostgreSQL: one round trip; rows travel as arrays (<c>unnest</c>), so each statement's text never changes.</summary>
    private async Task WritePostgresAsync(IReadOnlyList<(TicketMessage Message, TicketEvent Event)> added, IReadOnlyList<TicketMessage> patched, IReadOnlyList<Ticket> tickets, Dictionary<(long, int), long> ids, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch((NpgsqlConnection)Connection, (NpgsqlTransaction)transaction);
        var m = added.Select(a => a.Message).ToList();
        var e = added.Select(a => a.Event).ToList();
        Add(batch, """
            INSERT INTO ticket_messages ("TicketId", "Seq", "AuthorType", "AuthorId", "AuthorName", "Visibility", "Body", "Channel", "Redactions", "ClientMessageId", "CreatedAt")
            SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[])
            RETURNING "Id", "TicketId", "Seq"
            """,
            m.Select(x => x.TicketId).ToArray(), m.Select(x => x.Seq).ToArray(), m.Select(x => x.AuthorType).ToArray(), m.Select(x => x.AuthorId).ToArray(),
            m.Select(x => x.AuthorName).ToArray(), m.Select(x => x.Visibility).ToArray(), m.Select(x => x.Body).ToArray(), m.Select(x => x.Channel).ToArray(),
            m.Select(x => x.Redactions).ToArray(), m.Select(x => x.ClientMessageId).ToArray(), m.Select(x => Utc(x.CreatedAt)).ToArray());
        Add(batch, """
            INSERT INTO ticket_events ("TicketId", "At", "Kind", "ActorType", "ActorId", "ActorName", "FromValue", "ToValue", "Note")
            SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
            """,
            e.Select(x => x.TicketId).ToArray(), e.Select(x => Utc(x.At)).ToArray(), e.Select(x => x.Kind).ToArray(), e.Select(x => x.ActorType).ToArray(),
            e.Select(x => x.ActorId).ToArray(), e.Select(x => x.ActorName).ToArray(), e.Select(x => x.FromValue).ToArray(), e.Select(x => x.ToValue).ToArray(),
            e.Select(x => x.Note).ToArray());
        Add(batch, """
            UPDATE tickets AS t SET "MessageCount" = v.c, "UpdatedAt" = v.u, "LastCustomerMessageAt" = v.l, "FirstResponseAt" = v.f, "NextSlaDueAt" = v.d, "NextSlaCheckAt" = v.k
            FROM unnest($1::bigint[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[]) AS v(id, c, u, l, f, d, k)
            WHERE t."Id" = v.id
            """,
            tickets.Select(t => t.Id).ToArray(), tickets.Select(t => t.MessageCount).ToArray(), tickets.Select(t => (DateTime?)Utc(t.UpdatedAt)).ToArray(),
            tickets.Select(t => Utc(t.LastCustomerMessageAt)).ToArray(), tickets.Select(t => Utc(t.FirstResponseAt)).ToArray(),
            tickets.Select(t => Utc(t.NextSlaDueAt)).ToArray(), tickets.Select(t => Utc(t.NextSlaCheckAt)).ToArray());
        foreach (var p in patched)
        {
            Add(batch, "UPDATE ticket_messages SET \"Body\" = $2, \"Redactions\" = $3 WHERE \"Id\" = $1", p.Id, p.Body, p.Redactions);
        }

        await ReadIdsAsync(await batch.ExecuteReaderAsync(ct), ids, ct);
    }

    private static void Add(NpgsqlBatch batch, string text, params object?[] args)
    {
        var command = new NpgsqlBatchCommand(text);
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg ?? DBNull.Value });
        }

        batch.BatchCommands.Add(command);
    }

    private static DateTime Utc(DateTimeOffset value) => value.UtcDateTime;

    private static DateTime? Utc(DateTimeOffset? value) => value?.UtcDateTime;

    private static async Task ReadIdsAsync(DbDataReader reader, Dictionary<(long, int), long> ids, CancellationToken ct)
    {
        await using (reader)
        {
            while (await reader.ReadAsync(ct))
            {
                ids[(reader.GetInt64(1), reader.GetInt32(2))] = reader.GetInt64(0);
            }

            while (await reader.NextResultAsync(ct))
            {
                // The remaining statements return no rows; reading through them surfaces their errors here.
            }
        }
    }

    private static void Row(StringBuilder sql, List<object?> args, params object?[] values)
    {
        if (args.Count > 0)
        {
            sql.Append(", ");
        }

        sql.Append('(');
        for (var i = 0; i < values.Length; i++)
        {
            args.Add(values[i]);
            sql.Append(i == 0 ? "$" : ", $").Append(args.Count);
        }

        sql.Append(')');
    }

    private DbCommand Command(string text, params object?[] args)
    {
        var command = Connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = text;
        for (var i = 0; i < args.Length; i++)
        {
            if (sqlite)
            {
                command.Parameters.Add(new SqliteParameter("$" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), args[i] ?? DBNull.Value));
            }
            else
            {
                command.Parameters.Add(new NpgsqlParameter { Value = args[i] ?? DBNull.Value });
            }
        }

        return command;
    }

    private object IdList(long[] ids) => sqlite ? JsonSerializer.Serialize(ids) : ids;

    private DateTimeOffset Time(DbDataReader reader, int ordinal) =>
        sqlite ? new DateTimeOffset(reader.GetInt64(ordinal), TimeSpan.Zero) : reader.GetFieldValue<DateTimeOffset>(ordinal);

    private DateTimeOffset? TimeOrNull(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Time(reader, ordinal);

    private TicketMessage ReadMessage(DbDataReader reader, int first) => new()
    {
        Id = reader.GetInt64(first),
        TicketId = reader.GetInt64(first + 1),
        Seq = reader.GetInt32(first + 2),
        AuthorType = reader.GetString(first + 3),
        AuthorId = reader.IsDBNull(first + 4) ? null : reader.GetString(first + 4),
        AuthorName = reader.IsDBNull(first + 5) ? null : reader.GetString(first + 5),
        Visibility = reader.GetString(first + 6),
        Body = reader.GetString(first + 7),
        Channel = reader.GetString(first + 8),
        Redactions = reader.GetString(first + 9),
        ClientMessageId = reader.IsDBNull(first + 10) ? null : reader.GetString(first + 10),
        CreatedAt = Time(reader, first + 11),
    };
}
