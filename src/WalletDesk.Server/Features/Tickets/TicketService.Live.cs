using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace WalletDesk.Server.Features.Tickets;

/// <summary>One live message (a chat line) waiting to be appended in a batch.</summary>
/// <param name="TicketId">The ticket (conversation) it belongs to.</param>
/// <param name="Actor">Who wrote it: a customer, an agent or a supervisor.</param>
/// <param name="Owner">For a customer's message, the customer who must own the ticket; null for staff.</param>
/// <param name="Text">The raw text; redacted here exactly as on the one-by-one path.</param>
/// <param name="IsInternal">An internal note (staff only).</param>
/// <param name="ClientMessageId">The client's id for idempotent retries.</param>
public sealed record LiveMessage(long TicketId, TicketActor Actor, Guid? Owner, string Text, bool IsInternal, string? ClientMessageId);

/// <summary>
/// What became of one <see cref="LiveMessage"/>: written (or found as a duplicate) with the sequence of the last public
/// message before it; not found; refused (<see cref="Error"/>); or left for the one-by-one path (<see cref="NeedsFullPath"/>).
/// </summary>
public sealed record LiveMessageOutcome(TicketWriteResult? Written, int PreviousPublicSeq, Exception? Error = null, bool NeedsFullPath = false)
{
    public static readonly LiveMessageOutcome NotFound = new(null, 0);
    public static readonly LiveMessageOutcome FullPath = new(null, 0, NeedsFullPath: true);
}

public sealed partial class TicketService
{
    /// <summary>
    /// Appends a batch of live messages inside the caller's transaction with a fixed number of round trips however many
    /// messages the batch holds (group commit: live chat's path, docs/benchmarks.md). The rules are those of
    /// <see cref="AddCustomerMessageAsync"/> and <see cref="AddAgentMessageAsync"/> — the same redaction (a card number
    /// split across two messages included), idempotency, status changes, events and SLA refresh — for tickets in their
    /// ordinary states; a message to a merged, solved or closed ticket is returned as <see cref="LiveMessageOutcome.FullPath"/>
    /// for those methods to handle. Message sinks are not called: the caller publishes what was written after it commits.
    /// </summary>
    public async Task<IReadOnlyList<LiveMessageOutcome>> AppendLiveAsync(IReadOnlyList<LiveMessage> batch, CancellationToken ct)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Live messages are appended inside the caller's transaction.");
        var outcomes = new LiveMessageOutcome[batch.Count];
        if (batch.Count == 0)
        {
            return outcomes;
        }

        // Plain ADO.NET on the context's connection and transaction: at chat rates EF's per-statement overhead was most
        // of the cost (docs/benchmarks.md, live chat). Reads are one statement each for the whole batch, and one round
        // trip for all of them on PostgreSQL.
        var sql = new LiveSql(transaction, db.IsSqlite);
        var ids = batch.Select(m => m.TicketId).Distinct().Order().ToArray();
        var phases = new LivePhases();
        var reads = await sql.ReadAsync(ids, batch.Where(m => m.ClientMessageId is not null).Select(m => m.ClientMessageId!).Distinct().ToArray(), ct);
        var (tickets, known, heads, history) = (reads.Tickets, reads.Known, reads.Heads, reads.History);
        phases.Mark();
        var nextEventId = history.Count == 0 ? 1 : history.Max(e => e.Id) + 1;

