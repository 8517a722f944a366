using System.Collections.Concurrent;

namespace WalletDesk.Server.Features.Tickets.Sla;

/// <summary>
/// Business hours in one IANA time zone: weekly hours, holidays, working-day overrides, or 24/7.
/// Immutable and thread-safe; all inputs and outputs are instants (<see cref="DateTimeOffset"/>), results are in UTC.
/// </summary>
/// <remarks>
/// Local wall-clock boundaries become instants by one rule: a boundary at local time T is the first
/// instant at which the zone's clock reads T or later. In a spring-forward gap that is the moment the
/// clock jumps (an office opening at 02:30 on that night opens at 03:00); in a fall-back overlap it is
/// the first occurrence. Business time is real elapsed time inside open intervals, so a 24/7 day is
/// 23 or 25 hours long on DST changes.
/// </remarks>
public sealed class BusinessCalendar
{
    private const int SearchLimitDays = 3 * 366;
    private static readonly TimeSpan[] AllDay = [TimeSpan.Zero, ClockTime.EndOfDay];

    private readonly TimeSpan[][] _weekly = new TimeSpan[7][];
    private readonly Dictionary<DateOnly, TimeSpan[]> _closures = [];
    private readonly Dictionary<DateOnly, TimeSpan[]> _workingDays = [];
    private readonly ConcurrentDictionary<DateOnly, OpenInterval[]> _days = new();
    private readonly bool _continuous;

    private BusinessCalendar(BusinessCalendarDefinition definition, TimeZoneInfo zone)
    {
        Definition = definition;
        TimeZone = zone;
        for (var day = 0; day < 7; day++)
        {
            _weekly[day] = definition.AlwaysOpen
                ? AllDay
                : Flatten(definition.Weekly.Where(w => (int)w.Day == day).Select(w => (w.Open, w.Close)));
        }

        foreach (var holiday in definition.Holidays)
        {
            _closures[holiday.Date] = holiday.Closed is null ? AllDay : Flatten(holiday.Closed.Select(c => (c.From, c.To)));
        }

        foreach (var day in definition.WorkingDays)
        {
            _workingDays[day.Date] = Flatten(day.Hours.Select(h => (h.Open, h.Close)));
        }

        // A 24/7 calendar without closures is plain instant arithmetic; skipping the day walk keeps hot paths cheap.
        _continuous = definition.AlwaysOpen && definition.Holidays.Count == 0 && definition.WorkingDays.Count == 0;
    }

    /// <summary>The definition this calendar was built from.</summary>
    public BusinessCalendarDefinition Definition { get; }

    /// <summary>The calendar's id.</summary>
    public string Id => Definition.Id;

    /// <summary>The zone hours and holidays are written in.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>True when the calendar is open at every instant.</summary>
    public bool IsContinuous => _continuous;

    /// <summary>Validates <paramref name="definition"/> and builds the calendar.</summary>
    /// <exception cref="SlaDefinitionException">The definition has problems; all are listed.</exception>
    public static BusinessCalendar Create(BusinessCalendarDefinition definition)
    {
        var errors = definition.Validate();
        if (errors.Count > 0)
        {
            throw new SlaDefinitionException($"business calendar '{definition.Id}'", errors);
        }

        return new BusinessCalendar(definition, TimeZoneInfo.FindSystemTimeZoneById(definition.TimeZone));
    }

    /// <summary>A calendar open around the clock in <paramref name="timeZone"/> (the zone only matters for business-day counting).</summary>
    public static BusinessCalendar AlwaysOpen(string id = "24x7", string timeZone = "Etc/UTC") =>
        Create(new BusinessCalendarDefinition { Id = id, Name = "24/7", TimeZone = timeZone, AlwaysOpen = true });

