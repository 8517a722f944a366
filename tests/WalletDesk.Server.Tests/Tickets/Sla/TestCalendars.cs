using WalletDesk.Server.Features.Tickets.Sla;

namespace WalletDesk.Server.Tests.Tickets.Sla;

/// <summary>Calendars and instants the SLA tests share. Instants are written with the zone's offset so expected values read like a wall clock.</summary>
internal static class TestCalendars
{
    public static readonly TimeSpan China = TimeSpan.FromHours(8);
    public static readonly TimeSpan Est = TimeSpan.FromHours(-5);
    public static readonly TimeSpan Edt = TimeSpan.FromHours(-4);
    public static readonly TimeSpan Gmt = TimeSpan.Zero;
    public static readonly TimeSpan Bst = TimeSpan.FromHours(1);

    /// <summary>Mon–Fri 09:00–18:00 Asia/Shanghai, closed 2026-10-01..07 (National Day week) and New Year's Day.</summary>
    public static BusinessCalendar Shanghai { get; } = BusinessCalendar.Create(new BusinessCalendarDefinition
    {
        Id = "office",
        TimeZone = "Asia/Shanghai",
        Weekly = Weekdays("09:00", "18:00"),
        Holidays =
        [
            new CalendarHoliday(new DateOnly(2026, 1, 1), "New Year's Day"),
            .. Enumerable.Range(1, 7).Select(d => new CalendarHoliday(new DateOnly(2026, 10, d), "National Day")),
        ],
        WorkingDays = [new CalendarWorkingDay(new DateOnly(2026, 2, 28), "Spring Festival make-up day", [new OpeningHours("09:00", "18:00")])],
    });

    /// <summary>Mon–Fri 09:00–17:00 America/New_York.</summary>
    public static BusinessCalendar NewYork { get; } = BusinessCalendar.Create(new BusinessCalendarDefinition
    {
        Id = "ny",
        TimeZone = "America/New_York",
        Weekly = Weekdays("09:00", "17:00"),
    });

    /// <summary>Mon–Fri 09:00–17:30 Europe/London with a half-day Christmas Eve and New Year's Eve and the 2026/27 bank holidays.</summary>
    public static BusinessCalendar London { get; } = BusinessCalendar.Create(new BusinessCalendarDefinition
    {
        Id = "london",
        TimeZone = "Europe/London",
        Weekly = Weekdays("09:00", "17:30"),
        Holidays =
        [
            new CalendarHoliday(new DateOnly(2026, 12, 24), "Christmas Eve", [new ClockRange("13:00", "24:00")]),
            new CalendarHoliday(new DateOnly(2026, 12, 25), "Christmas Day"),
            new CalendarHoliday(new DateOnly(2026, 12, 28), "Boxing Day (substitute)"),
            new CalendarHoliday(new DateOnly(2026, 12, 31), "New Year's Eve", [new ClockRange("13:00", "24:00")]),
            new CalendarHoliday(new DateOnly(2027, 1, 1), "New Year's Day"),
        ],
    });

    /// <summary>A night desk on Sundays only, whose hours span the small-hours DST changes in New York.</summary>
    public static BusinessCalendar NewYorkSundayNights { get; } = BusinessCalendar.Create(new BusinessCalendarDefinition
    {
        Id = "ny-nights",
        TimeZone = "America/New_York",
        Weekly = [new WeeklyHours(DayOfWeek.Sunday, "00:00", "04:00")],
    });

    public static BusinessCalendar AlwaysOpenShanghai { get; } = BusinessCalendar.AlwaysOpen("24x7", "Asia/Shanghai");

    public static IReadOnlyList<WeeklyHours> Weekdays(string open, string close) =>
    [
        .. new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
            .Select(d => new WeeklyHours(d, open, close)),
    ];

    public static DateTimeOffset At(int year, int month, int day, int hour, int minute, TimeSpan offset) =>
        new(year, month, day, hour, minute, 0, offset);

    public static DateTimeOffset Cst(int year, int month, int day, int hour, int minute = 0) => At(year, month, day, hour, minute, China);

    public static DateTimeOffset Utc(int year, int month, int day, int hour, int minute = 0) => At(year, month, day, hour, minute, TimeSpan.Zero);
}
