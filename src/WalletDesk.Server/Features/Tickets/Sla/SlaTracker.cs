namespace WalletDesk.Server.Features.Tickets.Sla;

/// <summary>
/// Computes a ticket's SLA clocks from its event history. Pure: the same policy, history and instant
/// always give the same answer, so the caller passes <c>now</c> from its <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// Rules (docs/sla.md explains why):
/// <list type="bullet">
/// <item>First response and resolution start at creation; a public agent reply meets first and next response; solving meets every open clock.</item>
/// <item>A customer reply starts a next-response clock when the first response has been given and none is open; replies while solved are remembered and start it on reopen.</item>
/// <item>Pausing statuses stop clocks whose rule allows pausing; leaving them resumes.</item>
/// <item>Reopening starts a new resolution cycle with the full target from the reopen instant.</item>
/// <item>A priority change keeps each open clock's start and pauses and applies the new priority's target
/// and calendar as if it had applied from the start; if that target has already passed, the clock breaches
/// at the change, never earlier. Breaches are never undone.</item>
/// </list>
/// </remarks>
public sealed class SlaTracker(SlaPolicy policy)
{
    private static readonly SlaTicketStatus[] Terminal = [SlaTicketStatus.Solved, SlaTicketStatus.Closed];

    public SlaPolicy Policy { get; } = policy;

    /// <summary>The ticket's clocks at <paramref name="now"/>; events after <paramref name="now"/> are ignored.</summary>
    /// <exception cref="ArgumentException">The history does not start with <see cref="SlaTicketEvent.Created"/>.</exception>
    public SlaEvaluation Evaluate(IEnumerable<SlaTicketEvent> history, DateTimeOffset now)
    {
        var replay = Replay(history, now);
        var statuses = new List<SlaClockStatus>();
        DateTimeOffset? next = null;
        void Consider(DateTimeOffset? instant)
        {
            if (instant > now && (next is null || instant < next))
            {
                next = instant;
            }
        }

        foreach (var clock in replay.Clocks)
        {
            if (clock.Resolved is null)
            {
                continue;
            }

            var status = Describe(replay, clock, now);
            statuses.Add(status);
            if (!status.IsOpen)
            {
                continue;
            }

            foreach (var due in DueFor(replay, clock, status, now, includeFuture: true))
            {
                Consider(due.DueAt);
            }
        }

        return new SlaEvaluation(now, replay.Priority, replay.Channel, replay.Status, statuses, next);
    }