        var now = time.GetUtcNow();
        var added = new List<(TicketMessage Message, TicketEvent Event)>(batch.Count);
        var patched = new List<TicketMessage>();
        for (var i = 0; i < batch.Count; i++)
        {
            var live = batch[i];
            if (!tickets.TryGetValue(live.TicketId, out var ticket) || (live.Owner is { } owner && ticket.CustomerId != owner))
            {
                outcomes[i] = LiveMessageOutcome.NotFound;
                continue;
            }

            try
            {
                var clientMessageId = ValidateClientId(live.ClientMessageId, "clientMessageId");
                if (clientMessageId is not null && known.TryGetValue((ticket.Id, clientMessageId), out var existing))
                {
                    outcomes[i] = new LiveMessageOutcome(new TicketWriteResult(ticket, existing, null, WasDuplicate: true), 0);
                    continue;
                }

                // Anything that changes the ticket's status (or redirects the message) goes the one-by-one way.
                var isCustomer = live.Owner is not null;
                if (ticket.MergedIntoId is not null || ticket.Status is TicketStatuses.Solved or TicketStatuses.Closed
                    || (isCustomer && ticket.Status == TicketStatuses.PendingCustomer)
                    || (!isCustomer && !live.IsInternal && ticket.Status == TicketStatuses.New))
                {
                    outcomes[i] = LiveMessageOutcome.FullPath;
                    continue;
                }

                var raw = Required(live.Text, "body", TicketIntake.MaxBodyLength);
                var head = heads[ticket.Id];
                CleanText clean;
                if (isCustomer)
                {
                    var previousBody = head.PreviousCustomer?.Body;
                    clean = CleanCustomerText(raw, head.PreviousCustomer);
                    if (head.PreviousCustomer is { } previous && previous.Body != previousBody && !patched.Contains(previous))
                    {
                        patched.Add(previous);
                    }

                    ticket.LastCustomerMessageAt = now;
                }
                else
                {
                    RefuseUnfilledPlaceholders(raw, live.IsInternal);
                    clean = live.IsInternal ? intake.Inbound(raw) : intake.Outbound(raw);
                    if (!live.IsInternal)
                    {
                        RecordResponse(ticket, live.Actor, now);
                    }
                }

                var visibility = live.IsInternal ? Internal : Public;
                var message = NewMessage(ticket.Id, ++head.LastSeq, live.Actor, visibility, clean, ticket.Channel, clientMessageId, now);
                var history1 = MessageEvent(ticket.Id, message.Seq, live.Actor, visibility, clean, now);
                history1.Id = nextEventId++;
                history.Add(history1);
                added.Add((message, history1));
                ticket.MessageCount = message.Seq;
                ticket.UpdatedAt = now;
                outcomes[i] = new LiveMessageOutcome(new TicketWriteResult(ticket, message, clean.Notice, WasDuplicate: false), head.LastPublicSeq);
                if (visibility == Public)
                {
                    head.LastPublicSeq = message.Seq;
                }

                if (isCustomer)
                {
                    head.PreviousCustomer = message;
                }

                if (clientMessageId is not null)
                {
                    known[(ticket.Id, clientMessageId)] = message;
                }
            }
            catch (TicketValidationException ex)
            {
                outcomes[i] = new LiveMessageOutcome(null, 0, ex);
            }
        }

        if (added.Count == 0)
        {
            return outcomes;
        }

        // SLA clocks from each touched ticket's full history, this batch's messages included.
        var touched = added.Select(a => a.Message.TicketId).ToHashSet();
        foreach (var group in history.Where(e => touched.Contains(e.TicketId)).GroupBy(e => e.TicketId))
        {
            var ticket = tickets[group.Key];
            var evaluation = sla.Evaluate(ticket, group, now);
            ticket.NextSlaDueAt = evaluation.NextDeadline;
            ticket.NextSlaCheckAt = evaluation.NextChangeAt;
        }

