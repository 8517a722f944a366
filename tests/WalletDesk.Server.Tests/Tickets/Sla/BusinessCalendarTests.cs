using WalletDesk.Server.Features.Tickets.Sla;
using static WalletDesk.Server.Tests.Tickets.Sla.TestCalendars;

namespace WalletDesk.Server.Tests.Tickets.Sla;

public sealed class BusinessCalendarTests
{
    [Fact]
    public void AddBusinessTime_FridayAfternoon_ContinuesMondayMorning()
    {
        // Fri 2026-03-06 17:00 + 2h: one hour on Friday, one on Monday.
        Shanghai.AddBusinessTime(Cst(2026, 3, 6, 17), TimeSpan.FromHours(2)).ShouldBe(Cst(2026, 3, 9, 10));
    }

    [Fact]
    public void AddBusinessTime_RunningOutAtClosing_ReturnsClosingNotNextOpening()
    {
        Shanghai.AddBusinessTime(Cst(2026, 3, 6, 16), TimeSpan.FromHours(2)).ShouldBe(Cst(2026, 3, 6, 18));
    }

    [Fact]
    public void AddBusinessTime_FromAClosedInstant_StartsCountingAtTheNextOpening()
    {
        Shanghai.AddBusinessTime(Cst(2026, 3, 7, 11), TimeSpan.FromMinutes(30)).ShouldBe(Cst(2026, 3, 9, 9, 30));
        Shanghai.AddBusinessTime(Cst(2026, 3, 9, 7), TimeSpan.FromMinutes(30)).ShouldBe(Cst(2026, 3, 9, 9, 30));
    }

    [Fact]
    public void AddBusinessTime_ZeroDuration_ReturnsTheStart()
    {
        Shanghai.AddBusinessTime(Cst(2026, 3, 7, 11), TimeSpan.Zero).ShouldBe(Cst(2026, 3, 7, 11));
        Should.Throw<ArgumentOutOfRangeException>(() => Shanghai.AddBusinessTime(Cst(2026, 3, 7, 11), TimeSpan.FromTicks(-1)));
    }

    [Fact]
    public void ShanghaiCalendar_EvaluatedFromUtcInstants_UsesShanghaiDatesAndHours()
    {
        // 09:30Z Friday is 17:30 in Shanghai: half an hour left on Friday, then Monday 09:00-09:30 CST (01:30Z).
        Shanghai.AddBusinessTime(Utc(2026, 3, 6, 9, 30), TimeSpan.FromHours(1)).ShouldBe(Utc(2026, 3, 9, 1, 30));

        // 20:00Z Friday is already Saturday 04:00 in Shanghai; 23:00Z Sunday is Monday 07:00.
        Shanghai.IsOpen(Utc(2026, 3, 6, 20)).ShouldBeFalse();
        Shanghai.IsOpen(Utc(2026, 3, 9, 1)).ShouldBeTrue();
        Shanghai.NextOpening(Utc(2026, 3, 8, 23)).ShouldBe(Utc(2026, 3, 9, 1));
        Shanghai.LocalDate(Utc(2026, 3, 8, 23)).ShouldBe(new DateOnly(2026, 3, 9));
        Shanghai.BusinessTimeBetween(Utc(2026, 3, 6, 0), Utc(2026, 3, 9, 2)).ShouldBe(TimeSpan.FromHours(10)); // Fri 08:00-18:00 CST counts 9h, Mon 09:00-10:00 1h
    }

    [Fact]
    public void IsOpen_IncludesOpeningAndExcludesClosingInstant()
    {
        Shanghai.IsOpen(Cst(2026, 3, 9, 9)).ShouldBeTrue();
        Shanghai.IsOpen(Cst(2026, 3, 9, 17, 59)).ShouldBeTrue();
        Shanghai.IsOpen(Cst(2026, 3, 9, 18)).ShouldBeFalse();
        Shanghai.IsOpen(Cst(2026, 3, 7, 12)).ShouldBeFalse();
        Shanghai.NextOpening(Cst(2026, 3, 9, 12)).ShouldBe(Cst(2026, 3, 9, 12));
        Shanghai.NextOpening(Cst(2026, 3, 9, 18)).ShouldBe(Cst(2026, 3, 10, 9));
    }

