using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Tickets.Sla;

namespace WalletDesk.Server.Features.Tickets;

/// <summary>An SLA warning, breach or escalation that was carried out for a ticket (the key makes it exactly-once).</summary>
public sealed class TicketSlaFired
{
    public long TicketId { get; set; }
    public required string Key { get; set; }
    public DateTimeOffset FiredAt { get; set; }
}

internal sealed class TicketSlaFiredConfiguration : IEntityTypeConfiguration<TicketSlaFired>
{
    public void Configure(EntityTypeBuilder<TicketSlaFired> builder)
    {
        builder.ToTable("ticket_sla_fired");
        builder.HasKey(f => new { f.TicketId, f.Key });
        builder.Property(f => f.Key).HasMaxLength(120);
        builder.HasOne<Ticket>().WithMany().HasForeignKey(f => f.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// Turns a ticket's history into SLA clocks with the engine in <see cref="Sla"/>. Nothing about a clock is stored
/// except two denormalised instants for the inbox and the monitor: the next deadline and when to look again.
/// </summary>
public sealed class TicketSla
{
    /// <summary>Tickets tagged with this also run the regulatory complaint clock (15 business days, never paused).</summary>
    public const string ComplaintTag = "complaint";
    private const string ComplaintKeyPrefix = "complaint/";

    private readonly SlaTracker _standard = new(SlaPolicy.Create(DefaultSlaPolicies.Standard, DefaultSlaPolicies.Calendars()));
    private readonly SlaTracker _complaint = new(SlaPolicy.Create(DefaultSlaPolicies.Complaint, DefaultSlaPolicies.Calendars()));

    public static bool IsComplaint(Ticket ticket) => ticket.Tags.Contains($" {ComplaintTag} ", StringComparison.Ordinal);

    public SlaEvaluation Evaluate(Ticket ticket, IEnumerable<TicketEvent> events, DateTimeOffset now)
    {
        var history = History(ticket, events);
        var standard = _standard.Evaluate(history, now);
        if (!IsComplaint(ticket))
        {
            return standard;
        }

        var complaint = _complaint.Evaluate(history, now);
        DateTimeOffset? next = standard.NextChangeAt is { } a && complaint.NextChangeAt is { } b ? (a < b ? a : b) : standard.NextChangeAt ?? complaint.NextChangeAt;
        return standard with { Clocks = [.. standard.Clocks, .. complaint.Clocks], NextChangeAt = next };
    }

    public IReadOnlyList<SlaDueEvent> DueEvents(Ticket ticket, IEnumerable<TicketEvent> events, DateTimeOffset now, IReadOnlySet<string> fired)
    {
        var history = History(ticket, events);
        var due = _standard.DueEvents(history, now, fired).ToList();
        if (IsComplaint(ticket))
        {
            // The complaint policy's keys are namespaced so its clock and the standard resolution clock never share a key.
            var complaintFired = fired.Where(k => k.StartsWith(ComplaintKeyPrefix, StringComparison.Ordinal)).Select(k => k[ComplaintKeyPrefix.Length..]).ToHashSet(StringComparer.Ordinal);
            due.AddRange(_complaint.DueEvents(history, now, complaintFired).Select(e => e with { Key = ComplaintKeyPrefix + e.Key }));
        }

        return due.OrderBy(e => e.DueAt).ToList();
    }

    /// <summary>Recomputes the ticket's next deadline and next check from its stored history.</summary>
    public async Task RefreshAsync(AppDbContext db, Ticket ticket, DateTimeOffset now, CancellationToken ct)
    {
        var events = await db.TicketEvents.AsNoTracking().Where(e => e.TicketId == ticket.Id).OrderBy(e => e.Id).ToListAsync(ct);
        var evaluation = Evaluate(ticket, events, now);
        ticket.NextSlaDueAt = evaluation.NextDeadline;
        ticket.NextSlaCheckAt = evaluation.NextChangeAt;
    }

    internal static List<SlaTicketEvent> History(Ticket ticket, IEnumerable<TicketEvent> events)
    {
        var ordered = events.OrderBy(e => e.Id).ToList();
        // The priority at creation is the "from" of the first priority change, or the current one.
        var initialPriority = ordered.FirstOrDefault(e => e.Kind == "priority_changed")?.FromValue ?? ticket.Priority;
        var history = new List<SlaTicketEvent>(ordered.Count + 1);
        if (ordered.FirstOrDefault()?.Kind != "created")
        {
            // Every clock starts at creation; a ticket whose history lacks it (older data) starts from its creation time.
            history.Add(new SlaTicketEvent.Created(ticket.CreatedAt, SlaVocabulary.Priority(initialPriority), SlaVocabulary.Channel(ticket.Channel)));
        }

        foreach (var e in ordered)
        {
            switch (e.Kind)
            {
                case "created":
                    history.Add(new SlaTicketEvent.Created(e.At, SlaVocabulary.Priority(initialPriority), SlaVocabulary.Channel(ticket.Channel)));
                    break;
                // Only a person's public reply meets first and next response (docs/sla.md); the assistant's replies are
                // recorded apart (Ticket.BotFirstResponseAt) and meet nothing.
                case "message_added" when e.ActorType == TicketActors.Agent:
                    history.Add(new SlaTicketEvent.AgentReplied(e.At));
                    break;
                case "message_added" when e.ActorType == TicketActors.Customer:
                    history.Add(new SlaTicketEvent.CustomerReplied(e.At));
                    break;
                case "status_changed" when e.ToValue is not null:
                    history.Add(new SlaTicketEvent.StatusChanged(e.At, SlaVocabulary.Status(e.ToValue)));
                    break;
                case "priority_changed" when e.ToValue is not null:
                    history.Add(new SlaTicketEvent.PriorityChanged(e.At, SlaVocabulary.Priority(e.ToValue)));
                    break;
            }
        }

        return history;
    }
}

/// <summary>
/// Fires SLA warnings, breaches and escalations. Any node may run it: a fired key is inserted before its actions
/// run, and the primary key on (ticket, key) lets exactly one node win.
/// </summary>
public sealed class SlaMonitor(IServiceScopeFactory scopes, TimeProvider time, ILogger<SlaMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30), time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("SLA monitor pass failed with {ExceptionType}; retrying on the next tick", ex.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass over the tickets whose clocks change by now; returns how many events fired.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var sla = scope.ServiceProvider.GetRequiredService<TicketSla>();
        var tickets = scope.ServiceProvider.GetRequiredService<TicketService>();
        var now = time.GetUtcNow();
        var due = await db.Tickets.AsNoTracking()
            .Where(t => t.NextSlaCheckAt != null && t.NextSlaCheckAt <= now)
            .OrderBy(t => t.NextSlaCheckAt).Select(t => t.Id).Take(200).ToListAsync(ct);
        var fired = 0;
        foreach (var id in due)
        {
            fired += await tickets.ApplySlaEventsAsync(id, ct);
        }

        return fired;
    }
}
