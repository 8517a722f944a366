using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Redaction;
using WalletDesk.Server.Data;

namespace WalletDesk.Server.Features.Tickets;

/// <summary>A field-level problem with a ticket request; nothing was written.</summary>
public sealed class TicketValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>Who is acting on a ticket.</summary>
public sealed record TicketActor(string Type, string? Id, string? Name)
{
    public static TicketActor System { get; } = new(TicketActors.System, null, "WalletDesk");
}

/// <summary>A new ticket as any channel submits it.</summary>
public sealed record NewTicket(
    string? Subject,
    string? Body,
    string? Category,
    string Channel,
    string? Language = null,
    string? ClientRequestId = null,
    IReadOnlyList<string>? TransactionReferences = null);

/// <summary>The outcome of creating a ticket or adding a message: what was stored and what the customer should be told.</summary>
public sealed record TicketWriteResult(Ticket Ticket, TicketMessage Message, RedactionNotice? Notice, bool WasDuplicate, bool Reopened = false, long? FollowUpOf = null);

/// <summary>A change an agent makes to a ticket's fields; null means unchanged.</summary>
public sealed record TicketChanges(
    string? Status = null,
    string? Priority = null,
    Guid? AssigneeId = null,
    bool Unassign = false,
    string? Group = null,
    string? Category = null,
    IReadOnlyList<string>? AddTags = null,
    IReadOnlyList<string>? RemoveTags = null);

public sealed class TicketOptions
{
    public const string SectionName = "Tickets";

    /// <summary>A customer reply within this many days of solving reopens the ticket; later it starts a follow-up.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 90)]
    public int ReopenWindowDays { get; set; } = 7;
}

/// <summary>Told about every reply and note once it is committed (live chat uses it to push messages to the people in the conversation).</summary>
public interface ITicketMessageSink
{
    Task OnMessageAddedAsync(Ticket ticket, TicketMessage message, CancellationToken cancellationToken);
}

/// <summary>Tickets: creation through intake, replies and notes, status, assignment, tags, merge, split, reopen and follow-up.</summary>
public sealed partial class TicketService(AppDbContext db, TimeProvider time, IOptions<TicketOptions> options, TicketSla sla, IEnumerable<ITicketMessageSink> sinks, TicketIntake intake, ILogger<TicketService> logger)
{
    public const string Public = "public";
    public const string Internal = "internal";

