namespace WalletDesk.Server.Features.Tickets.Sla;

/// <summary>A validated policy bound to its calendars. Immutable and thread-safe; build once, share.</summary>
public sealed class SlaPolicy
{
    private readonly Dictionary<string, BusinessCalendar> _calendars;

    private SlaPolicy(SlaPolicyDefinition definition, Dictionary<string, BusinessCalendar> calendars)
    {
        Definition = definition;
        _calendars = calendars;
    }

    public SlaPolicyDefinition Definition { get; }

    public string Id => Definition.Id;

    /// <summary>The calendars the policy may count on, by id.</summary>
    public IReadOnlyDictionary<string, BusinessCalendar> Calendars => _calendars;

    /// <summary>Validates <paramref name="definition"/> against <paramref name="calendars"/> and binds them.</summary>
    /// <exception cref="SlaDefinitionException">The definition has problems; all are listed.</exception>
    public static SlaPolicy Create(SlaPolicyDefinition definition, IEnumerable<BusinessCalendar> calendars)
    {
        var byId = new Dictionary<string, BusinessCalendar>(StringComparer.Ordinal);
        foreach (var calendar in calendars)
        {
            byId[calendar.Id] = calendar;
        }

        var errors = definition.Validate(byId.Keys);
        if (errors.Count > 0)
        {
            throw new SlaDefinitionException($"SLA policy '{definition.Id}'", errors);
        }

        return new SlaPolicy(definition, byId);
    }

    /// <summary>
    /// The target for a metric on a ticket with this priority and channel (first matching rule), or null when
    /// the policy does not track it. Also what the customer portal shows as the published response time.
    /// </summary>
    public SlaResolvedTarget? TargetFor(SlaMetric metric, SlaPriority priority, SlaChannel channel)
    {
        foreach (var rule in Definition.Targets)
        {
            if (rule.Matches(metric, priority, channel))
            {
                return new SlaResolvedTarget(rule, _calendars[rule.CalendarId ?? Definition.CalendarId]);
            }
        }

        return null;
    }
}

/// <summary>The rule that applies to a clock and the calendar it counts on.</summary>
public sealed record SlaResolvedTarget(SlaTargetRule Rule, BusinessCalendar Calendar)
{
    public SlaTarget Target => Rule.Target;

    /// <summary>
    /// The business time a clock started at <paramref name="start"/> may run: the target's business time, or for a
    /// day count the business time from the start to the end of the last counted business day.
    /// </summary>
    public TimeSpan BudgetFrom(DateTimeOffset start) => Target.BusinessDays is { } days
        ? Calendar.BusinessTimeBetween(start, Calendar.AddBusinessDays(start, days))
        : Target.BusinessTime!.Value;
}
