using System.Globalization;
using System.Text.Json.Serialization;

namespace WalletDesk.Server.Features.Tickets.Sla;

/// <summary>Ticket priority as the SLA engine sees it (the ticket module maps its own enum onto this one).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SlaPriority>))]
public enum SlaPriority
{
    [JsonStringEnumMemberName("low")] Low,
    [JsonStringEnumMemberName("normal")] Normal,
    [JsonStringEnumMemberName("high")] High,
    [JsonStringEnumMemberName("urgent")] Urgent,
}

/// <summary>The channel a ticket arrived through.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SlaChannel>))]
public enum SlaChannel
{
    [JsonStringEnumMemberName("web")] Web,
    [JsonStringEnumMemberName("email")] Email,
    [JsonStringEnumMemberName("chat")] Chat,
    [JsonStringEnumMemberName("phone")] Phone,
    [JsonStringEnumMemberName("in_app")] InApp,
    [JsonStringEnumMemberName("social")] Social,
}

/// <summary>Ticket status as the SLA engine sees it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SlaTicketStatus>))]
public enum SlaTicketStatus
{
    [JsonStringEnumMemberName("new")] New,
    [JsonStringEnumMemberName("open")] Open,
    [JsonStringEnumMemberName("pending_customer")] PendingCustomer,
    [JsonStringEnumMemberName("on_hold")] OnHoldThirdParty,
    [JsonStringEnumMemberName("solved")] Solved,
    [JsonStringEnumMemberName("closed")] Closed,
}

/// <summary>What an SLA clock measures.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SlaMetric>))]
public enum SlaMetric
{
    /// <summary>Ticket created → first public agent reply.</summary>
    [JsonStringEnumMemberName("first_response")] FirstResponse,

    /// <summary>Customer reply → the next public agent reply (one cycle per unanswered customer reply).</summary>
    [JsonStringEnumMemberName("next_response")] NextResponse,

    /// <summary>Ticket created (or reopened) → solved.</summary>
    [JsonStringEnumMemberName("resolution")] Resolution,
}

/// <summary>When an escalation rule fires.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SlaTrigger>))]
public enum SlaTrigger
{
    [JsonStringEnumMemberName("warning")] Warning,
    [JsonStringEnumMemberName("breach")] Breach,
}

/// <summary>Kinds of escalation action.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SlaActionKind>))]
public enum SlaActionKind
{
    /// <summary>Tell someone: <see cref="SlaAction.Recipient"/> is a role such as <c>assignee</c>, <c>group_lead</c> or a group name.</summary>
    [JsonStringEnumMemberName("notify")] Notify,

    /// <summary>Move the ticket to <see cref="SlaAction.Group"/>.</summary>
    [JsonStringEnumMemberName("reassign")] Reassign,

    /// <summary>Raise the priority to <see cref="SlaAction.Priority"/>, or one step when it is null; never lowers it.</summary>
    [JsonStringEnumMemberName("raise_priority")] RaisePriority,
}

/// <summary>
/// A target: either business time on the rule's calendar (wall-clock time on a 24/7 calendar) or a number
/// of business days counted by <see cref="BusinessCalendar.AddBusinessDays"/>. Exactly one is set.
/// </summary>
public sealed record SlaTarget(TimeSpan? BusinessTime = null, int? BusinessDays = null)
{
    public static SlaTarget Minutes(int minutes) => new(BusinessTime: TimeSpan.FromMinutes(minutes));

    public static SlaTarget Hours(int hours) => new(BusinessTime: TimeSpan.FromHours(hours));

    public static SlaTarget Days(int businessDays) => new(BusinessDays: businessDays);

    [JsonIgnore]
    public bool IsDayCount => BusinessDays is not null;

    public override string ToString() => BusinessDays is { } days
        ? string.Create(CultureInfo.InvariantCulture, $"{days} business days")
        : BusinessTime is { } time ? time.ToString("c", CultureInfo.InvariantCulture) : "(none)";

    internal void Validate(string path, List<SlaValidationError> errors)
    {
        if ((BusinessTime is null) == (BusinessDays is null))
        {
            errors.Add(new(path, "set exactly one of businessTime and businessDays."));
        }
        else if (BusinessTime is { } time && time <= TimeSpan.Zero)
        {
            errors.Add(new($"{path}.businessTime", "must be positive."));
        }
        else if (BusinessDays is { } days && days is < 1 or > 366)
        {
            errors.Add(new($"{path}.businessDays", "must be between 1 and 366."));
        }
    }
}

/// <summary>
/// One row of a policy's target table. Rules are tried in order and the first whose metric, priority
/// and channel match wins, so put specific rules before general ones.
/// </summary>
public sealed record SlaTargetRule
{
    public required SlaMetric Metric { get; init; }