        phases.Mark();
        await sql.WriteAsync(added, patched.Where(p => p.Id != 0).ToList(), touched.Select(id => tickets[id]).ToList(), ct);
        phases.Mark();
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.LogDebug("Live append of {Count} messages on {Tickets} tickets ({Events} events read), ms per step: lock and reads {Reads:F1}, redaction and SLA {Compute:F1}, write {Write:F1}",
                added.Count, ids.Length, history.Count, phases[0], phases[1], phases[2]);
        }

        return outcomes;
    }

    /// <summary>Inbound redaction of a customer's message; a card number typed across two messages is caught by looking at the end of the previous one (which is patched).</summary>
    private CleanText CleanCustomerText(string raw, TicketMessage? previous)
    {
        var tail = previous is null ? null : previous.Body[Math.Max(0, previous.Body.Length - 40)..];
        var clean = intake.Inbound(raw, tail);
        if (previous is not null && tail is not null && intake.SplitAcrossMessages(raw, tail) is { } patch)
        {
            var offset = previous.Body.Length - tail.Length;
            previous.Body = previous.Body[..(offset + patch.Start)] + patch.Replacement + previous.Body[(offset + patch.Start + patch.Length)..];
            previous.Redactions = string.Join(' ', (previous.Redactions + " pan").Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct());
        }

        return clean;
    }

    /// <summary>A customer's reply reopens a ticket that waited for them.</summary>
    private void BeforeCustomerMessage(Ticket ticket, TicketActor actor, DateTimeOffset now)
    {
        if (ticket.Status is TicketStatuses.PendingCustomer)
        {
            SetStatus(ticket, TicketStatuses.Open, actor, "customer replied");
        }

        ticket.LastCustomerMessageAt = now;
    }

    /// <summary>
    /// An agent's first public reply is the first response and opens a new ticket, unless another status is set. The
    /// assistant's replies are recorded apart and leave the ticket with the bot (new) until a person takes it (ADR 0014).
    /// </summary>
    private void BeforeAgentMessage(Ticket ticket, TicketActor agent, bool isInternal, string? setStatus, DateTimeOffset now)
    {
        if (!isInternal)
        {
            RecordResponse(ticket, agent, now);
            if (ticket.Status == TicketStatuses.New && setStatus is null && agent.Type != TicketActors.Bot)
            {
                setStatus = TicketStatuses.Open;
            }
        }

        if (setStatus is not null && setStatus != ticket.Status)
        {
            SetStatus(ticket, setStatus, agent, null);
        }
    }

    /// <summary>A person's first public reply is the first response; the assistant's first reply is kept apart for insights.</summary>
    private static void RecordResponse(Ticket ticket, TicketActor actor, DateTimeOffset now)
    {
        if (actor.Type == TicketActors.Bot)
        {
            ticket.BotFirstResponseAt ??= now;
        }
        else
        {
            ticket.FirstResponseAt ??= now;
        }
    }

    /// <summary>Adds message number <paramref name="seq"/> to the ticket, with its history event (the caller saves).</summary>
    private TicketMessage AddMessage(Ticket ticket, int seq, TicketActor actor, string visibility, CleanText clean, string channel, string? clientMessageId, DateTimeOffset at)
    {
        var message = NewMessage(ticket.Id, seq, actor, visibility, clean, channel, clientMessageId, at);
        db.TicketMessages.Add(message);
        ticket.MessageCount = seq;
        ticket.UpdatedAt = time.GetUtcNow();
        db.TicketEvents.Add(MessageEvent(ticket.Id, seq, actor, visibility, clean, time.GetUtcNow()));
        return message;
    }

    private static TicketMessage NewMessage(long ticketId, int seq, TicketActor actor, string visibility, CleanText clean, string channel, string? clientMessageId, DateTimeOffset at) => new()
    {
        TicketId = ticketId,
        Seq = seq,
        AuthorType = actor.Type,
        AuthorId = actor.Id,
        AuthorName = actor.Name,
        Visibility = visibility,
        Body = clean.Text,
        Channel = channel,
        Redactions = clean.RemovedLabel,
        ClientMessageId = clientMessageId,
        CreatedAt = at,
    };

    /// <summary>The history entry for a message or note (the SLA clocks read these).</summary>
    private static TicketEvent MessageEvent(long ticketId, int seq, TicketActor actor, string visibility, CleanText clean, DateTimeOffset at) => new()
    {
        TicketId = ticketId,
        At = at,
        Kind = visibility == Internal ? "note_added" : "message_added",
        ActorType = actor.Type,
        ActorId = actor.Id,
        ActorName = actor.Name,
        ToValue = seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Note = clean.Removed.Count > 0 ? $"removed: {clean.RemovedLabel}" : null,
    };
}

/// <summary>Elapsed milliseconds of consecutive steps, for the debug log of a live batch.</summary>
internal sealed class LivePhases
{
    private readonly List<double> marks = [];
    private long last = System.Diagnostics.Stopwatch.GetTimestamp();

    public double this[int step] => step < marks.Count ? marks[step] : 0;

    public void Mark()
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        marks.Add(System.Diagnostics.Stopwatch.GetElapsedTime(last, now).TotalMilliseconds);
        last = now;
    }
}
