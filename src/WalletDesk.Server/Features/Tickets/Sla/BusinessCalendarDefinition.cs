using System.Text.Json.Serialization;

namespace WalletDesk.Server.Features.Tickets.Sla;

/// <summary>
/// The stored form of a business calendar (JSON-friendly). Turn it into a working
/// <see cref="BusinessCalendar"/> with <see cref="BusinessCalendar.Create"/>, which validates it.
/// </summary>
public sealed record BusinessCalendarDefinition
{
    /// <summary>Stable id that policies refer to, e.g. <c>cn-office</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Display name.</summary>
    public string? Name { get; init; }

    /// <summary>IANA time zone id the hours and holidays are written in, e.g. <c>Asia/Shanghai</c>.</summary>
    public required string TimeZone { get; init; }

    /// <summary>Open every minute of every day (holidays still apply). Must not be combined with <see cref="Weekly"/>.</summary>
    public bool AlwaysOpen { get; init; }

    /// <summary>Weekly opening hours; a weekday may have several intervals or none (closed).</summary>
    public IReadOnlyList<WeeklyHours> Weekly { get; init; } = [];

    /// <summary>Dates (in the calendar's zone) closed all day or for part of the day.</summary>
    public IReadOnlyList<CalendarHoliday> Holidays { get; init; } = [];

    /// <summary>Dates whose opening hours replace the weekly ones, e.g. the weekend make-up working days of mainland China's holiday schedule.</summary>
    public IReadOnlyList<CalendarWorkingDay> WorkingDays { get; init; } = [];

    /// <summary>Every problem in the definition; empty when <see cref="BusinessCalendar.Create"/> will accept it.</summary>
    public IReadOnlyList<SlaValidationError> Validate()
    {
        var errors = new List<SlaValidationError>();
        if (string.IsNullOrWhiteSpace(Id))
        {
            errors.Add(new("id", "is required."));
        }

        if (string.IsNullOrWhiteSpace(TimeZone))
        {
            errors.Add(new("timeZone", "is required (an IANA id such as Asia/Shanghai)."));
        }
        else if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
        {
            errors.Add(new("timeZone", $"'{TimeZone}' is not a known IANA time zone id."));
        }

        if (AlwaysOpen && Weekly.Count > 0)
        {
            errors.Add(new("weekly", "must be empty when alwaysOpen is true."));
        }

        if (!AlwaysOpen && Weekly.Count == 0)
        {
            errors.Add(new("weekly", "has no opening hours; set alwaysOpen for a 24/7 calendar."));
        }

        var weekly = new List<(DayOfWeek Day, string Path, TimeSpan From, TimeSpan To)>();
        for (var i = 0; i < Weekly.Count; i++)
        {
            var hours = Weekly[i];
            var path = $"weekly[{i}]";
            if (!Enum.IsDefined(hours.Day))
            {
                errors.Add(new($"{path}.day", $"'{hours.Day}' is not a day of the week."));
                continue;
            }

            if (ClockTime.ParseRange(hours.Open, hours.Close, path, "open", "close", errors) is { } range)
            {
                weekly.Add((hours.Day, path, range.From, range.To));
            }
        }

        foreach (var day in weekly.GroupBy(w => w.Day))
        {
            ClockTime.CheckOverlaps(day.Select(d => (d.Path, d.From, d.To)), errors);
        }

        var dates = new Dictionary<DateOnly, string>();
        for (var i = 0; i < Holidays.Count; i++)
        {
            var holiday = Holidays[i];
            var path = $"holidays[{i}]";
            if (!dates.TryAdd(holiday.Date, path))
            {
                errors.Add(new($"{path}.date", $"{holiday.Date:yyyy-MM-dd} is already listed at {dates[holiday.Date]}."));
            }

            CheckRanges(holiday.Closed ?? [], $"{path}.closed", "from", "to", r => (r.From, r.To), errors);
            if (holiday.Closed is { Count: 0 })
            {
                errors.Add(new($"{path}.closed", "is empty; omit it to close the whole day."));
            }
        }

        for (var i = 0; i < WorkingDays.Count; i++)
        {
            var day = WorkingDays[i];
            var path = $"workingDays[{i}]";
            if (!dates.TryAdd(day.Date, path))
            {
                errors.Add(new($"{path}.date", $"{day.Date:yyyy-MM-dd} is already listed at {dates[day.Date]}."));
            }

            if (day.Hours.Count == 0)
            {
                errors.Add(new($"{path}.hours", "is empty; list the date as a holiday to close it."));
            }

            CheckRanges(day.Hours, $"{path}.hours", "open", "close", h => (h.Open, h.Close), errors);
        }

        return errors;
    }

    private static void CheckRanges<T>(IReadOnlyList<T> items, string path, string fromName, string toName, Func<T, (string From, string To)> select, List<SlaValidationError> errors)
    {
        var parsed = new List<(string, TimeSpan, TimeSpan)>();
        for (var i = 0; i < items.Count; i++)
        {
            var (from, to) = select(items[i]);
            if (ClockTime.ParseRange(from, to, $"{path}[{i}]", fromName, toName, errors) is { } range)
            {
                parsed.Add(($"{path}[{i}]", range.From, range.To));
            }
        }

        ClockTime.CheckOverlaps(parsed, errors);
    }
}

/// <summary>One opening interval on a weekday, in local wall-clock time.</summary>
/// <param name="Day">The weekday.</param>
/// <param name="Open">Opening time, "HH:mm".</param>
/// <param name="Close">Closing time, "HH:mm", "24:00" for midnight at the end of the day.</param>
public sealed record WeeklyHours(
    [property: JsonConverter(typeof(JsonStringEnumConverter<DayOfWeek>))] DayOfWeek Day,
    string Open,
    string Close);

/// <summary>A local wall-clock interval within one date, "HH:mm" to "HH:mm" (or "24:00").</summary>
public sealed record ClockRange(string From, string To);

/// <summary>An opening interval for a specific working day, "HH:mm" to "HH:mm" (or "24:00").</summary>
public sealed record OpeningHours(string Open, string Close);

/// <summary>A holiday in the calendar's zone.</summary>
/// <param name="Date">The local date.</param>
/// <param name="Name">What it is, e.g. "National Day".</param>
/// <param name="Closed">Null closes the whole date; otherwise only these local intervals are closed (e.g. 13:00-24:00 on an eve).</param>
public sealed record CalendarHoliday(DateOnly Date, string Name, IReadOnlyList<ClockRange>? Closed = null);

/// <summary>A date whose opening hours replace the weekly hours (for example a Saturday worked in exchange for a bridge holiday).</summary>
public sealed record CalendarWorkingDay(DateOnly Date, string Name, IReadOnlyList<OpeningHours> Hours);