    public required SlaTarget Target { get; init; }

    /// <summary>Priorities the rule applies to; empty means any.</summary>
    public IReadOnlyList<SlaPriority> Priorities { get; init; } = [];

    /// <summary>Channels the rule applies to; empty means any.</summary>
    public IReadOnlyList<SlaChannel> Channels { get; init; } = [];

    /// <summary>Calendar to count on; null uses the policy's calendar.</summary>
    public string? CalendarId { get; init; }

    /// <summary>Whether the clock stops while the ticket is in one of the policy's pausing statuses. Regulatory clocks keep running.</summary>
    public bool PausesWhilePending { get; init; } = true;

    internal bool Matches(SlaMetric metric, SlaPriority priority, SlaChannel channel) =>
        Metric == metric
        && (Priorities.Count == 0 || Priorities.Contains(priority))
        && (Channels.Count == 0 || Channels.Contains(channel));
}

/// <summary>When a clock turns to warning: at a fraction of its target elapsed, or a given business time before breach; the earlier if both are set.</summary>
public sealed record SlaWarningRule(double? AtFractionElapsed = null, TimeSpan? BeforeBreach = null)
{
    /// <summary>The business time elapsed at which the warning is due for a clock with <paramref name="budget"/>.</summary>
    internal TimeSpan ThresholdFor(TimeSpan budget)
    {
        var threshold = budget;
        if (AtFractionElapsed is { } fraction)
        {
            threshold = TimeSpan.FromTicks((long)Math.Round(budget.Ticks * fraction));
        }

        if (BeforeBreach is { } before && budget - before < threshold)
        {
            threshold = budget - before;
        }

        return threshold < TimeSpan.Zero ? TimeSpan.Zero : threshold;
    }
}

/// <summary>An escalation step, expressed as data so operators can edit it.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Recipient">For <see cref="SlaActionKind.Notify"/>: who (<c>assignee</c>, <c>group_lead</c>, a group name).</param>
/// <param name="Group">For <see cref="SlaActionKind.Reassign"/>: the group to move the ticket to.</param>
/// <param name="Priority">For <see cref="SlaActionKind.RaisePriority"/>: the priority to raise to; null raises one step.</param>
public sealed record SlaAction(SlaActionKind Kind, string? Recipient = null, string? Group = null, SlaPriority? Priority = null)
{
    public static SlaAction Notify(string recipient) => new(SlaActionKind.Notify, Recipient: recipient);

    public static SlaAction Reassign(string group) => new(SlaActionKind.Reassign, Group: group);

    public static SlaAction RaisePriority(SlaPriority? to = null) => new(SlaActionKind.RaisePriority, Priority: to);

    /// <summary>The priority a <see cref="SlaActionKind.RaisePriority"/> action leaves a ticket at; never lower than <paramref name="current"/>.</summary>
    public SlaPriority RaisedFrom(SlaPriority current)
    {
        var raised = Priority ?? (current == SlaPriority.Urgent ? SlaPriority.Urgent : current + 1);
        return raised > current ? raised : current;
    }

    internal void Validate(string path, List<SlaValidationError> errors)
    {
        switch (Kind)
        {
            case SlaActionKind.Notify when string.IsNullOrWhiteSpace(Recipient):
                errors.Add(new($"{path}.recipient", "is required for notify."));
                break;
            case SlaActionKind.Reassign when string.IsNullOrWhiteSpace(Group):
                errors.Add(new($"{path}.group", "is required for reassign."));
                break;
            case SlaActionKind.Notify or SlaActionKind.Reassign or SlaActionKind.RaisePriority:
                break;
            default:
                errors.Add(new($"{path}.kind", $"'{Kind}' is not an action."));
                break;
        }
    }
}

/// <summary>Actions to take when a clock reaches warning or breach (plus an optional wall-clock delay, for ladders).</summary>
public sealed record SlaEscalationRule
{
    /// <summary>Stable id; part of the idempotency key of the due events, so keep it when editing the rule.</summary>
    public required string Id { get; init; }

    public required SlaTrigger On { get; init; }

    /// <summary>Metrics the rule watches; empty means all.</summary>
    public IReadOnlyList<SlaMetric> Metrics { get; init; } = [];

    /// <summary>Priorities (the ticket's current one) the rule applies to; empty means any.</summary>
    public IReadOnlyList<SlaPriority> Priorities { get; init; } = [];

    /// <summary>Wall-clock time after the trigger before the rule fires.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.Zero;

    public required IReadOnlyList<SlaAction> Actions { get; init; }

    internal bool Matches(SlaMetric metric, SlaPriority priority) =>
        (Metrics.Count == 0 || Metrics.Contains(metric)) && (Priorities.Count == 0 || Priorities.Contains(priority));
}

