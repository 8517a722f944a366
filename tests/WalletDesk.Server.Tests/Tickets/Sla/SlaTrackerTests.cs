using WalletDesk.Server.Features.Tickets.Sla;
using static WalletDesk.Server.Tests.Tickets.Sla.TestCalendars;
using E = WalletDesk.Server.Features.Tickets.Sla.SlaTicketEvent;

namespace WalletDesk.Server.Tests.Tickets.Sla;

public sealed class SlaTrackerTests
{
    /// <summary>Office = Mon–Fri 09:00–18:00 Asia/Shanghai. First response 4 business hours (urgent 15 min, chat 2 min, 24/7),
    /// next response 2 business hours, resolution 16 business hours (email 24 hours 24/7); warning at 75%.</summary>
    private static readonly SlaPolicy Policy = SlaPolicy.Create(new SlaPolicyDefinition
    {
        Id = "test",
        Name = "Test",
        CalendarId = "office",
        Targets =
        [
            new SlaTargetRule { Metric = SlaMetric.FirstResponse, Priorities = [SlaPriority.Urgent], Target = SlaTarget.Minutes(15), CalendarId = "24x7" },
            new SlaTargetRule { Metric = SlaMetric.FirstResponse, Channels = [SlaChannel.Chat], Target = SlaTarget.Minutes(2), CalendarId = "24x7" },
            new SlaTargetRule { Metric = SlaMetric.FirstResponse, Target = SlaTarget.Hours(4) },
            new SlaTargetRule { Metric = SlaMetric.NextResponse, Target = SlaTarget.Hours(2) },
            new SlaTargetRule { Metric = SlaMetric.Resolution, Channels = [SlaChannel.Email], Target = SlaTarget.Hours(24), CalendarId = "24x7" },
            new SlaTargetRule { Metric = SlaMetric.Resolution, Target = SlaTarget.Hours(16) },
        ],
        Warning = new SlaWarningRule(AtFractionElapsed: 0.75),
        Escalations =
        [
            new SlaEscalationRule { Id = "warn", On = SlaTrigger.Warning, Actions = [SlaAction.Notify("assignee")] },
            new SlaEscalationRule { Id = "breach", On = SlaTrigger.Breach, Actions = [SlaAction.Notify("group_lead")] },
            new SlaEscalationRule
            {
                Id = "raise",
                On = SlaTrigger.Breach,
                Delay = TimeSpan.FromHours(1),
                Priorities = [SlaPriority.Low, SlaPriority.Normal],
                Actions = [SlaAction.RaisePriority()],
            },
        ],
    }, [Shanghai, AlwaysOpenShanghai]);

    private static readonly SlaTracker Tracker = new(Policy);

    private static SlaClockStatus Clock(SlaEvaluation evaluation, SlaMetric metric, int cycle) =>
        evaluation.Clocks.Single(c => c.Metric == metric && c.Cycle == cycle);

