namespace WalletDesk.Server.Features.Tickets.Sla;

/// <summary>
/// The product's default calendars and policies, matching the response times published in the help centre
/// (docs/sla.md lists them). The demo seeds these; operators edit copies.
/// </summary>
public static class DefaultSlaPolicies
{
    public const string AlwaysOpenCalendarId = "24x7";
    public const string OfficeCalendarId = "cn-office";
    public const string StandardPolicyId = "standard";
    private const string OfficeZone = "Asia/Shanghai";

    /// <summary>Around the clock; kept in Asia/Shanghai so business-day counting uses the operator's dates.</summary>
    public static BusinessCalendarDefinition AlwaysOpenCalendar { get; } = new()
    {
        Id = AlwaysOpenCalendarId,
        Name = "24/7",
        TimeZone = OfficeZone,
        AlwaysOpen = true,
    };

    /// <summary>
    /// Monday to Friday 09:00–18:00 Asia/Shanghai. The holidays are a demo sample (New Year's Day and the National
    /// Day week of 2026), not the State Council schedule: operators load the official dates, including the weekend
    /// make-up working days, each year.
    /// </summary>
    public static BusinessCalendarDefinition OfficeCalendar { get; } = new()
    {
        Id = OfficeCalendarId,
        Name = "Support office (Shanghai)",
        TimeZone = OfficeZone,
        Weekly = [.. Weekdays().Select(day => new WeeklyHours(day, "09:00", "18:00"))],
        Holidays =
        [
            new CalendarHoliday(new DateOnly(2026, 1, 1), "New Year's Day"),
            .. Enumerable.Range(1, 7).Select(d => new CalendarHoliday(new DateOnly(2026, 10, d), "National Day holiday")),
        ],
    };

    /// <summary>
    /// First and next response as published (first match wins): urgent (security and fraud) 15 minutes on every
    /// channel 24/7; live chat and in-app 2 minutes 24/7; email 4 hours 24/7; phone callback 1 business hour;
    /// help-centre web form and social 8 business hours. Resolution targets are internal, not published.
    /// </summary>
    public static SlaPolicyDefinition Standard { get; } = new()
    {
        Id = StandardPolicyId,
        Name = "Standard (published response times)",
        CalendarId = OfficeCalendarId,
        Targets =
        [
            .. ResponseRules(SlaMetric.FirstResponse),
            .. ResponseRules(SlaMetric.NextResponse),
            new SlaTargetRule { Metric = SlaMetric.Resolution, Priorities = [SlaPriority.Urgent], Target = SlaTarget.Hours(24), CalendarId = AlwaysOpenCalendarId },
            new SlaTargetRule { Metric = SlaMetric.Resolution, Priorities = [SlaPriority.High], Target = SlaTarget.Days(2) },
            new SlaTargetRule { Metric = SlaMetric.Resolution, Priorities = [SlaPriority.Normal], Target = SlaTarget.Days(5) },
            new SlaTargetRule { Metric = SlaMetric.Resolution, Priorities = [SlaPriority.Low], Target = SlaTarget.Days(10) },
        ],
        Warning = new SlaWarningRule(AtFractionElapsed: 0.75),
        Escalations =
        [
            new SlaEscalationRule { Id = "warn-assignee", On = SlaTrigger.Warning, Actions = [SlaAction.Notify("assignee")] },
            new SlaEscalationRule { Id = "breach-lead", On = SlaTrigger.Breach, Actions = [SlaAction.Notify("assignee"), SlaAction.Notify("group_lead")] },
            new SlaEscalationRule
            {
                Id = "urgent-breach-security",
                On = SlaTrigger.Breach,
                Priorities = [SlaPriority.Urgent],
                Metrics = [SlaMetric.FirstResponse, SlaMetric.NextResponse],
                Actions = [SlaAction.Reassign("security"), SlaAction.Notify("group_lead")],
            },
            new SlaEscalationRule
            {
                Id = "stale-response-raise",
                On = SlaTrigger.Breach,
                Delay = TimeSpan.FromHours(1),
                Priorities = [SlaPriority.Low, SlaPriority.Normal],
                Metrics = [SlaMetric.FirstResponse, SlaMetric.NextResponse],
                Actions = [SlaAction.RaisePriority()],
            },
        ],
    };

    /// <summary>Regulatory complaints: final response within 15 business days on the office calendar.</summary>
    public static SlaPolicyDefinition Complaint { get; } = SlaPolicyTemplates.Complaint15BusinessDays(OfficeCalendarId);

    /// <summary>Both default calendars, built.</summary>
    public static IReadOnlyList<BusinessCalendar> Calendars() =>
        [BusinessCalendar.Create(AlwaysOpenCalendar), BusinessCalendar.Create(OfficeCalendar)];

    // Same order as PublishedResponseTimes.For, so the clock promises what the customer is told: urgent first on every channel.
    private static IEnumerable<SlaTargetRule> ResponseRules(SlaMetric metric) =>
    [
        new SlaTargetRule { Metric = metric, Priorities = [SlaPriority.Urgent], Target = SlaTarget.Minutes(15), CalendarId = AlwaysOpenCalendarId },
        new SlaTargetRule { Metric = metric, Channels = [SlaChannel.Chat, SlaChannel.InApp], Target = SlaTarget.Minutes(2), CalendarId = AlwaysOpenCalendarId },
        new SlaTargetRule { Metric = metric, Channels = [SlaChannel.Email], Target = SlaTarget.Hours(4), CalendarId = AlwaysOpenCalendarId },
        new SlaTargetRule { Metric = metric, Channels = [SlaChannel.Phone], Target = SlaTarget.Hours(1) },
        new SlaTargetRule { Metric = metric, Target = SlaTarget.Hours(8) },
    ];

    private static IEnumerable<DayOfWeek> Weekdays() =>
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
}