    /// <summary>Whether the calendar is open at <paramref name="instant"/> (intervals include their opening and exclude their closing instant).</summary>
    public bool IsOpen(DateTimeOffset instant)
    {
        if (_continuous)
        {
            return true;
        }

        var date = LocalDate(instant);
        for (var d = date.AddDays(-1); d <= date.AddDays(1); d = d.AddDays(1))
        {
            foreach (var interval in IntervalsOn(d))
            {
                if (interval.Start <= instant && instant < interval.End)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary><paramref name="instant"/> itself when open, otherwise the next opening instant.</summary>
    public DateTimeOffset NextOpening(DateTimeOffset instant)
    {
        if (_continuous)
        {
            return instant.ToUniversalTime();
        }

        foreach (var (start, _) in OpenFrom(instant))
        {
            return start;
        }

        throw NeverOpens(instant);
    }

    /// <summary>
    /// The instant at which <paramref name="duration"/> of business time has elapsed after <paramref name="start"/>.
    /// When the duration runs out exactly at a closing time the result is that closing time, not the next opening.
    /// A zero duration returns <paramref name="start"/>.
    /// </summary>
    public DateTimeOffset AddBusinessTime(DateTimeOffset start, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        if (duration == TimeSpan.Zero || _continuous)
        {
            return (start + duration).ToUniversalTime();
        }

        var left = duration;
        foreach (var (from, to) in OpenFrom(start))
        {
            var length = to - from;
            if (left <= length)
            {
                return from + left;
            }

            left -= length;
        }

        throw NeverOpens(start);
    }

    /// <summary>Business time between two instants; negative when <paramref name="to"/> is before <paramref name="from"/>.</summary>
    public TimeSpan BusinessTimeBetween(DateTimeOffset from, DateTimeOffset to)
    {
        if (to < from)
        {
            return -BusinessTimeBetween(to, from);
        }

        if (_continuous)
        {
            return to - from;
        }

        var total = TimeSpan.Zero;
        foreach (var (start, end) in OpenFrom(from))
        {
            if (start >= to)
            {
                break;
            }

            total += (end < to ? end : to) - start;
        }

        return total;
    }

    /// <summary>
    /// End of the <paramref name="days"/>-th business day after the day of <paramref name="receivedAt"/>
    /// (the FCA DISP / PSD2 convention): the local date of receipt never counts, whatever the time or
    /// whether it is a business day, and the deadline is local midnight at the end of the last counted day.
    /// A business day is a local date with any opening time after holidays. Received Friday 17:00 with
    /// Mon–Fri hours: day 1 is Monday, so one business day ends at Tuesday 00:00.
    /// </summary>
    public DateTimeOffset AddBusinessDays(DateTimeOffset receivedAt, int days)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        var date = LocalDate(receivedAt);
        var limit = date.AddDays(SearchLimitDays + days * 7);
        var counted = 0;
        while (counted < days)
        {
            date = date.AddDays(1);
            if (date > limit)
            {
                throw NeverOpens(receivedAt);
            }

            if (IsBusinessDay(date))
            {
                counted++;
            }
        }

        return StartOfDate(date.AddDays(1));
    }

    /// <summary>Whether the local <paramref name="date"/> has any opening time.</summary>
    public bool IsBusinessDay(DateOnly date) => IntervalsOn(date).Length > 0;

    /// <summary>The local date (in the calendar's zone) of <paramref name="instant"/>.</summary>
    public DateOnly LocalDate(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, TimeZone).DateTime);

    /// <summary>The first instant of the local <paramref name="date"/>.</summary>
    public DateTimeOffset StartOfDate(DateOnly date) => ToInstant(date, TimeSpan.Zero);

    /// <summary><paramref name="instant"/> if it is a local midnight, otherwise the local midnight that ends its date.</summary>
    public DateTimeOffset EndOfLocalDay(DateTimeOffset instant)
    {
        var date = LocalDate(instant);
        var start = StartOfDate(date);
        return start == instant ? start : StartOfDate(date.AddDays(1));
    }

    /// <summary>Open intervals (UTC) from <paramref name="instant"/> onwards in order, the first clipped at it. Ends only after years without an opening.</summary>
    internal IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> OpenFrom(DateTimeOffset instant)
    {
        // The previous date is included because its last interval may end after the instant in UTC terms.
        var date = LocalDate(instant).AddDays(-1);
        for (var quietDays = 0; quietDays < SearchLimitDays; date = date.AddDays(1))
        {
            var intervals = IntervalsOn(date);
            quietDays = intervals.Length == 0 ? quietDays + 1 : 0;
            foreach (var interval in intervals)
            {
                if (interval.End > instant)
                {
                    yield return (interval.Start < instant ? instant : interval.Start, interval.End);
                }
            }
        }
    }

    internal OpenInterval[] IntervalsOn(DateOnly date) => _days.GetOrAdd(date, BuildDay);

    private OpenInterval[] BuildDay(DateOnly date)
    {
        var hours = _workingDays.TryGetValue(date, out var special) ? special : _weekly[(int)date.DayOfWeek];
        if (_closures.TryGetValue(date, out var closed))
        {
            hours = Subtract(hours, closed);
        }

        var result = new List<OpenInterval>(hours.Length / 2);
        for (var i = 0; i < hours.Length; i += 2)
        {
            var start = ToInstant(date, hours[i]);
            var end = ToInstant(date, hours[i + 1]);
            // An interval lying wholly inside a spring-forward gap never happens on the clock.
            if (end > start)
            {
                result.Add(new OpenInterval(start, end));
            }
        }

        return [.. result];
    }

    /// <summary>The first instant at which the zone's clock reads <paramref name="timeOfDay"/> on <paramref name="date"/> or later.</summary>
    internal DateTimeOffset ToInstant(DateOnly date, TimeSpan timeOfDay)
    {
        var local = date.ToDateTime(TimeOnly.MinValue) + timeOfDay;
        if (TimeZone.IsAmbiguousTime(local))
        {
            // Fall-back overlap: the earlier occurrence has the larger offset.
            var offsets = TimeZone.GetAmbiguousTimeOffsets(local);
            return new DateTimeOffset(local, offsets.Max()).ToUniversalTime();
        }

        if (!TimeZone.IsInvalidTime(local))
        {
            return new DateTimeOffset(local, TimeZone.GetUtcOffset(local)).ToUniversalTime();
        }

        // Spring-forward gap: the answer is the transition instant, found by bisection between the
        // readings under the offsets in force a day either side (every real zone changes at most once a day).
        var approx = local - TimeZone.BaseUtcOffset;
        var before = OffsetAt(approx.AddDays(-1).Ticks);
        var after = OffsetAt(approx.AddDays(1).Ticks);
        long lo = (local - after).Ticks, hi = (local - before).Ticks;
        if (hi <= lo)
        {
            return new DateTimeOffset(new DateTime(hi, DateTimeKind.Utc));
        }

        // Invariant: offset(lo) == before, offset(hi) == after.
        while (hi - lo > 1)
        {
            var mid = lo + (hi - lo) / 2;
            if (OffsetAt(mid) == after)
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }

        return new DateTimeOffset(new DateTime(hi, DateTimeKind.Utc));
    }

    private TimeSpan OffsetAt(long utcTicks) => TimeZone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc));

    private InvalidOperationException NeverOpens(DateTimeOffset from) =>
        new($"Business calendar '{Id}' has no opening time within {SearchLimitDays} days after {from:O}.");

    private static TimeSpan[] Flatten(IEnumerable<(string From, string To)> ranges)
    {
        var parsed = new List<(TimeSpan From, TimeSpan To)>();
        foreach (var (from, to) in ranges)
        {
            ClockTime.TryParse(from, allowEndOfDay: false, out var start);
            ClockTime.TryParse(to, allowEndOfDay: true, out var end);
            parsed.Add((start, end));
        }

        return [.. parsed.OrderBy(p => p.From).SelectMany(p => new[] { p.From, p.To })];
    }

    /// <summary>Open ranges minus closed ranges, both as sorted flat [from, to, from, to, ...] arrays.</summary>
    private static TimeSpan[] Subtract(TimeSpan[] open, TimeSpan[] closed)
    {
        var result = new List<TimeSpan>();
        for (var i = 0; i < open.Length; i += 2)
        {
            var from = open[i];
            var to = open[i + 1];
            for (var j = 0; j < closed.Length && from < to; j += 2)
            {
                if (closed[j + 1] <= from || closed[j] >= to)
                {
                    continue;
                }

                if (closed[j] > from)
                {
                    result.Add(from);
                    result.Add(closed[j]);
                }

                from = closed[j + 1];
            }

            if (from < to)
            {
                result.Add(from);
                result.Add(to);
            }
        }

        return [.. result];
    }

    internal readonly record struct OpenInterval(DateTimeOffset Start, DateTimeOffset End);
}