    /// <summary>
    /// Warnings, breaches and escalations due at <paramref name="now"/> for clocks still open, minus those whose
    /// keys are in <paramref name="alreadyFired"/>, oldest first. Calling it again with the fired keys returns nothing new.
    /// </summary>
    public IReadOnlyList<SlaDueEvent> DueEvents(IEnumerable<SlaTicketEvent> history, DateTimeOffset now, IReadOnlySet<string>? alreadyFired = null)
    {
        var replay = Replay(history, now);
        var due = new List<SlaDueEvent>();
        foreach (var clock in replay.Clocks)
        {
            if (clock.Resolved is null || clock.End is not null)
            {
                continue;
            }

            var status = Describe(replay, clock, now);
            due.AddRange(DueFor(replay, clock, status, now, includeFuture: false).Where(e => alreadyFired?.Contains(e.Key) != true));
        }

        return [.. due.OrderBy(e => e.DueAt).ThenBy(e => e.Key, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Events of an open clock due by <paramref name="now"/>, or with <paramref name="includeFuture"/> also those still
    /// to come (for scheduling; a future breach is then dated one tick after its target, when it becomes visible).
    /// </summary>
    private IEnumerable<SlaDueEvent> DueFor(ReplayState replay, Clock clock, SlaClockStatus status, DateTimeOffset now, bool includeFuture)
    {
        var prefix = $"{MetricKey(clock.Metric)}/{clock.Cycle}";
        // A clock that jumped straight to breach (priority raised past its target) owes no warning.
        var warningAt = status.WarningAt is { } w && (status.BreachedAt is null || w < status.BreachedAt) ? w : (DateTimeOffset?)null;
        var breachAt = status.BreachedAt
            ?? (includeFuture && status.TargetAt is { } t ? Max(t, clock.RuleSince).AddTicks(1) : null);
        bool Due(DateTimeOffset at) => includeFuture || at <= now;

        if (warningAt is { } warning && Due(warning))
        {
            yield return new($"{prefix}/warning", clock.Metric, clock.Cycle, SlaDueKind.Warning, warning, null, []);
        }

        if (breachAt is { } breach && Due(breach))
        {
            yield return new($"{prefix}/breach", clock.Metric, clock.Cycle, SlaDueKind.Breach, breach, null, []);
        }

        foreach (var rule in Policy.Definition.Escalations)
        {
            var trigger = rule.On == SlaTrigger.Warning ? warningAt : breachAt;
            if (trigger is { } at && rule.Matches(clock.Metric, replay.Priority) && Due(at + rule.Delay))
            {
                yield return new($"{prefix}/escalation/{rule.Id}", clock.Metric, clock.Cycle, SlaDueKind.Escalation, at + rule.Delay, rule.Id, rule.Actions);
            }
        }
    }

    private static string MetricKey(SlaMetric metric) => metric switch
    {
        SlaMetric.FirstResponse => "first_response",
        SlaMetric.NextResponse => "next_response",
        SlaMetric.Resolution => "resolution",
        _ => metric.ToString(),
    };

    private SlaClockStatus Describe(ReplayState replay, Clock clock, DateTimeOffset now)
    {
        var resolved = clock.Resolved!;
        var segments = Segments(replay, clock);
        var budget = resolved.BudgetFrom(clock.Start);
        var elapsed = Elapsed(resolved.Calendar, segments, clock.End ?? now);
        var targetAt = InstantWhenElapsed(resolved.Calendar, segments, budget);
        if (targetAt is { } raw && resolved.Target.IsDayCount)
        {
            // Day-count deadlines are the end of a business day; pauses move them by business time, then round up to that day's end.
            targetAt = resolved.Calendar.EndOfLocalDay(raw);
        }

        DateTimeOffset? warningAt = null;
        if (Policy.Definition.Warning is { } warning
            && InstantWhenElapsed(resolved.Calendar, segments, warning.ThresholdFor(budget)) is { } w)
        {
            warningAt = Max(w, clock.RuleSince);
        }

        var isPaused = clock.End is null && resolved.Rule.PausesWhilePending && replay.PausedSince is not null;
        var state = (clock.End, clock.BreachedAt) switch
        {
            (not null, not null) => SlaState.Breached,
            (not null, null) => SlaState.Met,
            (null, not null) => SlaState.Breached,
            _ when isPaused => SlaState.Paused,
            _ when warningAt <= now => SlaState.Warning,
            _ => SlaState.Running,
        };

        return new SlaClockStatus(
            clock.Metric, clock.Cycle, state, isPaused, clock.Start, resolved.Target, resolved.Calendar.Id,
            budget, elapsed, budget - elapsed, targetAt, warningAt, clock.BreachedAt, clock.End);
    }

    private ReplayState Replay(IEnumerable<SlaTicketEvent> history, DateTimeOffset now)
    {
        var events = history.Where(e => e.At <= now).OrderBy(e => e.At).ToList();
        if (events.Count == 0 || events[0] is not SlaTicketEvent.Created created)
        {
            throw new ArgumentException("A ticket's SLA history must start with a Created event (and not be in the future).", nameof(history));
        }

        var state = new ReplayState(created.Priority, created.Channel);
        foreach (var e in events)
        {
            CheckBreaches(state, e.At);
            Apply(state, e);
        }

        CheckBreaches(state, now);
        return state;
    }

    private void Apply(ReplayState state, SlaTicketEvent e)
    {
        switch (e)
        {
            case SlaTicketEvent.Created when state.Clocks.Count > 0:
                throw new ArgumentException($"A second Created event at {e.At:O}.", nameof(e));
            case SlaTicketEvent.Created:
                Open(state, SlaMetric.FirstResponse, e.At, e.At);
                Open(state, SlaMetric.Resolution, e.At, e.At);
                break;
            case SlaTicketEvent.AgentReplied:
                Close(state, SlaMetric.FirstResponse, e.At);
                Close(state, SlaMetric.NextResponse, e.At);
                state.UnansweredSince = null;
                break;
            case SlaTicketEvent.CustomerReplied:
                state.UnansweredSince ??= e.At;
                if (!Terminal.Contains(state.Status) && OpenClock(state, SlaMetric.FirstResponse) is null)
                {
                    OpenOnce(state, SlaMetric.NextResponse, e.At, e.At);
                }

                break;
            case SlaTicketEvent.StatusChanged changed:
                ChangeStatus(state, changed);
                break;
            case SlaTicketEvent.PriorityChanged changed:
                state.Priority = changed.Priority;
                foreach (var clock in state.Clocks.Where(c => c.End is null))
                {
                    var resolved = Policy.TargetFor(clock.Metric, state.Priority, state.Channel);
                    if (resolved?.Rule != clock.Resolved?.Rule)
                    {
                        clock.Resolved = resolved;
                        clock.RuleSince = e.At;
                    }
                }

                break;
        }
    }

    private void ChangeStatus(ReplayState state, SlaTicketEvent.StatusChanged changed)
    {
        var at = changed.At;
        var wasPausing = Policy.Definition.PausingStatuses.Contains(state.Status);
        var isPausing = Policy.Definition.PausingStatuses.Contains(changed.Status);
        if (!wasPausing && isPausing)
        {
            state.PausedSince = at;
        }
        else if (wasPausing && !isPausing && state.PausedSince is { } since)
        {
            state.Pauses.Add((since, at));
            state.PausedSince = null;
        }

        var wasTerminal = Terminal.Contains(state.Status);
        var isTerminal = Terminal.Contains(changed.Status);
        state.Status = changed.Status;
        if (!wasTerminal && isTerminal)
        {
            // Solving is the answer: it meets open response clocks as well as resolution.
            Close(state, SlaMetric.FirstResponse, at);
            Close(state, SlaMetric.NextResponse, at);
            Close(state, SlaMetric.Resolution, at);
        }
        else if (wasTerminal && !isTerminal)
        {
            Open(state, SlaMetric.Resolution, at, at);
            if (state.UnansweredSince is { } replied)
            {
                // The customer's reply is what is owed an answer, so the clock runs from it, not from the reopen.
                OpenOnce(state, SlaMetric.NextResponse, replied, at);
            }
        }
    }

    private void Open(ReplayState state, SlaMetric metric, DateTimeOffset start, DateTimeOffset ruleSince)
    {
        var cycle = state.Clocks.Count(c => c.Metric == metric) + 1;
        state.Clocks.Add(new Clock(metric, cycle, start)
        {
            Resolved = Policy.TargetFor(metric, state.Priority, state.Channel),
            RuleSince = ruleSince,
        });
    }

    private void OpenOnce(ReplayState state, SlaMetric metric, DateTimeOffset start, DateTimeOffset ruleSince)
    {
        if (OpenClock(state, metric) is null)
        {
            Open(state, metric, start, ruleSince);
        }
    }

    private static Clock? OpenClock(ReplayState state, SlaMetric metric) =>
        state.Clocks.LastOrDefault(c => c.Metric == metric && c.End is null);

    private static void Close(ReplayState state, SlaMetric metric, DateTimeOffset at)
    {
        if (OpenClock(state, metric) is { } clock)
        {
            clock.End = at;
        }
    }

    /// <summary>Records a breach for each open clock whose (effective) target passed before <paramref name="at"/>.</summary>
    private static void CheckBreaches(ReplayState state, DateTimeOffset at)
    {
        foreach (var clock in state.Clocks)
        {
            if (clock.End is not null || clock.BreachedAt is not null || clock.Resolved is not { } resolved)
            {
                continue;
            }

            var segments = Segments(state, clock);
            if (InstantWhenElapsed(resolved.Calendar, segments, resolved.BudgetFrom(clock.Start)) is not { } target)
            {
                continue;
            }

            if (resolved.Target.IsDayCount)
            {
                target = resolved.Calendar.EndOfLocalDay(target);
            }

            var effective = Max(target, clock.RuleSince);
            if (effective < at)
            {
                clock.BreachedAt = effective;
            }
        }
    }

    /// <summary>
    /// The clock's running stretches: [start, end) minus pauses when its rule pauses, then, for a completed clock,
    /// a hypothetical open stretch from the end so its target can still be shown. The last stretch may be open-ended (null).
    /// </summary>
    private static List<(DateTimeOffset From, DateTimeOffset? To)> Segments(ReplayState state, Clock clock)
    {
        var segments = new List<(DateTimeOffset From, DateTimeOffset? To)>();
        DateTimeOffset? from = clock.Start;
        var end = clock.End ?? DateTimeOffset.MaxValue;
        if (clock.Resolved?.Rule.PausesWhilePending == true)
        {
            var pauses = state.PausedSince is { } since
                ? state.Pauses.Append((since, DateTimeOffset.MaxValue))
                : state.Pauses;
            foreach (var (pauseFrom, pauseTo) in pauses)
            {
                if (from is not { } f || pauseFrom >= end)
                {
                    break;
                }

                if (pauseTo <= f)
                {
                    continue;
                }

                if (pauseFrom > f)
                {
                    segments.Add((f, pauseFrom));
                }

                from = pauseTo == DateTimeOffset.MaxValue ? null : Max(f, pauseTo);
            }
        }

        if (clock.End is { } stopped)
        {
            if (from is { } f && f < stopped)
            {
                segments.Add((f, stopped));
            }

            segments.Add((stopped, null));
        }
        else if (from is { } f)
        {
            segments.Add((f, null));
        }

        return segments;
    }

    private static TimeSpan Elapsed(BusinessCalendar calendar, List<(DateTimeOffset From, DateTimeOffset? To)> segments, DateTimeOffset until)
    {
        var total = TimeSpan.Zero;
        foreach (var (from, to) in segments)
        {
            if (from >= until)
            {
                break;
            }

            var stop = to is { } t && t < until ? t : until;
            total += calendar.BusinessTimeBetween(from, stop);
        }

        return total;
    }

    private static DateTimeOffset? InstantWhenElapsed(BusinessCalendar calendar, List<(DateTimeOffset From, DateTimeOffset? To)> segments, TimeSpan amount)
    {
        var left = amount;
        foreach (var (from, to) in segments)
        {
            if (to is not { } stop)
            {
                return calendar.AddBusinessTime(from, left);
            }

            var length = calendar.BusinessTimeBetween(from, stop);
            if (left <= length)
            {
                return calendar.AddBusinessTime(from, left);
            }

            left -= length;
        }

        return null;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private sealed class Clock(SlaMetric metric, int cycle, DateTimeOffset start)
    {
        public SlaMetric Metric { get; } = metric;

        public int Cycle { get; } = cycle;

        public DateTimeOffset Start { get; } = start;

        public DateTimeOffset? End { get; set; }

        public SlaResolvedTarget? Resolved { get; set; }

        /// <summary>Since when the current target applies; a breach is never placed before it.</summary>
        public DateTimeOffset RuleSince { get; set; }

        public DateTimeOffset? BreachedAt { get; set; }
    }

    private sealed class ReplayState(SlaPriority priority, SlaChannel channel)
    {
        public SlaPriority Priority { get; set; } = priority;

        public SlaChannel Channel { get; } = channel;

        public SlaTicketStatus Status { get; set; } = SlaTicketStatus.New;

        public List<Clock> Clocks { get; } = [];

        public List<(DateTimeOffset From, DateTimeOffset To)> Pauses { get; } = [];

        public DateTimeOffset? PausedSince { get; set; }

        public DateTimeOffset? UnansweredSince { get; set; }
    }
}