/// <summary>
/// The stored form of an SLA policy (JSON-friendly). Build a working <see cref="SlaPolicy"/> with
/// <see cref="SlaPolicy.Create"/>, which validates it against the available calendars.
/// </summary>
public sealed record SlaPolicyDefinition
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The calendar targets count on unless a rule names another.</summary>
    public required string CalendarId { get; init; }

    /// <summary>Ordered target table; first match wins. A metric with no matching rule is not tracked.</summary>
    public IReadOnlyList<SlaTargetRule> Targets { get; init; } = [];

    /// <summary>When clocks turn to warning; null for never.</summary>
    public SlaWarningRule? Warning { get; init; }

    public IReadOnlyList<SlaEscalationRule> Escalations { get; init; } = [];

    /// <summary>Statuses that pause clocks whose rule allows pausing.</summary>
    public IReadOnlyList<SlaTicketStatus> PausingStatuses { get; init; } = [SlaTicketStatus.PendingCustomer, SlaTicketStatus.OnHoldThirdParty];

    /// <summary>Every problem in the definition, given the calendar ids that exist.</summary>
    public IReadOnlyList<SlaValidationError> Validate(IReadOnlyCollection<string> calendarIds)
    {
        var errors = new List<SlaValidationError>();
        if (string.IsNullOrWhiteSpace(Id))
        {
            errors.Add(new("id", "is required."));
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add(new("name", "is required."));
        }

        CheckCalendar(CalendarId, "calendarId", calendarIds, errors);
        if (Targets.Count == 0)
        {
            errors.Add(new("targets", "has no rules."));
        }

        for (var i = 0; i < Targets.Count; i++)
        {
            var rule = Targets[i];
            var path = $"targets[{i}]";
            if (!Enum.IsDefined(rule.Metric))
            {
                errors.Add(new($"{path}.metric", $"'{rule.Metric}' is not a metric."));
            }

            if (rule.Target is null)
            {
                errors.Add(new($"{path}.target", "is required."));
            }
            else
            {
                rule.Target.Validate($"{path}.target", errors);
            }

            if (rule.CalendarId is not null)
            {
                CheckCalendar(rule.CalendarId, $"{path}.calendarId", calendarIds, errors);
            }
        }

        if (Warning is { } warning)
        {
            if (warning.AtFractionElapsed is null && warning.BeforeBreach is null)
            {
                errors.Add(new("warning", "set atFractionElapsed, beforeBreach or both (or omit warning)."));
            }

            if (warning.AtFractionElapsed is { } fraction && fraction is not (> 0 and < 1))
            {
                errors.Add(new("warning.atFractionElapsed", "must be between 0 and 1 exclusive, e.g. 0.75."));
            }

            if (warning.BeforeBreach is { } before && before <= TimeSpan.Zero)
            {
                errors.Add(new("warning.beforeBreach", "must be positive."));
            }
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Escalations.Count; i++)
        {
            var rule = Escalations[i];
            var path = $"escalations[{i}]";
            if (string.IsNullOrWhiteSpace(rule.Id))
            {
                errors.Add(new($"{path}.id", "is required."));
            }
            else if (!ids.Add(rule.Id))
            {
                errors.Add(new($"{path}.id", $"'{rule.Id}' is used by another escalation."));
            }

            if (rule.On == SlaTrigger.Warning && Warning is null)
            {
                errors.Add(new($"{path}.on", "fires on warning but the policy defines no warning."));
            }

            if (rule.Delay < TimeSpan.Zero)
            {
                errors.Add(new($"{path}.delay", "must not be negative."));
            }

            if (rule.Actions is not { Count: > 0 })
            {
                errors.Add(new($"{path}.actions", "has no actions."));
            }
            else
            {
                for (var j = 0; j < rule.Actions.Count; j++)
                {
                    rule.Actions[j].Validate($"{path}.actions[{j}]", errors);
                }
            }
        }

        for (var i = 0; i < PausingStatuses.Count; i++)
        {
            if (PausingStatuses[i] is SlaTicketStatus.Solved or SlaTicketStatus.Closed or SlaTicketStatus.New or SlaTicketStatus.Open)
            {
                errors.Add(new($"pausingStatuses[{i}]", $"'{PausingStatuses[i]}' cannot pause clocks; use pending_customer or on_hold."));
            }
        }

        return errors;
    }

    private static void CheckCalendar(string? id, string path, IReadOnlyCollection<string> calendarIds, List<SlaValidationError> errors)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            errors.Add(new(path, "is required."));
        }
        else if (!calendarIds.Contains(id))
        {
            errors.Add(new(path, $"no calendar '{id}'."));
        }
    }
}