    public async Task<TicketWriteResult> CreateAsync(Guid customerId, NewTicket request, TicketActor actor, CancellationToken ct = default)
    {
        var clientRequestId = ValidateClientId(request.ClientRequestId, "clientRequestId");
        if (clientRequestId is not null)
        {
            var existing = await db.Tickets.SingleOrDefaultAsync(t => t.CustomerId == customerId && t.ClientRequestId == clientRequestId, ct);
            if (existing is not null)
            {
                var first = await db.TicketMessages.Where(m => m.TicketId == existing.Id).OrderBy(m => m.Seq).FirstAsync(ct);
                return new TicketWriteResult(existing, first, null, WasDuplicate: true);
            }
        }

        if (!TicketChannels.All.Contains(request.Channel))
        {
            throw new TicketValidationException("channel", $"Unknown channel '{request.Channel}'.");
        }

        var subject = intake.Inbound(Required(request.Subject, "subject", TicketIntake.MaxSubjectLength));
        var body = intake.Inbound(Required(request.Body, "body", TicketIntake.MaxBodyLength));
        var categoryKey = string.IsNullOrWhiteSpace(request.Category) ? "other" : request.Category.Trim();
        var category = await db.TicketCategories.AsNoTracking().SingleOrDefaultAsync(c => c.Key == categoryKey && c.IsActive, ct)
            ?? throw new TicketValidationException("category", $"Unknown category '{categoryKey}'. Choose one of the listed categories.");
        var references = ValidateReferences(request.TransactionReferences);
        var language = NormaliseLanguage(request.Language);

        var (priority, group) = await ApplyPriorityRulesAsync(category, subject.Text + "\n" + body.Text, ct);
        var now = time.GetUtcNow();
        var ticket = new Ticket
        {
            CustomerId = customerId,
            Subject = subject.Text,
            Channel = request.Channel,
            Category = category.Key,
            Priority = priority,
            Group = group,
            Status = TicketStatuses.New,
            Language = language,
            CreatedAt = now,
            UpdatedAt = now,
            LastCustomerMessageAt = now,
            ClientRequestId = clientRequestId,
            MessageCount = 1,
        };

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Tickets.Add(ticket);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (clientRequestId is not null)
        {
            // The same request raced in twice: the other insert won; answer with its ticket.
            await transaction.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            var winner = await db.Tickets.SingleAsync(t => t.CustomerId == customerId && t.ClientRequestId == clientRequestId, ct);
            var first = await db.TicketMessages.Where(m => m.TicketId == winner.Id).OrderBy(m => m.Seq).FirstAsync(ct);
            return new TicketWriteResult(winner, first, null, WasDuplicate: true);
        }

        var message = new TicketMessage
        {
            TicketId = ticket.Id,
            Seq = 1,
            AuthorType = actor.Type,
            AuthorId = actor.Id,
            AuthorName = actor.Name,
            Visibility = Public,
            Body = body.Text,
            Channel = request.Channel,
            Redactions = Join(subject, body),

            // The first message answers to the request's idempotency key too, so a client that sends it again is a retry.
            ClientMessageId = clientRequestId,
            CreatedAt = now,
        };
        db.TicketMessages.Add(message);
        AddEvent(ticket.Id, "created", actor, null, TicketStatuses.New, $"channel={request.Channel}; category={category.Key}; priority={priority}");
        if (subject.Removed.Count > 0 || body.Removed.Count > 0)
        {
            AddEvent(ticket.Id, "redacted", TicketActor.System, null, null, $"removed: {Join(subject, body)}");
        }

        foreach (var reference in references)
        {
            db.TicketTransactionLinks.Add(new TicketTransactionLink { TicketId = ticket.Id, TransactionReference = reference, LinkedAt = now });
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        await RefreshSlaAsync(ticket, ct);
        return new TicketWriteResult(ticket, message, body.Notice ?? subject.Notice, WasDuplicate: false);
    }

    /// <summary>
    /// A customer's reply on their own ticket. Null when the ticket is not theirs. A reply to a pending ticket
    /// reopens it for the agent; to a solved one within the window, reopens it; later, or when closed, starts a follow-up.
    /// </summary>
    public async Task<TicketWriteResult?> AddCustomerMessageAsync(Guid customerId, long ticketId, string? text, string? clientMessageId, TicketActor actor, string channel, CancellationToken ct = default)
    {
        var ticket = await db.Tickets.SingleOrDefaultAsync(t => t.Id == ticketId && t.CustomerId == customerId, ct);
        if (ticket is null)
        {
            return null;
        }

        clientMessageId = ValidateClientId(clientMessageId, "clientMessageId");
        if (await FindDuplicateAsync(ticket, clientMessageId, ct) is { } duplicate)
        {
            return duplicate;
        }

        var raw = Required(text, "body", TicketIntake.MaxBodyLength);
        var now = time.GetUtcNow();
        if (ticket.MergedIntoId is { } mergedInto)
        {
            return await AddCustomerMessageAsync(customerId, mergedInto, text, clientMessageId, actor, channel, ct);
        }

        if (ticket.Status == TicketStatuses.Closed || (ticket.Status == TicketStatuses.Solved && ticket.SolvedAt is { } solved && now - solved > TimeSpan.FromDays(options.Value.ReopenWindowDays)))
        {
            var followUp = await CreateAsync(customerId, new NewTicket($"Follow-up: {ticket.Subject}"[..Math.Min(TicketIntake.MaxSubjectLength, ticket.Subject.Length + 11)], raw, ticket.Category, channel, ticket.Language, clientMessageId), actor, ct);
            followUp.Ticket.ParentId = ticket.Id;
            AddEvent(followUp.Ticket.Id, "follow_up", TicketActor.System, null, ticket.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"follow-up of #{ticket.Id}");
            AddEvent(ticket.Id, "follow_up_created", TicketActor.System, null, followUp.Ticket.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null);
            await db.SaveChangesAsync(ct);
            return followUp with { FollowUpOf = ticket.Id };
        }

        var previous = await db.TicketMessages.Where(m => m.TicketId == ticket.Id && m.AuthorType == TicketActors.Customer)
            .OrderByDescending(m => m.Seq).FirstOrDefaultAsync(ct);
        var clean = CleanCustomerText(raw, previous);
        var reopened = false;
        if (ticket.Status is TicketStatuses.Solved)
        {
            SetStatus(ticket, TicketStatuses.Open, TicketActor.System, "customer replied");
            AddEvent(ticket.Id, "reopened", actor, TicketStatuses.Solved, TicketStatuses.Open, "customer replied");
            reopened = true;
        }

        BeforeCustomerMessage(ticket, actor, now);
        var message = await AppendMessageAsync(ticket, actor, Public, clean, channel, clientMessageId, now, ct);
        await RefreshSlaAsync(ticket, ct);
        await NotifySinksAsync(ticket, message, ct);
        return new TicketWriteResult(ticket, message, clean.Notice, WasDuplicate: false, Reopened: reopened);
    }

    /// <summary>An agent's public reply or internal note. Public replies pass the outbound redaction too.</summary>
    public async Task<TicketWriteResult?> AddAgentMessageAsync(long ticketId, string? text, bool isInternal, string? clientMessageId, TicketActor agent, string? setStatus = null, CancellationToken ct = default)
    {
        var ticket = await db.Tickets.SingleOrDefaultAsync(t => t.Id == ticketId, ct);
        if (ticket is null)
        {
            return null;
        }

        clientMessageId = ValidateClientId(clientMessageId, "clientMessageId");
        if (await FindDuplicateAsync(ticket, clientMessageId, ct) is { } duplicate)
        {
            return duplicate;
        }

        var raw = Required(text, "body", TicketIntake.MaxBodyLength);
        if (setStatus is not null && (!TicketStatuses.IsKnown(setStatus) || setStatus == TicketStatuses.New))
        {
            throw new TicketValidationException("status", $"Status must be one of: {string.Join(", ", TicketStatuses.All.Skip(1))}.");
        }

        RefuseUnfilledPlaceholders(raw, isInternal);
        var clean = isInternal ? intake.Inbound(raw) : intake.Outbound(raw);
        var now = time.GetUtcNow();
        BeforeAgentMessage(ticket, agent, isInternal, setStatus, now);

        var message = await AppendMessageAsync(ticket, agent, isInternal ? Internal : Public, clean, ticket.Channel, clientMessageId, now, ct);
        await RefreshSlaAsync(ticket, ct);
        await NotifySinksAsync(ticket, message, ct);
        return new TicketWriteResult(ticket, message, clean.Notice, WasDuplicate: false);
    }

    public async Task<Ticket?> UpdateAsync(long ticketId, TicketChanges changes, TicketActor agent, CancellationToken ct = default)
    {
        var ticket = await db.Tickets.SingleOrDefaultAsync(t => t.Id == ticketId, ct);
        if (ticket is null)
        {
            return null;
        }

        await ApplyChangesAsync(ticket, changes, agent, ct);
        ticket.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await RefreshSlaAsync(ticket, ct);
        return ticket;
    }

    /// <summary>Applies the same changes to many tickets in one transaction; returns how many were found.</summary>
    public async Task<int> BulkUpdateAsync(IReadOnlyCollection<long> ticketIds, TicketChanges changes, TicketActor agent, CancellationToken ct = default)
    {
        if (ticketIds.Count is 0 or > 500)
        {
            throw new TicketValidationException("ticketIds", "Select between 1 and 500 tickets.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var tickets = await db.Tickets.Where(t => ticketIds.Contains(t.Id)).ToListAsync(ct);
        var now = time.GetUtcNow();
        foreach (var ticket in tickets)
        {
            await ApplyChangesAsync(ticket, changes, agent, ct);
            ticket.UpdatedAt = now;
        }

        await db.SaveChangesAsync(ct);
        foreach (var ticket in tickets)
        {
            await sla.RefreshAsync(db, ticket, now, ct);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return tickets.Count;
    }

    /// <summary>Merges a duplicate into another ticket of the same customer; the duplicate is closed and keeps its history.</summary>
    public async Task<Ticket?> MergeAsync(long sourceId, long targetId, TicketActor agent, CancellationToken ct = default)
    {
        if (sourceId == targetId)
        {
            throw new TicketValidationException("targetId", "A ticket cannot be merged into itself.");
        }

        var source = await db.Tickets.SingleOrDefaultAsync(t => t.Id == sourceId, ct);
        var target = await db.Tickets.SingleOrDefaultAsync(t => t.Id == targetId, ct);
        if (source is null || target is null)
        {
            return null;
        }

        if (source.CustomerId != target.CustomerId)
        {
            throw new TicketValidationException("targetId", "Only tickets of the same customer can be merged.");
        }

        if (source.MergedIntoId is not null || target.MergedIntoId is not null)
        {
            throw new TicketValidationException("targetId", "One of these tickets was already merged.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        var sourceMessages = await db.TicketMessages.AsNoTracking().Where(m => m.TicketId == source.Id).OrderBy(m => m.Seq).ToListAsync(ct);
        var digest = string.Join("\n\n", sourceMessages.Select(m => $"[{m.CreatedAt:yyyy-MM-dd HH:mm} {m.AuthorName ?? m.AuthorType}, {m.Visibility}] {m.Body}"));
        var note = $"Merged ticket #{source.Id} \"{source.Subject}\":\n\n{digest}";
        await AppendMessageAsync(target, TicketActor.System, Internal, new CleanText(note[..Math.Min(note.Length, TicketIntake.MaxBodyLength)], [], null), target.Channel, null, now, ct);

        foreach (var link in await db.TicketTransactionLinks.Where(l => l.TicketId == source.Id).ToListAsync(ct))
        {
            if (!await db.TicketTransactionLinks.AnyAsync(l => l.TicketId == target.Id && l.TransactionReference == link.TransactionReference, ct))
            {
                db.TicketTransactionLinks.Add(new TicketTransactionLink { TicketId = target.Id, TransactionReference = link.TransactionReference, LinkedAt = now });
            }
        }

        source.MergedIntoId = target.Id;
        SetStatus(source, TicketStatuses.Closed, agent, $"merged into #{target.Id}");
        AddEvent(source.Id, "merged_into", agent, null, target.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null);
        AddEvent(target.Id, "merged_from", agent, source.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, source.Subject);
        source.UpdatedAt = now;
        target.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        await sla.RefreshAsync(db, source, now, ct);
        await sla.RefreshAsync(db, target, now, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return target;
    }

    /// <summary>Moves chosen messages' text into a new ticket for the same customer (the original keeps its messages).</summary>
    public async Task<Ticket?> SplitAsync(long ticketId, IReadOnlyCollection<long> messageIds, string? subject, TicketActor agent, CancellationToken ct = default)
    {
        var original = await db.Tickets.SingleOrDefaultAsync(t => t.Id == ticketId, ct);
        if (original is null)
        {
            return null;
        }

        var messages = await db.TicketMessages.AsNoTracking().Where(m => m.TicketId == ticketId && messageIds.Contains(m.Id)).OrderBy(m => m.Seq).ToListAsync(ct);
        if (messages.Count == 0 || messages.Count != messageIds.Count)
        {
            throw new TicketValidationException("messageIds", "Choose one or more messages of this ticket.");
        }

        var title = intake.Inbound(Required(subject, "subject", TicketIntake.MaxSubjectLength));
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        var split = new Ticket
        {
            CustomerId = original.CustomerId,
            Subject = title.Text,
            Channel = original.Channel,
            Category = original.Category,
            Priority = original.Priority,
            Group = original.Group,
            Status = TicketStatuses.Open,
            Language = original.Language,
            CreatedAt = now,
            UpdatedAt = now,
            ParentId = original.Id,
        };
        db.Tickets.Add(split);
        await db.SaveChangesAsync(ct);
        AddEvent(split.Id, "created", agent, null, TicketStatuses.Open, $"split from #{original.Id}");
        foreach (var m in messages)
        {
            await AppendMessageAsync(split, new TicketActor(m.AuthorType, m.AuthorId, m.AuthorName), m.Visibility, new CleanText(m.Body, [], null), m.Channel, null, m.CreatedAt, ct);
        }

        AddEvent(split.Id, "split_from", agent, original.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, null);
        AddEvent(original.Id, "split_to", agent, null, split.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{messages.Count} messages");
        await db.SaveChangesAsync(ct);
        await sla.RefreshAsync(db, split, now, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return split;
    }

    public async Task<bool> LinkTransactionAsync(long ticketId, string? reference, TicketActor agent, CancellationToken ct = default)
    {
        var refs = ValidateReferences(reference is null ? null : [reference]);
        if (refs.Count != 1)
        {
            throw new TicketValidationException("reference", "Give one transaction reference.");
        }

        if (!await db.Tickets.AnyAsync(t => t.Id == ticketId, ct))
        {
            return false;
        }

        if (!await db.TicketTransactionLinks.AnyAsync(l => l.TicketId == ticketId && l.TransactionReference == refs[0], ct))
        {
            db.TicketTransactionLinks.Add(new TicketTransactionLink { TicketId = ticketId, TransactionReference = refs[0], LinkedAt = time.GetUtcNow() });
            AddEvent(ticketId, "transaction_linked", agent, null, refs[0], null);
            await db.SaveChangesAsync(ct);
        }

        return true;
    }

    /// <summary>The assistant's name on the tickets it answers.</summary>
    public static TicketActor Assistant(string language) => new(TicketActors.Bot, null, language == "zh" ? "智能助手" : "WalletDesk Assistant");

    /// <summary>
    /// The assistant resolved the conversation (the customer confirmed, or went quiet after an answer: docs/assistant.md):
    /// the ticket is solved by the bot, which meets its clocks and takes it out of the agents' open views (the
    /// <c>solved_by_bot</c> view keeps it reviewable). Only while the bot holds it: a ticket a person has answered, or
    /// that is no longer active, is left alone. Returns whether it was solved now.
    /// </summary>
    public async Task<bool> SolveByAssistantAsync(long ticketId, string reason, CancellationToken ct = default)
    {
        var ticket = await db.Tickets.SingleOrDefaultAsync(t => t.Id == ticketId, ct);
        if (ticket is null || !TicketStatuses.IsActive(ticket.Status) || ticket.BotFirstResponseAt is null || ticket.FirstResponseAt is not null || ticket.MergedIntoId is not null)
        {
            return false;
        }

        SetStatus(ticket, TicketStatuses.Solved, Assistant(ticket.Language), reason);
        await db.SaveChangesAsync(ct);
        await RefreshSlaAsync(ticket, ct);
        return true;
    }

    /// <summary>Whether the ticket exists and is this customer's (a wallet action may be made for it).</summary>
    public Task<bool> IsCustomersTicketAsync(long ticketId, Guid customerId, CancellationToken ct = default) =>
        db.Tickets.AnyAsync(t => t.Id == ticketId && t.CustomerId == customerId, ct);

    /// <summary>
    /// Records a wallet support action made for this ticket (requested, approved, completed, failed, declined) in its
    /// history, so the ticket shows what was done for the customer. False when the ticket is not that customer's.
    /// </summary>
    public async Task<bool> RecordWalletActionAsync(long ticketId, Guid customerId, string kind, string stage, string note, TicketActor actor, CancellationToken ct = default)
    {
        var ticket = await db.Tickets.SingleOrDefaultAsync(t => t.Id == ticketId && t.CustomerId == customerId, ct);
        if (ticket is null)
        {
            return false;
        }

        AddEvent(ticketId, "wallet_action", actor, kind, stage, note);
        ticket.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>
    /// Carries out the SLA warnings, breaches and escalations now due on a ticket, each exactly once: the fired key
    /// and the action's changes are saved together, so a second node racing on the same key saves nothing.
    /// </summary>
    public async Task<int> ApplySlaEventsAsync(long ticketId, CancellationToken ct = default)
    {
        var count = 0;
        for (var round = 0; round < 20; round++)
        {
            db.ChangeTracker.Clear();
            var ticket = await db.Tickets.SingleOrDefaultAsync(t => t.Id == ticketId, ct);
            if (ticket is null)
            {
                return count;
            }

            var now = time.GetUtcNow();
            var events = await db.TicketEvents.AsNoTracking().Where(e => e.TicketId == ticketId).OrderBy(e => e.Id).ToListAsync(ct);
            var fired = (await db.TicketSlaFired.AsNoTracking().Where(f => f.TicketId == ticketId).Select(f => f.Key).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
            var dueEvents = sla.DueEvents(ticket, events, now, fired);
            var next = dueEvents.Count == 0 ? null : dueEvents[0];
            if (next is null)
            {
                await sla.RefreshAsync(db, ticket, now, ct);
                await db.SaveChangesAsync(ct);
                return count;
            }

            db.TicketSlaFired.Add(new TicketSlaFired { TicketId = ticketId, Key = next.Key, FiredAt = now });
            var metric = next.Metric.ToString();
            switch (next.Kind)
            {
                case Sla.SlaDueKind.Warning:
                    AddEvent(ticketId, "sla_warning", TicketActor.System, null, metric, $"{metric} due {next.DueAt:yyyy-MM-dd HH:mm} UTC");
                    break;
                case Sla.SlaDueKind.Breach:
                    AddEvent(ticketId, "sla_breached", TicketActor.System, null, metric, $"{metric} target passed at {next.DueAt:yyyy-MM-dd HH:mm} UTC");
                    break;
            }

            var notified = new HashSet<string>(StringComparer.Ordinal);
            foreach (var action in next.Actions)
            {
                switch (action.Kind)
                {
                    case Sla.SlaActionKind.Notify when NotifyRecipient(ticket, action.Recipient) is { } recipient && notified.Add(recipient):
                        AddEvent(ticketId, "sla_notify", TicketActor.System, null, recipient, $"{next.Kind} on {metric}");
                        logger.LogInformation("SLA {Kind} on ticket {TicketId} ({Metric}): notify {Recipient}", next.Kind, ticketId, metric, recipient);
                        break;
                    case Sla.SlaActionKind.Reassign when action.Group is not null:
                        await ApplyChangesAsync(ticket, new TicketChanges(Group: action.Group), TicketActor.System, ct);
                        break;
                    case Sla.SlaActionKind.RaisePriority:
                        var raised = Sla.SlaVocabulary.ToTicketPriority(action.RaisedFrom(Sla.SlaVocabulary.Priority(ticket.Priority)));
                        await ApplyChangesAsync(ticket, new TicketChanges(Priority: raised), TicketActor.System, ct);
                        break;
                }
            }

            try
            {
                await db.SaveChangesAsync(ct);
                count++;
            }
            catch (DbUpdateException)
            {
                // Another node fired this key first; look again with fresh state.
            }
        }

        return count;
    }

    /// <summary>
    /// Who a notify action reaches on this ticket. An unassigned ticket has no assignee to tell: its group is
    /// responsible, so "assignee" falls to the group lead, and one escalation notifies each recipient once.
    /// </summary>
    internal static string? NotifyRecipient(Ticket ticket, string? recipient) =>
        recipient == "assignee" && ticket.AssigneeId is null ? "group_lead" : recipient;

    private async Task NotifySinksAsync(Ticket ticket, TicketMessage message, CancellationToken ct)
    {
        foreach (var sink in sinks)
        {
            try
            {
                await sink.OnMessageAddedAsync(ticket, message, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The message is committed; a failed notification only delays who sees it live.
                logger.LogWarning(ex, "Message sink {Sink} failed for ticket {TicketId} message {Seq}", sink.GetType().Name, ticket.Id, message.Seq);
            }
        }
    }

    private async Task RefreshSlaAsync(Ticket ticket, CancellationToken ct)
    {
        await sla.RefreshAsync(db, ticket, time.GetUtcNow(), ct);
        await db.SaveChangesAsync(ct);
    }

    private async Task ApplyChangesAsync(Ticket ticket, TicketChanges changes, TicketActor agent, CancellationToken ct)
    {
        if (changes.Status is { } status)
        {
            if (!TicketStatuses.IsKnown(status) || status == TicketStatuses.New)
            {
                throw new TicketValidationException("status", $"Status must be one of: {string.Join(", ", TicketStatuses.All.Skip(1))}.");
            }

            if (ticket.MergedIntoId is not null && status != TicketStatuses.Closed)
            {
                throw new TicketValidationException("status", $"Ticket #{ticket.Id} was merged into #{ticket.MergedIntoId}; work on that one.");
            }

            if (status != ticket.Status)
            {
                var wasClosed = ticket.Status is TicketStatuses.Solved or TicketStatuses.Closed;
                SetStatus(ticket, status, agent, null);
                if (wasClosed && TicketStatuses.IsActive(status))
                {
                    AddEvent(ticket.Id, "reopened", agent, null, status, null);
                }
            }
        }

        if (changes.Priority is { } priority && priority != ticket.Priority)
        {
            if (!TicketPriorities.All.Contains(priority))
            {
                throw new TicketValidationException("priority", "Priority must be low, normal, high or urgent.");
            }

            AddEvent(ticket.Id, "priority_changed", agent, ticket.Priority, priority, null);
            ticket.Priority = priority;
        }

        if (changes.Unassign && ticket.AssigneeId is not null)
        {
            AddEvent(ticket.Id, "unassigned", agent, ticket.AssigneeId.ToString(), null, null);
            ticket.AssigneeId = null;
        }
        else if (changes.AssigneeId is { } assignee && assignee != ticket.AssigneeId)
        {
            var staff = await db.StaffUsers.AsNoTracking().Where(u => u.Id == assignee && !u.IsDisabled).Select(u => u.DisplayName).SingleOrDefaultAsync(ct)
                ?? throw new TicketValidationException("assigneeId", "No active staff member has that id.");
            AddEvent(ticket.Id, "assigned", agent, ticket.AssigneeId?.ToString(), assignee.ToString(), staff);
            ticket.AssigneeId = assignee;
        }

        if (changes.Group is { } group && group != ticket.Group)
        {
            if (group.Length is 0 or > 64)
            {
                throw new TicketValidationException("group", "Group names are 1 to 64 characters.");
            }

            AddEvent(ticket.Id, "group_changed", agent, ticket.Group, group, null);
            ticket.Group = group;
        }

        if (changes.Category is { } category && category != ticket.Category)
        {
            if (!await db.TicketCategories.AnyAsync(c => c.Key == category && c.IsActive, ct))
            {
                throw new TicketValidationException("category", $"Unknown category '{category}'.");
            }

            AddEvent(ticket.Id, "category_changed", agent, ticket.Category, category, null);
            ticket.Category = category;
        }

        var tags = ticket.Tags.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        foreach (var tag in (changes.AddTags ?? []).Select(NormaliseTag))
        {
            if (!tags.Contains(tag))
            {
                tags.Add(tag);
                AddEvent(ticket.Id, "tag_added", agent, null, tag, null);
            }
        }

        foreach (var tag in (changes.RemoveTags ?? []).Select(NormaliseTag))
        {
            if (tags.Remove(tag))
            {
                AddEvent(ticket.Id, "tag_removed", agent, tag, null, null);
            }
        }

        var joined = " " + string.Join(' ', tags) + " ";
        if (joined.Length > 1000)
        {
            throw new TicketValidationException("tags", "Too many tags on one ticket.");
        }

        ticket.Tags = tags.Count == 0 ? " " : joined;
    }

    private static string NormaliseTag(string tag)
    {
        var clean = tag.Trim().ToLowerInvariant();
        if (clean.Length is 0 or > 40 || clean.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '"' or '\''))
        {
            throw new TicketValidationException("tags", $"'{tag}' is not a valid tag: use 1–40 characters without spaces or quotes.");
        }

        return clean;
    }

    private void SetStatus(Ticket ticket, string status, TicketActor actor, string? note)
    {
        var now = time.GetUtcNow();
        AddEvent(ticket.Id, "status_changed", actor, ticket.Status, status, note);
        ticket.Status = status;
        ticket.UpdatedAt = now;
        switch (status)
        {
            case TicketStatuses.Solved:
                ticket.SolvedAt = now;
                ticket.SolvedBy = actor.Type;
                break;
            case TicketStatuses.Closed:
                ticket.ClosedAt = now;
                ticket.SolvedAt ??= now;
                ticket.SolvedBy ??= actor.Type;
                break;
            default:
                ticket.SolvedAt = null;
                ticket.ClosedAt = null;
                ticket.SolvedBy = null;
                break;
        }
    }

    private async Task<TicketMessage> AppendMessageAsync(Ticket ticket, TicketActor actor, string visibility, CleanText clean, string channel, string? clientMessageId, DateTimeOffset at, CancellationToken ct)
    {
        // SQLite has one writer: message appends queue here in order instead of spinning in SQLite's busy handler,
        // whose sleeps (up to 100 ms each) dominate latency under a chat burst (L4; docs/benchmarks.md, live chat).
        var gate = db.IsSqlite && db.Database.CurrentTransaction is null ? SqliteWriteGate : null;
        if (gate is not null)
        {
            await gate.WaitAsync(ct);
        }

        try
        {
            return await AppendMessageLockedAsync(ticket, actor, visibility, clean, channel, clientMessageId, at, ct);
        }
        finally
        {
            gate?.Release();
        }
    }

    /// <summary>Message appends on SQLite line up here (FIFO) instead of in SQLite's busy handler; live batches take it too.</summary>
    internal static readonly SemaphoreSlim SqliteWriteGate = new(1, 1);

    private async Task<TicketMessage> AppendMessageLockedAsync(Ticket ticket, TicketActor actor, string visibility, CleanText clean, string channel, string? clientMessageId, DateTimeOffset at, CancellationToken ct)
    {
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            // Writing the ticket row first takes its lock (a row lock on PostgreSQL, the write lock on SQLite), so
            // concurrent senders to one ticket line up here and sequence numbers come out gap-free and unique.
            await db.Database.ExecuteSqlAsync($"UPDATE tickets SET \"MessageCount\" = \"MessageCount\" WHERE \"Id\" = {ticket.Id}", ct);
            if (await FindDuplicateAsync(ticket, clientMessageId, ct) is { } duplicate)
            {
                if (own is not null)
                {
                    await own.CommitAsync(ct);
                }

                return duplicate.Message;
            }

            var seq = (await db.TicketMessages.Where(m => m.TicketId == ticket.Id).MaxAsync(m => (int?)m.Seq, ct) ?? 0) + 1;
            var message = AddMessage(ticket, seq, actor, visibility, clean, channel, clientMessageId, at);
            await db.SaveChangesAsync(ct);
            if (own is not null)
            {
                await own.CommitAsync(ct);
            }

            return message;
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync();
            }
        }
    }

    private async Task<TicketWriteResult?> FindDuplicateAsync(Ticket ticket, string? clientMessageId, CancellationToken ct)
    {
        if (clientMessageId is null)
        {
            return null;
        }

        var existing = await db.TicketMessages.AsNoTracking().SingleOrDefaultAsync(m => m.TicketId == ticket.Id && m.ClientMessageId == clientMessageId, ct);
        return existing is null ? null : new TicketWriteResult(ticket, existing, null, WasDuplicate: true);
    }

    private async Task<(string Priority, string Group)> ApplyPriorityRulesAsync(TicketCategory category, string text, CancellationToken ct)
    {
        var priority = category.DefaultPriority;
        var group = category.DefaultGroup;
        var rules = await db.PriorityRules.AsNoTracking().Where(r => r.IsActive).OrderBy(r => r.Order).ToListAsync(ct);
        var haystack = text.ToLowerInvariant();
        foreach (var rule in rules)
        {
            var categoryMatches = rule.Category is null || rule.Category == category.Key;
            var keywordMatches = rule.Keywords is null || rule.Keywords.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Any(k => haystack.Contains(k.ToLowerInvariant(), StringComparison.Ordinal));
            if (categoryMatches && keywordMatches && TicketPriorities.Rank(rule.SetPriority) >= TicketPriorities.Rank(priority))
            {
                // Rules only ever raise priority; the first urgent match also decides the queue.
                if (TicketPriorities.Rank(rule.SetPriority) > TicketPriorities.Rank(priority) || rule.SetGroup is not null)
                {
                    group = rule.SetGroup ?? group;
                }

                priority = rule.SetPriority;
            }
        }

        return (priority, group);
    }

    private void AddEvent(long ticketId, string kind, TicketActor actor, string? from, string? to, string? note) =>
        db.TicketEvents.Add(new TicketEvent
        {
            TicketId = ticketId,
            At = time.GetUtcNow(),
            Kind = kind,
            ActorType = actor.Type,
            ActorId = actor.Id,
            ActorName = actor.Name,
            FromValue = from,
            ToValue = to,
            Note = note is null ? null : note[..Math.Min(note.Length, 1000)],
        });

    /// <summary>A public reply may not reach the customer with a macro's placeholder still in it ("I looked up : ").</summary>
    private static void RefuseUnfilledPlaceholders(string text, bool isInternal)
    {
        if (!isInternal && MacroRenderer.Unfilled(text) is { Count: > 0 } missing)
        {
            throw new TicketValidationException("body", MacroRenderer.MissingMessage(missing, zh: false));
        }
    }

    private static string Required(string? value, string field, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new TicketValidationException(field, $"The {field} is required.");
        }

        if (value.Length > max)
        {
            throw new TicketValidationException(field, $"The {field} is {value.Length:N0} characters; the limit is {max:N0}.");
        }

        return value;
    }

    private static string? ValidateClientId(string? id, string field)
    {
        if (id is null)
        {
            return null;
        }

        if (id.Length is 0 or > 100 || id.Any(char.IsControl))
        {
            throw new TicketValidationException(field, $"The {field} must be 1 to 100 printable characters.");
        }

        return id;
    }

    private static List<string> ValidateReferences(IReadOnlyList<string>? references)
    {
        var result = new List<string>();
        foreach (var reference in references ?? [])
        {
            var clean = reference?.Trim() ?? "";
            if (clean.Length is 0 or > 64 || !clean.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                throw new TicketValidationException("transactionReferences", $"'{reference}' is not a transaction reference (letters, digits, - and _, up to 64).");
            }

            if (!result.Contains(clean))
            {
                result.Add(clean);
            }
        }

        return result.Count > 20 ? throw new TicketValidationException("transactionReferences", "Link at most 20 transactions.") : result;
    }

    private static string NormaliseLanguage(string? language) =>
        language?.StartsWith("zh", StringComparison.OrdinalIgnoreCase) == true ? "zh" : "en";

    private static string Join(CleanText a, CleanText b) =>
        string.Join(' ', a.Removed.Concat(b.Removed).Select(k => k.ToString().ToLowerInvariant()).Distinct());
}