    [Fact]
    public void PendingCustomerOverAWeekend_PausesResolution_AndNextResponseRunsFromTheReply()
    {
        List<E> history =
        [
            new E.Created(Cst(2026, 3, 6, 10), SlaPriority.Normal, SlaChannel.Web),
            new E.AgentReplied(Cst(2026, 3, 6, 11)),
            new E.StatusChanged(Cst(2026, 3, 6, 11), SlaTicketStatus.PendingCustomer),
            new E.CustomerReplied(Cst(2026, 3, 9, 10)),
            new E.StatusChanged(Cst(2026, 3, 9, 10), SlaTicketStatus.Open),
        ];

        var saturday = Tracker.Evaluate(history, Cst(2026, 3, 7, 12));
        var paused = saturday.Current(SlaMetric.Resolution)!;
        paused.State.ShouldBe(SlaState.Paused);
        paused.IsPaused.ShouldBeTrue();
        paused.Elapsed.ShouldBe(TimeSpan.FromHours(1));
        paused.Remaining.ShouldBe(TimeSpan.FromHours(15));
        paused.TargetAt.ShouldBeNull();
        var first = saturday.Current(SlaMetric.FirstResponse)!;
        first.State.ShouldBe(SlaState.Met);
        first.CompletedAt.ShouldBe(Cst(2026, 3, 6, 11));
        first.TargetAt.ShouldBe(Cst(2026, 3, 6, 14));
        saturday.Status.ShouldBe(SlaTicketStatus.PendingCustomer);

        var monday = Tracker.Evaluate(history, Cst(2026, 3, 9, 11));
        var resolution = monday.Current(SlaMetric.Resolution)!;
        resolution.State.ShouldBe(SlaState.Running);
        resolution.Elapsed.ShouldBe(TimeSpan.FromHours(2));
        // Unpaused it would be due Mon 17:00; the pause moved it by the 8 business hours it covered.
        resolution.TargetAt.ShouldBe(Cst(2026, 3, 10, 16));
        var next = monday.Current(SlaMetric.NextResponse)!;
        next.StartedAt.ShouldBe(Cst(2026, 3, 9, 10));
        next.TargetAt.ShouldBe(Cst(2026, 3, 9, 12));
        next.WarningAt.ShouldBe(Cst(2026, 3, 9, 11, 30));
        next.State.ShouldBe(SlaState.Running);
        Tracker.Evaluate(history, Cst(2026, 3, 9, 11, 45)).Current(SlaMetric.NextResponse)!.State.ShouldBe(SlaState.Warning);
    }

