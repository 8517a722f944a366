using System.Text.Json.Serialization;

namespace WalletDesk.Server.Features.Tickets.Sla;

/// <summary>The state of one clock as shown on a ticket and in the inbox.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SlaState>))]
public enum SlaState
{
    [JsonStringEnumMemberName("running")] Running,

    /// <summary>Running and past the policy's warning threshold.</summary>
    [JsonStringEnumMemberName("warning")] Warning,

    /// <summary>Stopped while the ticket waits on the customer or a third party.</summary>
    [JsonStringEnumMemberName("paused")] Paused,

    /// <summary>Completed by its target.</summary>
    [JsonStringEnumMemberName("met")] Met,

    /// <summary>Its target passed before it completed; stays breached once completed or paused.</summary>
    [JsonStringEnumMemberName("breached")] Breached,
}

/// <summary>One SLA clock of a ticket at the evaluation instant.</summary>
/// <param name="Metric">What the clock measures.</param>
/// <param name="Cycle">1 for the first clock of this metric; next-response clocks and resolution clocks after a reopen count up.</param>
/// <param name="State">Running, warning, paused, met or breached.</param>
/// <param name="IsPaused">Whether the clock is stopped right now (also true for a breached clock that is paused).</param>
/// <param name="StartedAt">When the clock started.</param>
/// <param name="Target">The target in force (from the ticket's current priority).</param>
/// <param name="CalendarId">The calendar it counts on.</param>
/// <param name="Budget">Business time the clock may run before breach.</param>
/// <param name="Elapsed">Business time run so far (to completion for completed clocks), excluding pauses.</param>
/// <param name="Remaining">Budget minus elapsed; negative once overrun.</param>
/// <param name="TargetAt">When the budget runs out if the clock keeps running; null while paused with budget left.</param>
/// <param name="WarningAt">When the clock turns to warning; null without a warning rule or while paused before it.</param>
/// <param name="BreachedAt">When it breached; never before the priority change that made it breach.</param>
/// <param name="CompletedAt">When it was met (reply or solve); null while open.</param>
public sealed record SlaClockStatus(
    SlaMetric Metric,
    int Cycle,
    SlaState State,
    bool IsPaused,
    DateTimeOffset StartedAt,
    SlaTarget Target,
    string CalendarId,
    TimeSpan Budget,
    TimeSpan Elapsed,
    TimeSpan Remaining,
    DateTimeOffset? TargetAt,
    DateTimeOffset? WarningAt,
    DateTimeOffset? BreachedAt,
    DateTimeOffset? CompletedAt)
{
    [JsonIgnore]
    public bool IsOpen => CompletedAt is null;
}

/// <summary>All SLA clocks of a ticket at one instant.</summary>
/// <param name="EvaluatedAt">The instant evaluated; events after it were ignored.</param>
/// <param name="Priority">The ticket's priority at that instant.</param>
/// <param name="Channel">The ticket's channel.</param>
/// <param name="Status">The ticket's status at that instant.</param>
/// <param name="Clocks">Every tracked clock, oldest first, including completed ones.</param>
/// <param name="NextChangeAt">The first instant after <paramref name="EvaluatedAt"/> at which a clock turns to warning or breach or an escalation falls due; null when none is scheduled. A background job re-evaluates then.</param>
public sealed record SlaEvaluation(
    DateTimeOffset EvaluatedAt,
    SlaPriority Priority,
    SlaChannel Channel,
    SlaTicketStatus Status,
    IReadOnlyList<SlaClockStatus> Clocks,
    DateTimeOffset? NextChangeAt)
{
    /// <summary>The latest clock of <paramref name="metric"/>, or null when it was never tracked.</summary>
    public SlaClockStatus? Current(SlaMetric metric) => Clocks.LastOrDefault(c => c.Metric == metric);

    /// <summary>The earliest target among open, running, not yet breached clocks: what "breaching soon" sorts by.</summary>
    [JsonIgnore]
    public DateTimeOffset? NextDeadline => Clocks
        .Where(c => c.IsOpen && !c.IsPaused && c.BreachedAt is null && c.TargetAt is not null)
        .Select(c => c.TargetAt)
        .Min();
}

/// <summary>What fell due.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SlaDueKind>))]
public enum SlaDueKind
{
    [JsonStringEnumMemberName("warning")] Warning,
    [JsonStringEnumMemberName("breach")] Breach,
    [JsonStringEnumMemberName("escalation")] Escalation,
}

/// <summary>
/// A warning, breach or escalation that is due. <see cref="Key"/> is stable across evaluations: record it once
/// handled and pass it back in <c>alreadyFired</c> so the event is never returned again.
/// </summary>
/// <param name="Key">Idempotency key, e.g. <c>resolution/2/escalation/notify-lead</c>.</param>
/// <param name="Metric">The clock's metric.</param>
/// <param name="Cycle">The clock's cycle.</param>
/// <param name="Kind">Warning, breach or escalation.</param>
/// <param name="DueAt">When it fell due (trigger instant plus the escalation's delay).</param>
/// <param name="EscalationId">The escalation rule's id for escalations.</param>
/// <param name="Actions">The escalation's actions; empty for warnings and breaches.</param>
public sealed record SlaDueEvent(
    string Key,
    SlaMetric Metric,
    int Cycle,
    SlaDueKind Kind,
    DateTimeOffset DueAt,
    string? EscalationId,
    IReadOnlyList<SlaAction> Actions);
