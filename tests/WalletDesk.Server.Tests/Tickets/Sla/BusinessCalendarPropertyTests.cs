using WalletDesk.Server.Features.Tickets.Sla;
using static WalletDesk.Server.Tests.Tickets.Sla.TestCalendars;

namespace WalletDesk.Server.Tests.Tickets.Sla;

/// <summary>Random starts and durations over 2026-2027 (both DST changes, holidays, year ends), fixed seed so failures reproduce.</summary>
public sealed class BusinessCalendarPropertyTests
{
    private const int Cases = 400;
    private static readonly DateTimeOffset RangeStart = Utc(2026, 1, 1, 0);
    private static readonly DateTimeOffset RangeEnd = Utc(2028, 1, 1, 0);

    public static TheoryData<string> CalendarIds => ["office", "ny", "london", "ny-nights", "24x7", "24x7-london-holidays"];

    [Theory]
    [MemberData(nameof(CalendarIds))]
    public void BusinessTimeBetween_StartAndAddBusinessTime_IsTheDuration(string id)
    {
        var calendar = Calendar(id);
        var random = new Random(20260308);
        for (var i = 0; i < Cases; i++)
        {
            var start = RandomInstant(random);
            var duration = RandomDuration(random);
            var end = calendar.AddBusinessTime(start, duration);
            end.ShouldBeGreaterThanOrEqualTo(start, $"start {start:O} + {duration}");
            calendar.BusinessTimeBetween(start, end).ShouldBe(duration, $"start {start:O} + {duration} = {end:O}");
        }
    }

    [Theory]
    [MemberData(nameof(CalendarIds))]
    public void AddBusinessTime_IsMonotonic_AndBusinessTimeBetween_IsAdditive(string id)
    {
        var calendar = Calendar(id);
        var random = new Random(20261101);
        for (var i = 0; i < Cases; i++)
        {
            var start = RandomInstant(random);
            var shorter = RandomDuration(random);
            var longer = shorter + RandomDuration(random);
            calendar.AddBusinessTime(start, shorter).ShouldBeLessThanOrEqualTo(calendar.AddBusinessTime(start, longer), $"start {start:O}, {shorter} vs {longer}");

            var later = start.AddTicks((long)(random.NextDouble() * TimeSpan.FromDays(20).Ticks));
            var later2 = later.AddTicks((long)(random.NextDouble() * TimeSpan.FromDays(20).Ticks));
            var whole = calendar.BusinessTimeBetween(start, later2);
            (calendar.BusinessTimeBetween(start, later) + calendar.BusinessTimeBetween(later, later2)).ShouldBe(whole, $"{start:O} / {later:O} / {later2:O}");

            // The instant a span of business time runs out is never after the instant the span was measured to.
            calendar.AddBusinessTime(start, whole).ShouldBeLessThanOrEqualTo(later2);
            calendar.IsOpen(calendar.NextOpening(start)).ShouldBeTrue();
        }
    }

    [Theory]
    [MemberData(nameof(CalendarIds))]
    public void AddBusinessDays_EndsAtALocalMidnightAfterExactlyNBusinessDays(string id)
    {
        var calendar = Calendar(id);
        var random = new Random(20260329);
        for (var i = 0; i < Cases / 4; i++)
        {
            var received = RandomInstant(random);
            var days = random.Next(1, 20);
            var due = calendar.AddBusinessDays(received, days);
            var lastDay = calendar.LocalDate(due).AddDays(-1);
            calendar.StartOfDate(lastDay.AddDays(1)).ShouldBe(due);
            calendar.IsBusinessDay(lastDay).ShouldBeTrue();
            var counted = 0;
            for (var d = calendar.LocalDate(received).AddDays(1); d <= lastDay; d = d.AddDays(1))
            {
                counted += calendar.IsBusinessDay(d) ? 1 : 0;
            }

            counted.ShouldBe(days, $"received {received:O}, due {due:O}");
        }
    }

    private static BusinessCalendar Calendar(string id) => id switch
    {
        "office" => Shanghai,
        "ny" => NewYork,
        "london" => London,
        "ny-nights" => NewYorkSundayNights,
        "24x7" => BusinessCalendar.AlwaysOpen("24x7", "America/New_York"),
        _ => BusinessCalendar.Create(new BusinessCalendarDefinition
        {
            Id = id,
            TimeZone = "Europe/London",
            AlwaysOpen = true,
            Holidays = London.Definition.Holidays,
        }),
    };

    private static DateTimeOffset RandomInstant(Random random)
    {
        // Half the starts land on whole minutes near boundaries people actually use; the rest anywhere, to the tick.
        var ticks = (long)(random.NextDouble() * (RangeEnd - RangeStart).Ticks);
        var instant = RangeStart.AddTicks(ticks);
        return random.Next(2) == 0 ? new DateTimeOffset(instant.Ticks - instant.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero) : instant;
    }

    private static TimeSpan RandomDuration(Random random) => random.Next(4) switch
    {
        0 => TimeSpan.FromMinutes(random.Next(0, 120)),
        1 => TimeSpan.FromHours(random.Next(1, 10)),
        2 => TimeSpan.FromTicks((long)(random.NextDouble() * TimeSpan.FromHours(150).Ticks)),
        _ => TimeSpan.FromMinutes(random.Next(0, 60 * 200)),
    };
}