    [Fact]
    public void BusinessTimeBetween_CountsOnlyOpenHours_AndIsNegativeWhenReversed()
    {
        var from = Cst(2026, 3, 6, 17);
        var to = Cst(2026, 3, 10, 10);
        Shanghai.BusinessTimeBetween(from, to).ShouldBe(TimeSpan.FromHours(1 + 9 + 1));
        Shanghai.BusinessTimeBetween(to, from).ShouldBe(TimeSpan.FromHours(-11));
        Shanghai.BusinessTimeBetween(Cst(2026, 3, 7, 0), Cst(2026, 3, 9, 0)).ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public void Holidays_AreSkipped_WhenAClockSpansThem()
    {
        // Wed 2026-09-30 17:00 + 8h: one hour on the 30th, then nothing until Thu 8 October.
        Shanghai.AddBusinessTime(Cst(2026, 9, 30, 17), TimeSpan.FromHours(8)).ShouldBe(Cst(2026, 10, 8, 16));
        Shanghai.IsBusinessDay(new DateOnly(2026, 10, 5)).ShouldBeFalse();
        Shanghai.IsOpen(Cst(2026, 10, 5, 10)).ShouldBeFalse();
    }

    [Fact]
    public void WorkingDayOverride_OpensASaturday()
    {
        Shanghai.IsBusinessDay(new DateOnly(2026, 2, 28)).ShouldBeTrue();
        Shanghai.AddBusinessTime(Cst(2026, 2, 27, 17), TimeSpan.FromHours(2)).ShouldBe(Cst(2026, 2, 28, 10));
        Shanghai.IsBusinessDay(new DateOnly(2026, 3, 7)).ShouldBeFalse();
    }

    [Fact]
    public void PartialHolidays_AndYearEnd_AreRespected()
    {
        // Christmas Eve closes at 13:00; the 25th and 28th are holidays; the 26th-27th a weekend.
        London.AddBusinessTime(At(2026, 12, 24, 12, 0, Gmt), TimeSpan.FromHours(2)).ShouldBe(At(2026, 12, 29, 10, 0, Gmt));
        London.IsOpen(At(2026, 12, 24, 12, 59, Gmt)).ShouldBeTrue();
        London.IsOpen(At(2026, 12, 24, 13, 0, Gmt)).ShouldBeFalse();
        London.IsBusinessDay(new DateOnly(2026, 12, 24)).ShouldBeTrue();

        // Across the year end: New Year's Eve half day, New Year's Day, then a weekend.
        London.AddBusinessTime(At(2026, 12, 31, 12, 0, Gmt), TimeSpan.FromHours(2)).ShouldBe(At(2027, 1, 4, 10, 0, Gmt));
        London.BusinessTimeBetween(At(2026, 12, 31, 0, 0, Gmt), At(2027, 1, 5, 0, 0, Gmt)).ShouldBe(TimeSpan.FromHours(4 + 8.5));
    }

    [Fact]
    public void SeveralIntervalsPerDay_AndOvernightShiftsSplitAtMidnight()
    {
        var calendar = BusinessCalendar.Create(new BusinessCalendarDefinition
        {
            Id = "split",
            TimeZone = "Asia/Shanghai",
            Weekly =
            [
                new WeeklyHours(DayOfWeek.Monday, "13:00", "18:00"),
                new WeeklyHours(DayOfWeek.Monday, "09:00", "12:00"),
                new WeeklyHours(DayOfWeek.Monday, "22:00", "24:00"),
                new WeeklyHours(DayOfWeek.Tuesday, "00:00", "06:00"),
            ],
        });

        calendar.AddBusinessTime(Cst(2026, 3, 9, 11, 30), TimeSpan.FromHours(1)).ShouldBe(Cst(2026, 3, 9, 13, 30));
        calendar.IsOpen(Cst(2026, 3, 9, 12, 30)).ShouldBeFalse();
        calendar.AddBusinessTime(Cst(2026, 3, 9, 23), TimeSpan.FromHours(2)).ShouldBe(Cst(2026, 3, 10, 1));
        calendar.IsOpen(Cst(2026, 3, 10, 0)).ShouldBeTrue();
        calendar.AddBusinessTime(Cst(2026, 3, 10, 5), TimeSpan.FromHours(2)).ShouldBe(Cst(2026, 3, 16, 10));
    }

    [Fact]
    public void AlwaysOpen_IsPlainElapsedTime_WeekendsIncluded()
    {
        AlwaysOpenShanghai.IsContinuous.ShouldBeTrue();
        AlwaysOpenShanghai.AddBusinessTime(Cst(2026, 3, 7, 3), TimeSpan.FromMinutes(2)).ShouldBe(Cst(2026, 3, 7, 3, 2));
        AlwaysOpenShanghai.BusinessTimeBetween(Cst(2026, 3, 6, 18), Cst(2026, 3, 9, 9)).ShouldBe(TimeSpan.FromHours(63));
        AlwaysOpenShanghai.IsOpen(Cst(2026, 10, 1, 3)).ShouldBeTrue();
        AlwaysOpenShanghai.NextOpening(Cst(2026, 10, 1, 3)).ShouldBe(Cst(2026, 10, 1, 3));
    }

    [Fact]
    public void AlwaysOpen_WithAHoliday_ClosesOnlyThatDate()
    {
        var calendar = BusinessCalendar.Create(new BusinessCalendarDefinition
        {
            Id = "24x7-but-christmas",
            TimeZone = "Europe/London",
            AlwaysOpen = true,
            Holidays = [new CalendarHoliday(new DateOnly(2026, 12, 25), "Christmas Day")],
        });

        calendar.IsContinuous.ShouldBeFalse();
        calendar.AddBusinessTime(At(2026, 12, 24, 23, 0, Gmt), TimeSpan.FromHours(2)).ShouldBe(At(2026, 12, 26, 1, 0, Gmt));
    }

    public static TheoryData<string, DateTimeOffset, DateTimeOffset, double> DstDays => new()
    {
        // 24/7 calendars: a local day is 23 hours when clocks spring forward and 25 when they fall back.
        { "America/New_York", At(2026, 3, 7, 12, 0, Est), At(2026, 3, 8, 12, 0, Edt), 23 },
        { "America/New_York", At(2026, 10, 31, 12, 0, Edt), At(2026, 11, 1, 12, 0, Est), 25 },
        { "Europe/London", At(2026, 3, 28, 12, 0, Gmt), At(2026, 3, 29, 12, 0, Bst), 23 },
        { "Europe/London", At(2026, 10, 24, 12, 0, Bst), At(2026, 10, 25, 12, 0, Gmt), 25 },
    };

    [Theory]
    [MemberData(nameof(DstDays))]
    public void AlwaysOpen_AcrossDst_CountsRealElapsedHours(string zone, DateTimeOffset from, DateTimeOffset to, double hours)
    {
        var calendar = BusinessCalendar.AlwaysOpen("24x7", zone);
        calendar.BusinessTimeBetween(from, to).ShouldBe(TimeSpan.FromHours(hours));
        calendar.AddBusinessTime(from, TimeSpan.FromHours(hours)).ShouldBe(to);
        calendar.AddBusinessDays(from, 1).ShouldBe(calendar.StartOfDate(DateOnly.FromDateTime(to.DateTime).AddDays(1)));
    }

    [Fact]
    public void OfficeHours_OverTheNewYorkSpringForwardWeekend_KeepLocalOpeningTimes()
    {
        // Fri 16:00 EST + 2h = Mon 10:00 EDT, which is 14:00Z (not 15:00Z as fixed-offset arithmetic would say).
        NewYork.AddBusinessTime(At(2026, 3, 6, 16, 0, Est), TimeSpan.FromHours(2)).ShouldBe(Utc(2026, 3, 9, 14));
        NewYork.NextOpening(At(2026, 3, 7, 12, 0, Est)).ShouldBe(Utc(2026, 3, 9, 13));
    }

    [Fact]
    public void OfficeHours_OverTheNewYorkFallBackWeekend_KeepLocalOpeningTimes()
    {
        NewYork.AddBusinessTime(At(2026, 10, 30, 16, 0, Edt), TimeSpan.FromHours(2)).ShouldBe(Utc(2026, 11, 2, 15));
    }

    [Fact]
    public void OfficeHours_OverTheLondonDstWeekends_KeepLocalOpeningTimes()
    {
        London.AddBusinessTime(At(2026, 3, 27, 16, 0, Gmt), TimeSpan.FromHours(2)).ShouldBe(At(2026, 3, 30, 9, 30, Bst));
        London.AddBusinessTime(At(2026, 3, 27, 16, 0, Gmt), TimeSpan.FromHours(2)).ShouldBe(Utc(2026, 3, 30, 8, 30));
        London.AddBusinessTime(At(2026, 10, 23, 16, 0, Bst), TimeSpan.FromHours(2)).ShouldBe(Utc(2026, 10, 26, 9, 30));
    }

    [Fact]
    public void HoursSpanningTheSpringForwardGap_LastOneHourLess()
    {
        // Sunday 00:00 EST (05:00Z) to 04:00 EDT (08:00Z): the clock skips 02:00-03:00.
        NewYorkSundayNights.BusinessTimeBetween(Utc(2026, 3, 8, 0), Utc(2026, 3, 9, 0)).ShouldBe(TimeSpan.FromHours(3));
        NewYorkSundayNights.AddBusinessTime(At(2026, 3, 8, 1, 30, Est), TimeSpan.FromHours(1)).ShouldBe(At(2026, 3, 8, 3, 30, Edt));
        NewYorkSundayNights.IsOpen(Utc(2026, 3, 8, 7, 59)).ShouldBeTrue();
        NewYorkSundayNights.IsOpen(Utc(2026, 3, 8, 8)).ShouldBeFalse();
    }

    [Fact]
    public void HoursSpanningTheFallBackOverlap_LastOneHourMore()
    {
        // Sunday 00:00 EDT (04:00Z) to 04:00 EST (09:00Z): 01:00-02:00 happens twice.
        NewYorkSundayNights.BusinessTimeBetween(Utc(2026, 11, 1, 0), Utc(2026, 11, 2, 0)).ShouldBe(TimeSpan.FromHours(5));
        NewYorkSundayNights.AddBusinessTime(At(2026, 11, 1, 1, 30, Edt), TimeSpan.FromHours(1)).ShouldBe(At(2026, 11, 1, 1, 30, Est));
    }

    [Fact]
    public void BoundariesInsideTheGap_OpenWhenTheClockJumps_AndBoundariesInTheOverlap_UseTheFirstOccurrence()
    {
        var calendar = BusinessCalendar.Create(new BusinessCalendarDefinition
        {
            Id = "odd-hours",
            TimeZone = "America/New_York",
            Weekly = [new WeeklyHours(DayOfWeek.Sunday, "02:30", "05:00"), new WeeklyHours(DayOfWeek.Sunday, "01:30", "02:15")],
        });

        // 2026-03-08: 02:15 and 02:30 do not exist; both map to the jump at 03:00 EDT (07:00Z), so 01:30-02:15 lasts 30 minutes.
        calendar.NextOpening(At(2026, 3, 8, 1, 45, Est)).ShouldBe(At(2026, 3, 8, 1, 45, Est));
        calendar.BusinessTimeBetween(Utc(2026, 3, 8, 0), Utc(2026, 3, 9, 0)).ShouldBe(TimeSpan.FromMinutes(30 + 120));
        calendar.IsOpen(Utc(2026, 3, 8, 7)).ShouldBeTrue();

        // 2026-11-01: 01:30 happens twice; the desk opens at the first (05:30Z), 02:15 is EST (07:15Z), 02:30-05:00 EST is 2.5 hours.
        calendar.NextOpening(Utc(2026, 11, 1, 4)).ShouldBe(Utc(2026, 11, 1, 5, 30));
        calendar.BusinessTimeBetween(Utc(2026, 11, 1, 0), Utc(2026, 11, 2, 0)).ShouldBe(TimeSpan.FromMinutes(105 + 150));
    }

    [Fact]
    public void AddBusinessDays_ReceivedFridayEvening_DayOneIsMonday()
    {
        // FCA/PSD2 style: the day of receipt never counts; the deadline is the end of the Nth business day after it.
        Shanghai.AddBusinessDays(Cst(2026, 3, 6, 17), 1).ShouldBe(Cst(2026, 3, 10, 0));
        Shanghai.AddBusinessDays(Cst(2026, 3, 7, 11), 1).ShouldBe(Cst(2026, 3, 10, 0));
        Shanghai.AddBusinessDays(Cst(2026, 3, 9, 8), 1).ShouldBe(Cst(2026, 3, 11, 0));
        Shanghai.AddBusinessDays(Cst(2026, 3, 6, 17), 5).ShouldBe(Cst(2026, 3, 14, 0));
        Should.Throw<ArgumentOutOfRangeException>(() => Shanghai.AddBusinessDays(Cst(2026, 3, 6, 17), 0));
    }

    [Fact]
    public void AddBusinessDays_SkipsAHolidayWeekInsideALongClock()
    {
        // Received Mon 28 Sep: Tue 29 (1), Wed 30 (2), 1-7 Oct closed, Thu 8 Oct (3) ... Mon 26 Oct (15).
        Shanghai.AddBusinessDays(Cst(2026, 9, 28, 10), 15).ShouldBe(Cst(2026, 10, 27, 0));
        Shanghai.AddBusinessDays(Cst(2026, 9, 28, 10), 15).ShouldBe(Utc(2026, 10, 26, 16));
    }

    [Fact]
    public void AddBusinessDays_AcrossDst_EndsAtLocalMidnight()
    {
        // New York, received Fri 6 Mar (EST); 10 business days end at the end of Fri 20 Mar, which is EDT.
        NewYork.AddBusinessDays(At(2026, 3, 6, 17, 0, Est), 10).ShouldBe(Utc(2026, 3, 21, 4));
        NewYork.AddBusinessDays(At(2026, 10, 30, 17, 0, Edt), 1).ShouldBe(Utc(2026, 11, 3, 5));

        // London: received Fri 27 Mar (GMT), one business day ends Tue 31 Mar 00:00 BST; received Thu 22 Oct (BST), five end Fri 30 Oct 00:00 GMT.
        London.AddBusinessDays(At(2026, 3, 27, 10, 0, Gmt), 1).ShouldBe(At(2026, 3, 31, 0, 0, Bst));
        London.AddBusinessDays(At(2026, 10, 22, 10, 0, Bst), 5).ShouldBe(Utc(2026, 10, 30, 0));
    }

    [Fact]
    public void AddBusinessDays_AcrossTheYearEnd_CountsAHalfDayAsABusinessDay()
    {
        // Wed 30 Dec: Thu 31 (half day, 1), Mon 4 Jan (2), Tue 5 Jan (3).
        London.AddBusinessDays(At(2026, 12, 30, 15, 0, Gmt), 3).ShouldBe(Utc(2027, 1, 6, 0));
    }
}