    [Fact]
    public void OnHoldOverAWeekend_OnA24x7Clock_ShiftsTheTargetByTheWholePause()
    {
        List<E> history =
        [
            new E.Created(Cst(2026, 3, 6, 12), SlaPriority.Normal, SlaChannel.Email),
            new E.AgentReplied(Cst(2026, 3, 6, 12, 30)),
            new E.StatusChanged(Cst(2026, 3, 6, 12, 30), SlaTicketStatus.OnHoldThirdParty),
            new E.StatusChanged(Cst(2026, 3, 9, 9), SlaTicketStatus.Open),
        ];

        var resolution = Tracker.Evaluate(history, Cst(2026, 3, 9, 10)).Current(SlaMetric.Resolution)!;
        resolution.CalendarId.ShouldBe("24x7");
        resolution.Elapsed.ShouldBe(TimeSpan.FromHours(1.5));
        resolution.TargetAt.ShouldBe(Cst(2026, 3, 10, 8, 30));
        Tracker.Evaluate(history, Cst(2026, 3, 10, 8, 31)).Current(SlaMetric.Resolution)!.BreachedAt.ShouldBe(Cst(2026, 3, 10, 8, 30));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Reopen_StartsANewResolutionCycle_AndNextResponseRunsFromTheCustomersReply(bool replyRecordedFirst)
    {
        List<E> history =
        [
            new E.Created(Cst(2026, 3, 9, 9), SlaPriority.Normal, SlaChannel.Web),
            new E.AgentReplied(Cst(2026, 3, 9, 10)),
            new E.StatusChanged(Cst(2026, 3, 9, 14), SlaTicketStatus.Solved),
        ];
        var reply = new E.CustomerReplied(Cst(2026, 3, 11, 10));
        var reopen = new E.StatusChanged(replyRecordedFirst ? Cst(2026, 3, 11, 10, 5) : Cst(2026, 3, 11, 10), SlaTicketStatus.Open);
        history.AddRange(replyRecordedFirst ? [reply, reopen] : [reopen, reply]);

        var beforeReopen = Tracker.Evaluate(history, Cst(2026, 3, 11, 10, 2));
        if (replyRecordedFirst)
        {
            // A reply to a solved ticket owes nothing until the ticket is reopened.
            beforeReopen.Current(SlaMetric.NextResponse).ShouldBeNull();
            beforeReopen.Current(SlaMetric.Resolution)!.Cycle.ShouldBe(1);
        }

        var evaluation = Tracker.Evaluate(history, Cst(2026, 3, 11, 11));
        var firstCycle = Clock(evaluation, SlaMetric.Resolution, 1);
        firstCycle.State.ShouldBe(SlaState.Met);
        firstCycle.Elapsed.ShouldBe(TimeSpan.FromHours(5));
        firstCycle.CompletedAt.ShouldBe(Cst(2026, 3, 9, 14));

        var reopened = evaluation.Current(SlaMetric.Resolution)!;
        reopened.Cycle.ShouldBe(2);
        reopened.StartedAt.ShouldBe(reopen.At);
        reopened.Budget.ShouldBe(TimeSpan.FromHours(16));
        reopened.TargetAt.ShouldBe(Shanghai.AddBusinessTime(reopen.At, TimeSpan.FromHours(16)));
        reopened.TargetAt.ShouldBe(replyRecordedFirst ? Cst(2026, 3, 12, 17, 5) : Cst(2026, 3, 12, 17));

        var next = evaluation.Current(SlaMetric.NextResponse)!;
        next.Cycle.ShouldBe(1);
        next.StartedAt.ShouldBe(Cst(2026, 3, 11, 10));
        next.TargetAt.ShouldBe(Cst(2026, 3, 11, 12));
        evaluation.Current(SlaMetric.FirstResponse)!.Cycle.ShouldBe(1);
    }

    [Fact]
    public void PriorityRaisedBeforeTheNewTargetPasses_KeepsTheStart_AndTheNewTargetApplies()
    {
        List<E> history =
        [
            new E.Created(Cst(2026, 3, 9, 9), SlaPriority.Normal, SlaChannel.Web),
            new E.PriorityChanged(Cst(2026, 3, 9, 9, 10), SlaPriority.Urgent),
        ];

        Tracker.Evaluate(history, Cst(2026, 3, 9, 9, 5)).Current(SlaMetric.FirstResponse)!.TargetAt.ShouldBe(Cst(2026, 3, 9, 13));

        var urgent = Tracker.Evaluate(history, Cst(2026, 3, 9, 9, 12));
        urgent.Priority.ShouldBe(SlaPriority.Urgent);
        var first = urgent.Current(SlaMetric.FirstResponse)!;
        first.StartedAt.ShouldBe(Cst(2026, 3, 9, 9));
        first.Target.ShouldBe(SlaTarget.Minutes(15));
        first.CalendarId.ShouldBe("24x7");
        first.TargetAt.ShouldBe(Cst(2026, 3, 9, 9, 15));
        first.State.ShouldBe(SlaState.Warning);

        var late = Tracker.Evaluate(history, Cst(2026, 3, 9, 9, 20)).Current(SlaMetric.FirstResponse)!;
        late.State.ShouldBe(SlaState.Breached);
        late.BreachedAt.ShouldBe(Cst(2026, 3, 9, 9, 15));
    }

    [Fact]
    public void PriorityRaisedAfterTheNewTargetPassed_BreachesAtTheChange_WithoutAWarning()
    {
        List<E> history =
        [
            new E.Created(Cst(2026, 3, 9, 9), SlaPriority.Normal, SlaChannel.Web),
            new E.PriorityChanged(Cst(2026, 3, 9, 9, 30), SlaPriority.Urgent),
        ];

        Tracker.Evaluate(history, Cst(2026, 3, 9, 9, 30)).Current(SlaMetric.FirstResponse)!.BreachedAt.ShouldBeNull();
        var first = Tracker.Evaluate(history, Cst(2026, 3, 9, 9, 31)).Current(SlaMetric.FirstResponse)!;
        first.State.ShouldBe(SlaState.Breached);
        first.TargetAt.ShouldBe(Cst(2026, 3, 9, 9, 15));
        first.BreachedAt.ShouldBe(Cst(2026, 3, 9, 9, 30));

        Tracker.DueEvents(history, Cst(2026, 3, 9, 9, 31)).Select(e => (e.Key, e.DueAt)).ShouldBe(
        [
            ("first_response/1/breach", Cst(2026, 3, 9, 9, 30)),
            ("first_response/1/escalation/breach", Cst(2026, 3, 9, 9, 30)),
        ]);
    }

    [Fact]
    public void PriorityLoweredAfterABreach_StaysBreached()
    {
        List<E> history =
        [
            new E.Created(Cst(2026, 3, 9, 9), SlaPriority.Urgent, SlaChannel.Web),
            new E.PriorityChanged(Cst(2026, 3, 9, 9, 30), SlaPriority.Normal),
        ];

        var first = Tracker.Evaluate(history, Cst(2026, 3, 9, 10)).Current(SlaMetric.FirstResponse)!;
        first.State.ShouldBe(SlaState.Breached);
        first.BreachedAt.ShouldBe(Cst(2026, 3, 9, 9, 15));
        first.TargetAt.ShouldBe(Cst(2026, 3, 9, 13));
        first.Remaining.ShouldBe(TimeSpan.FromHours(3));
    }

    [Fact]
    public void ChatAtTheWeekend_RunsOnTheAlwaysOpenCalendar()
    {
        var created = new E.Created(Cst(2026, 3, 7, 3), SlaPriority.Normal, SlaChannel.Chat);
        var open = Tracker.Evaluate([created], Cst(2026, 3, 7, 3, 1)).Current(SlaMetric.FirstResponse)!;
        open.TargetAt.ShouldBe(Cst(2026, 3, 7, 3, 2));
        open.Remaining.ShouldBe(TimeSpan.FromMinutes(1));

        var met = Tracker.Evaluate([created, new E.AgentReplied(Cst(2026, 3, 7, 3, 2))], Cst(2026, 3, 7, 3, 5)).Current(SlaMetric.FirstResponse)!;
        met.State.ShouldBe(SlaState.Met);

        Tracker.Evaluate([created], Cst(2026, 3, 7, 3, 3)).Current(SlaMetric.FirstResponse)!.BreachedAt.ShouldBe(Cst(2026, 3, 7, 3, 2));

        // The same ticket on the web form waits for Monday's opening hours.
        Tracker.Evaluate([created with { Channel = SlaChannel.Web }], Cst(2026, 3, 7, 3, 5)).Current(SlaMetric.FirstResponse)!
            .TargetAt.ShouldBe(Cst(2026, 3, 9, 13));
    }

    [Fact]
    public void Warnings_Breaches_AndEscalations_FallDueOnce()
    {
        List<E> history = [new E.Created(Cst(2026, 3, 9, 9), SlaPriority.Normal, SlaChannel.Web)];
        var fired = new HashSet<string>();

        Tracker.DueEvents(history, Cst(2026, 3, 9, 11, 59), fired).ShouldBeEmpty();
        Tracker.Evaluate(history, Cst(2026, 3, 9, 11)).NextChangeAt.ShouldBe(Cst(2026, 3, 9, 12));

        var warning = Tracker.DueEvents(history, Cst(2026, 3, 9, 12), fired);
        warning.Select(e => e.Key).ShouldBe(["first_response/1/escalation/warn", "first_response/1/warning"]);
        warning[0].Actions.ShouldBe([SlaAction.Notify("assignee")]);
        warning[1].Kind.ShouldBe(SlaDueKind.Warning);
        fired.UnionWith(warning.Select(e => e.Key));
        Tracker.DueEvents(history, Cst(2026, 3, 9, 12, 30), fired).ShouldBeEmpty();

        // Meeting the target at the exact instant is on time, so nothing is due at 13:00 itself.
        Tracker.Evaluate(history, Cst(2026, 3, 9, 12, 30)).NextChangeAt.ShouldBe(Cst(2026, 3, 9, 13).AddTicks(1));
        Tracker.DueEvents(history, Cst(2026, 3, 9, 13), fired).ShouldBeEmpty();

        var breach = Tracker.DueEvents(history, Cst(2026, 3, 9, 13, 1), fired);
        breach.Select(e => (e.Key, e.Kind, e.DueAt)).ShouldBe(
        [
            ("first_response/1/breach", SlaDueKind.Breach, Cst(2026, 3, 9, 13)),
            ("first_response/1/escalation/breach", SlaDueKind.Escalation, Cst(2026, 3, 9, 13)),
        ]);
        fired.UnionWith(breach.Select(e => e.Key));
        Tracker.Evaluate(history, Cst(2026, 3, 9, 13, 1)).NextChangeAt.ShouldBe(Cst(2026, 3, 9, 14));

        var raise = Tracker.DueEvents(history, Cst(2026, 3, 9, 14), fired).ShouldHaveSingleItem();
        raise.Key.ShouldBe("first_response/1/escalation/raise");
        raise.EscalationId.ShouldBe("raise");
        raise.Actions.ShouldHaveSingleItem().RaisedFrom(SlaPriority.Normal).ShouldBe(SlaPriority.High);
        fired.Add(raise.Key);

        // The caller applies the action; replaying with it fires nothing twice.
        history.Add(new E.PriorityChanged(Cst(2026, 3, 9, 14), SlaPriority.High));
        Tracker.DueEvents(history, Cst(2026, 3, 9, 14, 30), fired).ShouldBeEmpty();
        // Without the fired keys the rest comes back; "raise" does not, as it only applies to low and normal tickets.
        Tracker.DueEvents(history, Cst(2026, 3, 9, 14, 30)).Count.ShouldBe(4);

        // Once answered, an unfired event for that clock is no longer due.
        history.Add(new E.AgentReplied(Cst(2026, 3, 9, 14, 45)));
        Tracker.DueEvents(history, Cst(2026, 3, 9, 15)).ShouldBeEmpty();
    }

    [Fact]
    public void NextResponse_StartsAtTheFirstUnansweredCustomerReply_OnlyAfterTheFirstResponse()
    {
        List<E> history =
        [
            new E.Created(Cst(2026, 3, 9, 9), SlaPriority.Normal, SlaChannel.Web),
            new E.CustomerReplied(Cst(2026, 3, 9, 9, 30)),
            new E.AgentReplied(Cst(2026, 3, 9, 10)),
            new E.CustomerReplied(Cst(2026, 3, 9, 11)),
            new E.CustomerReplied(Cst(2026, 3, 9, 11, 30)),
            new E.AgentReplied(Cst(2026, 3, 9, 12)),
            new E.CustomerReplied(Cst(2026, 3, 9, 15)),
        ];

        var evaluation = Tracker.Evaluate(history, Cst(2026, 3, 9, 15, 30));
        var firstCycle = Clock(evaluation, SlaMetric.NextResponse, 1);
        firstCycle.StartedAt.ShouldBe(Cst(2026, 3, 9, 11));
        firstCycle.State.ShouldBe(SlaState.Met);
        firstCycle.Elapsed.ShouldBe(TimeSpan.FromHours(1));
        var second = evaluation.Current(SlaMetric.NextResponse)!;
        second.Cycle.ShouldBe(2);
        second.TargetAt.ShouldBe(Cst(2026, 3, 9, 17));
        evaluation.Clocks.Count(c => c.Metric == SlaMetric.NextResponse).ShouldBe(2);
    }

    [Fact]
    public void Solving_MeetsAnOpenFirstResponse()
    {
        List<E> history =
        [
            new E.Created(Cst(2026, 3, 9, 9), SlaPriority.Normal, SlaChannel.Web),
            new E.StatusChanged(Cst(2026, 3, 9, 9, 30), SlaTicketStatus.Solved),
        ];

        var evaluation = Tracker.Evaluate(history, Cst(2026, 3, 9, 20));
        evaluation.Clocks.ShouldAllBe(c => c.State == SlaState.Met && c.CompletedAt == Cst(2026, 3, 9, 9, 30));
        evaluation.NextChangeAt.ShouldBeNull();
        evaluation.NextDeadline.ShouldBeNull();
    }

    [Fact]
    public void ComplaintClock_CountsBusinessDaysOverAHolidayWeek_AndDoesNotPause()
    {
        var tracker = new SlaTracker(SlaPolicy.Create(SlaPolicyTemplates.Complaint15BusinessDays("office"), [Shanghai]));
        List<E> history =
        [
            new E.Created(Cst(2026, 9, 28, 10), SlaPriority.Normal, SlaChannel.Email),
            new E.AgentReplied(Cst(2026, 9, 29, 10)),
            new E.StatusChanged(Cst(2026, 9, 29, 10), SlaTicketStatus.PendingCustomer),
            new E.StatusChanged(Cst(2026, 10, 8, 10), SlaTicketStatus.Open),
        ];

        var evaluation = tracker.Evaluate(history, Cst(2026, 10, 9, 12));
        evaluation.Current(SlaMetric.FirstResponse).ShouldBeNull();
        var clock = evaluation.Current(SlaMetric.Resolution)!;
        clock.State.ShouldBe(SlaState.Running);
        clock.TargetAt.ShouldBe(Cst(2026, 10, 27, 0));
        clock.Budget.ShouldBe(TimeSpan.FromHours(8 + 15 * 9));
        // Two thirds of 143 business hours is 95h20m: reached on Mon 19 Oct at 15:20.
        clock.WarningAt.ShouldBe(Cst(2026, 10, 19, 15, 20));
        clock.Elapsed.ShouldBe(TimeSpan.FromHours(8 + 9 + 9 + 9 + 3)); // 28, 29, 30 Sep, 8 Oct, 9 Oct morning
        tracker.Evaluate(history, Cst(2026, 10, 1, 12)).Current(SlaMetric.Resolution)!.IsPaused.ShouldBeFalse();

        var due = tracker.DueEvents(history, Cst(2026, 10, 27, 0, 1));
        due.Select(e => e.Key).ShouldBe(
        [
            "resolution/1/escalation/warn-complaints-team",
            "resolution/1/warning",
            "resolution/1/breach",
            "resolution/1/escalation/breach-compliance",
        ]);
    }

    [Fact]
    public void ComplaintClock_AcrossTheNewYorkSpringForward_EndsAtLocalMidnight()
    {
        var tracker = new SlaTracker(SlaPolicy.Create(SlaPolicyTemplates.Complaint10BusinessDays("ny"), [NewYork]));
        List<E> history = [new E.Created(At(2026, 3, 6, 17, 0, Est), SlaPriority.Normal, SlaChannel.Email)];

        tracker.Evaluate(history, Utc(2026, 3, 12, 0)).Current(SlaMetric.Resolution)!.TargetAt.ShouldBe(Utc(2026, 3, 21, 4));
        tracker.Evaluate(history, Utc(2026, 3, 21, 4)).Current(SlaMetric.Resolution)!.State.ShouldBe(SlaState.Warning);
        var breached = tracker.Evaluate(history, Utc(2026, 3, 21, 5)).Current(SlaMetric.Resolution)!;
        breached.BreachedAt.ShouldBe(Utc(2026, 3, 21, 4));
    }

    [Fact]
    public void ComplaintClock_ReceivedOnTheLondonFallBackWeekend_CountsFromMonday()
    {
        var tracker = new SlaTracker(SlaPolicy.Create(SlaPolicyTemplates.Complaint10BusinessDays("london"), [London]));
        // Received Sun 25 Oct 01:30 (the first, BST, occurrence): day 1 is Mon 26 Oct, day 10 Fri 6 Nov.
        List<E> history = [new E.Created(At(2026, 10, 25, 1, 30, Bst), SlaPriority.Normal, SlaChannel.Web)];
        tracker.Evaluate(history, Utc(2026, 10, 26, 0)).Current(SlaMetric.Resolution)!.TargetAt.ShouldBe(Utc(2026, 11, 7, 0));
    }

    [Fact]
    public void PausableDayClock_ExtendsByThePausedBusinessTime_RoundedToTheEndOfTheDay()
    {
        var tracker = new SlaTracker(SlaPolicy.Create(new SlaPolicyDefinition
        {
            Id = "days",
            Name = "Two business days",
            CalendarId = "office",
            Targets = [new SlaTargetRule { Metric = SlaMetric.Resolution, Target = SlaTarget.Days(2) }],
        }, [Shanghai]));
        var created = new E.Created(Cst(2026, 3, 9, 10), SlaPriority.Normal, SlaChannel.Web);

        tracker.Evaluate([created], Cst(2026, 3, 9, 11)).Current(SlaMetric.Resolution)!.TargetAt.ShouldBe(Cst(2026, 3, 12, 0));

        List<E> paused =
        [
            created,
            new E.StatusChanged(Cst(2026, 3, 9, 12), SlaTicketStatus.PendingCustomer),
            new E.StatusChanged(Cst(2026, 3, 10, 12), SlaTicketStatus.Open),
        ];
        var clock = tracker.Evaluate(paused, Cst(2026, 3, 10, 13)).Current(SlaMetric.Resolution)!;
        clock.Elapsed.ShouldBe(TimeSpan.FromHours(3));
        clock.TargetAt.ShouldBe(Cst(2026, 3, 13, 0));
    }

    [Fact]
    public void NextDeadline_IsTheEarliestRunningTarget()
    {
        List<E> history =
        [
            new E.Created(Cst(2026, 3, 9, 9), SlaPriority.Normal, SlaChannel.Web),
            new E.AgentReplied(Cst(2026, 3, 9, 9, 30)),
            new E.CustomerReplied(Cst(2026, 3, 9, 10)),
        ];

        var evaluation = Tracker.Evaluate(history, Cst(2026, 3, 9, 10, 30));
        evaluation.NextDeadline.ShouldBe(Cst(2026, 3, 9, 12));
        evaluation.NextChangeAt.ShouldBe(Cst(2026, 3, 9, 11, 30));
    }

    [Fact]
    public void History_MustStartWithCreated_AndEventsAfterNowAreIgnored()
    {
        Should.Throw<ArgumentException>(() => Tracker.Evaluate([], Cst(2026, 3, 9, 9)));
        Should.Throw<ArgumentException>(() => Tracker.Evaluate([new E.AgentReplied(Cst(2026, 3, 9, 9))], Cst(2026, 3, 9, 10)));
        Should.Throw<ArgumentException>(() => Tracker.Evaluate(
            [new E.Created(Cst(2026, 3, 9, 9), SlaPriority.Normal, SlaChannel.Web), new E.Created(Cst(2026, 3, 9, 10), SlaPriority.Normal, SlaChannel.Web)],
            Cst(2026, 3, 9, 11)));

        List<E> history =
        [
            new E.AgentReplied(Cst(2026, 3, 9, 10)),
            new E.Created(Cst(2026, 3, 9, 9), SlaPriority.Normal, SlaChannel.Web),
        ];
        Tracker.Evaluate(history, Cst(2026, 3, 9, 9, 30)).Current(SlaMetric.FirstResponse)!.State.ShouldBe(SlaState.Running);
        Tracker.Evaluate(history, Cst(2026, 3, 9, 10, 30)).Current(SlaMetric.FirstResponse)!.State.ShouldBe(SlaState.Met);
    }

    [Fact]
    public void DefaultPolicy_PhoneCallbackOnFridayEvening_IsDueMondayMorningInShanghai()
    {
        var tracker = new SlaTracker(SlaPolicy.Create(DefaultSlaPolicies.Standard, DefaultSlaPolicies.Calendars()));
        var created = new E.Created(Utc(2026, 3, 6, 9, 30), SlaPriority.Normal, SlaChannel.Phone);
        List<E> history = [created];

        var callback = tracker.Evaluate(history, Utc(2026, 3, 6, 9, 45)).Current(SlaMetric.FirstResponse)!;
        callback.TargetAt.ShouldBe(Cst(2026, 3, 9, 9, 30));
        callback.CalendarId.ShouldBe(DefaultSlaPolicies.OfficeCalendarId);

        var fraud = tracker.Evaluate([created with { Priority = SlaPriority.Urgent }], Utc(2026, 3, 6, 9, 45)).Current(SlaMetric.FirstResponse)!;
        fraud.TargetAt.ShouldBe(Utc(2026, 3, 6, 9, 45));
    }
}
