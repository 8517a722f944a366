using System.Text.Json;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Features.Tickets.Sla;

namespace WalletDesk.Server.Tests.Tickets.Sla;

public sealed class SlaDefinitionTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static BusinessCalendarDefinition Office(Func<BusinessCalendarDefinition, BusinessCalendarDefinition> change) => change(new BusinessCalendarDefinition
    {
        Id = "office",
        TimeZone = "Asia/Shanghai",
        Weekly = TestCalendars.Weekdays("09:00", "18:00"),
    });

    public static TheoryData<string, string, string> BadCalendars => new()
    {
        { "unknown zone", "timeZone", "not a known IANA time zone" },
        { "overlap", "weekly[5]", "overlaps weekly[0]" },
        { "hour 25", "weekly[5].open", "'25:00' is not a time of day" },
        { "one-digit hour", "weekly[5].open", "'9:00' is not a time of day" },
        { "reversed", "weekly[5]", "open 18:00 is not before close 09:00" },
        { "24:00 open", "weekly[5].open", "'24:00' is not a time of day" },
        { "always open with hours", "weekly", "must be empty when alwaysOpen" },
        { "no hours", "weekly", "has no opening hours" },
        { "duplicate holiday", "holidays[1].date", "2026-10-01 is already listed at holidays[0]" },
        { "holiday and working day", "workingDays[0].date", "already listed at holidays[0]" },
        { "overlapping closures", "holidays[0].closed[1]", "overlaps holidays[0].closed[0]" },
        { "empty closures", "holidays[0].closed", "omit it to close the whole day" },
        { "no id", "id", "is required" },
    };

    [Theory]
    [MemberData(nameof(BadCalendars))]
    public void Create_RefusesBadCalendars_NamingTheField(string problem, string path, string message)
    {
        var definition = problem switch
        {
            "unknown zone" => Office(d => d with { TimeZone = "Asia/Atlantis" }),
            "overlap" => Office(d => d with { Weekly = [.. d.Weekly, new WeeklyHours(DayOfWeek.Monday, "17:00", "20:00")] }),
            "hour 25" => Office(d => d with { Weekly = [.. d.Weekly, new WeeklyHours(DayOfWeek.Saturday, "25:00", "26:00")] }),
            "one-digit hour" => Office(d => d with { Weekly = [.. d.Weekly, new WeeklyHours(DayOfWeek.Saturday, "9:00", "12:00")] }),
            "reversed" => Office(d => d with { Weekly = [.. d.Weekly, new WeeklyHours(DayOfWeek.Saturday, "18:00", "09:00")] }),
            "24:00 open" => Office(d => d with { Weekly = [.. d.Weekly, new WeeklyHours(DayOfWeek.Saturday, "24:00", "24:00")] }),
            "always open with hours" => Office(d => d with { AlwaysOpen = true }),
            "no hours" => Office(d => d with { Weekly = [] }),
            "duplicate holiday" => Office(d => d with { Holidays = [new(new DateOnly(2026, 10, 1), "a"), new(new DateOnly(2026, 10, 1), "b")] }),
            "holiday and working day" => Office(d => d with
            {
                Holidays = [new(new DateOnly(2026, 10, 1), "a")],
                WorkingDays = [new(new DateOnly(2026, 10, 1), "b", [new OpeningHours("09:00", "12:00")])],
            }),
            "overlapping closures" => Office(d => d with { Holidays = [new(new DateOnly(2026, 12, 24), "eve", [new ClockRange("13:00", "24:00"), new ClockRange("12:00", "14:00")])] }),
            "empty closures" => Office(d => d with { Holidays = [new(new DateOnly(2026, 12, 24), "eve", [])] }),
            "no id" => Office(d => d with { Id = " " }),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        var error = Should.Throw<SlaDefinitionException>(() => BusinessCalendar.Create(definition));
        error.Errors.ShouldContain(e => e.Path == path && e.Message.Contains(message), $"got: {string.Join(" | ", error.Errors)}");
        error.Message.ShouldContain(path);
    }

    [Fact]
    public void Validate_ReportsEveryProblemAtOnce()
    {
        var definition = Office(d => d with
        {
            TimeZone = "Nowhere/Town",
            Weekly = [new WeeklyHours(DayOfWeek.Monday, "10:00", "09:00"), new WeeklyHours(DayOfWeek.Tuesday, "xx", "12:00")],
        });

        definition.Validate().Select(e => e.Path).ShouldBe(["timeZone", "weekly[0]", "weekly[1].open"]);
    }

    [Fact]
    public void CalendarDefinition_RoundTripsThroughJson_AndReadsHandWrittenJson()
    {
        var json = JsonSerializer.Serialize(DefaultSlaPolicies.OfficeCalendar, Json);
        json.ShouldContain("\"day\":\"Monday\"");
        json.ShouldContain("\"date\":\"2026-10-01\"");
        var back = JsonSerializer.Deserialize<BusinessCalendarDefinition>(json, Json)!;
        JsonSerializer.Serialize(back, Json).ShouldBe(json);

        var handWritten = JsonSerializer.Deserialize<BusinessCalendarDefinition>("""
            {
              "id": "london", "timeZone": "Europe/London",
              "weekly": [ { "day": "Monday", "open": "09:00", "close": "17:30" } ],
              "holidays": [ { "date": "2026-12-24", "name": "Christmas Eve", "closed": [ { "from": "13:00", "to": "24:00" } ] } ]
            }
            """, Json)!;
        var calendar = BusinessCalendar.Create(handWritten);
        calendar.BusinessTimeBetween(TestCalendars.Utc(2026, 12, 21, 0), TestCalendars.Utc(2026, 12, 22, 0)).ShouldBe(TimeSpan.FromHours(8.5));
    }

    [Fact]
    public void PolicyDefinition_RoundTripsThroughJson_WithSnakeCaseEnums()
    {
        var json = JsonSerializer.Serialize(DefaultSlaPolicies.Standard, Json);
        json.ShouldContain("\"channels\":[\"chat\",\"in_app\"]");
        json.ShouldContain("\"metric\":\"first_response\"");
        json.ShouldContain("\"kind\":\"raise_priority\"");
        json.ShouldContain("\"businessTime\":\"00:15:00\"");
        JsonSerializer.Serialize(JsonSerializer.Deserialize<SlaPolicyDefinition>(json, Json), Json).ShouldBe(json);

        var complaint = JsonSerializer.Serialize(DefaultSlaPolicies.Complaint, Json);
        complaint.ShouldContain("\"businessDays\":15");
        complaint.ShouldContain("\"pausesWhilePending\":false");
        JsonSerializer.Deserialize<SlaPolicyDefinition>("""{"id":"x","name":"x","calendarId":"c","targets":[{"metric":"next_response","channels":["in_app"],"target":{"businessDays":2}}]}""", Json)!
            .Targets[0].Channels.ShouldBe([SlaChannel.InApp]);
    }

    public static TheoryData<string, string, string> BadPolicies => new()
    {
        { "unknown calendar", "calendarId", "no calendar 'nowhere'" },
        { "unknown rule calendar", "targets[0].calendarId", "no calendar 'moon'" },
        { "both target kinds", "targets[0].target", "exactly one of businessTime and businessDays" },
        { "zero time", "targets[0].target.businessTime", "must be positive" },
        { "zero days", "targets[0].target.businessDays", "between 1 and 366" },
        { "no rules", "targets", "has no rules" },
        { "warning fraction", "warning.atFractionElapsed", "between 0 and 1" },
        { "empty warning", "warning", "set atFractionElapsed, beforeBreach or both" },
        { "duplicate escalation", "escalations[1].id", "'notify' is used by another escalation" },
        { "notify nobody", "escalations[0].actions[0].recipient", "is required for notify" },
        { "reassign nowhere", "escalations[0].actions[0].group", "is required for reassign" },
        { "warning escalation without warning", "escalations[0].on", "no warning" },
        { "negative delay", "escalations[0].delay", "must not be negative" },
        { "pause on solved", "pausingStatuses[0]", "cannot pause clocks" },
    };

    [Theory]
    [MemberData(nameof(BadPolicies))]
    public void CreatePolicy_RefusesBadDefinitions_NamingTheField(string problem, string path, string message)
    {
        var basic = new SlaPolicyDefinition
        {
            Id = "p",
            Name = "Policy",
            CalendarId = "office",
            Targets = [new SlaTargetRule { Metric = SlaMetric.FirstResponse, Target = SlaTarget.Hours(4) }],
            Warning = new SlaWarningRule(AtFractionElapsed: 0.75),
        };
        var notify = new SlaEscalationRule { Id = "notify", On = SlaTrigger.Breach, Actions = [SlaAction.Notify("group_lead")] };
        var definition = problem switch
        {
            "unknown calendar" => basic with { CalendarId = "nowhere" },
            "unknown rule calendar" => basic with { Targets = [basic.Targets[0] with { CalendarId = "moon" }] },
            "both target kinds" => basic with { Targets = [basic.Targets[0] with { Target = new SlaTarget(TimeSpan.FromHours(1), 1) }] },
            "zero time" => basic with { Targets = [basic.Targets[0] with { Target = SlaTarget.Minutes(0) }] },
            "zero days" => basic with { Targets = [basic.Targets[0] with { Target = SlaTarget.Days(0) }] },
            "no rules" => basic with { Targets = [] },
            "warning fraction" => basic with { Warning = new SlaWarningRule(AtFractionElapsed: 1.5) },
            "empty warning" => basic with { Warning = new SlaWarningRule() },
            "duplicate escalation" => basic with { Escalations = [notify, notify] },
            "notify nobody" => basic with { Escalations = [notify with { Actions = [new SlaAction(SlaActionKind.Notify)] }] },
            "reassign nowhere" => basic with { Escalations = [notify with { Actions = [new SlaAction(SlaActionKind.Reassign)] }] },
            "warning escalation without warning" => basic with { Warning = null, Escalations = [notify with { On = SlaTrigger.Warning }] },
            "negative delay" => basic with { Escalations = [notify with { Delay = TimeSpan.FromMinutes(-5) }] },
            "pause on solved" => basic with { PausingStatuses = [SlaTicketStatus.Solved] },
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        var error = Should.Throw<SlaDefinitionException>(() => SlaPolicy.Create(definition, [TestCalendars.Shanghai]));
        error.Errors.ShouldContain(e => e.Path == path && e.Message.Contains(message), $"got: {string.Join(" | ", error.Errors)}");
    }

    [Fact]
    public void DefaultPolicies_AreValid_AndMatchThePublishedResponseTimes()
    {
        var calendars = DefaultSlaPolicies.Calendars();
        var standard = SlaPolicy.Create(DefaultSlaPolicies.Standard, calendars);
        SlaPolicy.Create(DefaultSlaPolicies.Complaint, calendars).TargetFor(SlaMetric.Resolution, SlaPriority.Low, SlaChannel.Email)!
            .Target.ShouldBe(SlaTarget.Days(15));

        (SlaTarget Target, string Calendar) First(SlaPriority priority, SlaChannel channel)
        {
            var resolved = standard.TargetFor(SlaMetric.FirstResponse, priority, channel)!;
            var next = standard.TargetFor(SlaMetric.NextResponse, priority, channel)!;
            (next.Target, next.Calendar.Id).ShouldBe((resolved.Target, resolved.Calendar.Id), "next response mirrors first response");
            return (resolved.Target, resolved.Calendar.Id);
        }

        First(SlaPriority.Normal, SlaChannel.Chat).ShouldBe((SlaTarget.Minutes(2), "24x7"));
        First(SlaPriority.Normal, SlaChannel.Email).ShouldBe((SlaTarget.Hours(4), "24x7"));
        First(SlaPriority.Normal, SlaChannel.Phone).ShouldBe((SlaTarget.Hours(1), "cn-office"));
        First(SlaPriority.Low, SlaChannel.Web).ShouldBe((SlaTarget.Hours(8), "cn-office"));

        // Every channel and priority tracks exactly the time the help centre publishes for it.
        foreach (var priority in Enum.GetValues<SlaPriority>())
        {
            foreach (var channel in Enum.GetValues<SlaChannel>())
            {
                var published = PublishedResponseTimes.For(SlaVocabulary.ToTicketChannel(channel), SlaVocabulary.ToTicketPriority(priority), "en");
                (SlaTarget, string) expected = published switch
                {
                    _ when published.Contains("15 minutes") => (SlaTarget.Minutes(15), "24x7"),
                    _ when published.Contains("2 minutes, 24/7") => (SlaTarget.Minutes(2), "24x7"),
                    _ when published.Contains("4 hours, 24/7") => (SlaTarget.Hours(4), "24x7"),
                    _ when published.Contains("1 business hour (Mon–Fri 09:00–18:00)") => (SlaTarget.Hours(1), "cn-office"),
                    _ when published.Contains("8 business hours") => (SlaTarget.Hours(8), "cn-office"),
                    _ => throw new InvalidOperationException($"Unrecognised published time: {published}"),
                };
                First(priority, channel).ShouldBe(expected, $"{priority} {channel}: \"{published}\"");
            }
        }

        var office = calendars.Single(c => c.Id == "cn-office");
        office.TimeZone.Id.ShouldBe("Asia/Shanghai");
        office.IsOpen(TestCalendars.Cst(2026, 3, 9, 9)).ShouldBeTrue();
        office.IsOpen(TestCalendars.Cst(2026, 3, 9, 18)).ShouldBeFalse();
    }

    [Fact]
    public void ComplaintTemplates_CountBusinessDays_AndNeverPause()
    {
        foreach (var (template, days) in new[] { (SlaPolicyTemplates.Complaint10BusinessDays("office"), 10), (SlaPolicyTemplates.Complaint15BusinessDays("office"), 15) })
        {
            var policy = SlaPolicy.Create(template, [TestCalendars.Shanghai]);
            var rule = policy.TargetFor(SlaMetric.Resolution, SlaPriority.Normal, SlaChannel.Web)!;
            rule.Target.ShouldBe(SlaTarget.Days(days));
            rule.Rule.PausesWhilePending.ShouldBeFalse();
            policy.TargetFor(SlaMetric.FirstResponse, SlaPriority.Normal, SlaChannel.Web).ShouldBeNull();
        }
    }

    [Fact]
    public void RaisePriority_RaisesOneStepOrToTheGivenLevel_NeverLowers()
    {
        SlaAction.RaisePriority().RaisedFrom(SlaPriority.Normal).ShouldBe(SlaPriority.High);
        SlaAction.RaisePriority().RaisedFrom(SlaPriority.Urgent).ShouldBe(SlaPriority.Urgent);
        SlaAction.RaisePriority(SlaPriority.Urgent).RaisedFrom(SlaPriority.Low).ShouldBe(SlaPriority.Urgent);
        SlaAction.RaisePriority(SlaPriority.Normal).RaisedFrom(SlaPriority.High).ShouldBe(SlaPriority.High);
    }

    [Fact]
    public void Vocabulary_MapsEveryTicketStringBothWays()
    {
        TicketPriorities.All.Select(SlaVocabulary.Priority).Select(SlaVocabulary.ToTicketPriority).ShouldBe(TicketPriorities.All);
        TicketChannels.All.Select(SlaVocabulary.Channel).Select(SlaVocabulary.ToTicketChannel).ShouldBe(TicketChannels.All);
        TicketStatuses.All.Select(SlaVocabulary.Status).ShouldBe(Enum.GetValues<SlaTicketStatus>());
        SlaVocabulary.Status(TicketStatuses.OnHold).ShouldBe(SlaTicketStatus.OnHoldThirdParty);
        Should.Throw<ArgumentOutOfRangeException>(() => SlaVocabulary.Channel("fax"));
    }
}
