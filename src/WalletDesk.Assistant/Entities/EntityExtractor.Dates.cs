using System.Globalization;
using System.Text.RegularExpressions;

namespace WalletDesk.Assistant.Entities;

public static partial class EntityExtractor
{
    private delegate DateOnly? DateResolver(Match match, DateOnly today);

    private static readonly string[] WeekdayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private static readonly string[] MonthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    private static IEnumerable<(Regex, DateResolver)> DateRules(EntityExtractorOptions options)
    {
        yield return (IsoDate(), (m, _) => MakeDate(Int(m, "y"), Int(m, "m"), Int(m, "d")));
        yield return (ChineseFullDate(), (m, today) => m.Groups["y"].Success
            ? MakeDate(Int(m, "y"), Int(m, "m"), Int(m, "d"))
            : MostRecent(today, Int(m, "m"), Int(m, "d")));
        yield return (NumericDate(), (m, today) => ResolveNumeric(m, today, options.MonthFirst));
        yield return (MonthNameDay(), (m, today) => ResolveNamed(m, today));
        yield return (DayMonthName(), (m, today) => ResolveNamed(m, today));
        yield return (EnglishRelativeDay(), (m, today) => m.Value.ToLowerInvariant() switch
        {
            "today" or "tonight" or "this morning" or "this afternoon" or "this evening" => today,
            "yesterday" => today.AddDays(-1),
            "tomorrow" => today.AddDays(1),
            _ => today.AddDays(-2), // the day before yesterday
        });
        yield return (EnglishAgo(), (m, today) => Ago(today, CountOf(m.Groups["n"].Value), m.Groups["unit"].Value));
        yield return (EnglishWeekday(), (m, today) => ResolveEnglishWeekday(m, today));
        yield return (ChineseRelativeDay(), (m, today) => m.Value switch
        {
            "今天" or "今日" or "今早" or "今晚" => today,
            "昨天" or "昨日" or "昨晚" => today.AddDays(-1),
            "前天" => today.AddDays(-2),
            "大前天" => today.AddDays(-3),
            "明天" => today.AddDays(1),
            _ => null,
        });
        yield return (ChineseAgo(), (m, today) =>
            ChineseCount(m.Groups["n"].Value) is { } n ? Ago(today, n, m.Groups["unit"].Value) : null);
        yield return (ChineseWeekday(), (m, today) => ResolveChineseWeekday(m, today));
        yield return (ChineseDayOfMonth(), (m, today) => MostRecent(today, today.Month, Int(m, "d")));
    }

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    private static DateOnly? MakeDate(int year, int month, int day) =>
        year is >= 1900 and <= 2999 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
            ? new DateOnly(year, month, day)
            : null;

    /// <summary>A day and month without a year is the most recent such date: customers ask about the past.</summary>
    private static DateOnly? MostRecent(DateOnly today, int month, int day)
    {
        if (MakeDate(today.Year, month, day) is { } date && date <= today)
        {
            return date;
        }

        if (month is < 1 or > 12)
        {
            return null;
        }

        // 31 in a month with 30 days (or 29 Feb) belongs to the previous month/year that has it.
        return MakeDate(today.Year - 1, month, day) ?? (month == today.Month ? MostRecent(today.AddMonths(-1), today.AddMonths(-1).Month, day) : null);
    }

    private static DateOnly? ResolveNumeric(Match m, DateOnly today, bool monthFirst)
    {
        int a = Int(m, "a"), b = Int(m, "b");
        var (month, day) = monthFirst ? (a, b) : (b, a);
        if (month > 12 && day <= 12)
        {
            (month, day) = (day, month);
        }

        if (!m.Groups["y"].Success)
        {
            return MostRecent(today, month, day);
        }

        var year = Int(m, "y");
        return MakeDate(year < 100 ? 2000 + year : year, month, day);
    }

    private static DateOnly? ResolveNamed(Match m, DateOnly today)
    {
        var month = Array.IndexOf(MonthNames, m.Groups["mon"].Value[..3].ToLowerInvariant()) + 1;
        var day = Int(m, "d");
        return m.Groups["y"].Success ? MakeDate(Int(m, "y"), month, day) : MostRecent(today, month, day);
    }

    private static DateOnly? Ago(DateOnly today, int? count, string unit)
    {
        if (count is not { } n || n > 3660)
        {
            return null;
        }

        return unit.ToLowerInvariant() switch
        {
            "day" or "days" or "天" or "日" => today.AddDays(-n),
            "week" or "weeks" or "周" or "星期" or "个星期" or "個星期" or "礼拜" or "个礼拜" => today.AddDays(-7 * n),
            "month" or "months" or "个月" or "個月" => today.AddMonths(-n),
            _ => null,
        };
    }

    private static int? CountOf(string word) => word.ToLowerInvariant() switch
    {
        "a" or "an" or "one" => 1,
        "two" or "couple of" or "a couple of" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        var digits when int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    private static int? ChineseCount(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
        : ChineseNumerals.TryParse(text, out var d) && d == decimal.Truncate(d) && d < 10_000 ? (int)d
        : null;

    private static DateOnly? ResolveEnglishWeekday(Match m, DateOnly today)
    {
        var target = Array.IndexOf(WeekdayNames, m.Groups["day"].Value[..3].ToLowerInvariant());
        var back = ((int)today.DayOfWeek - target + 7) % 7;
        return m.Groups["q"].Value.ToLowerInvariant() switch
        {
            // "last Friday" said on a Friday means a week ago; otherwise the most recent Friday.
            "last" => today.AddDays(back == 0 ? -7 : -back),
            "next" => today.AddDays(back == 0 ? 7 : 7 - back),
            _ => today.AddDays(-back),
        };
    }

    private static DateOnly? ResolveChineseWeekday(Match m, DateOnly today)
    {
        var target = "日一二三四五六".IndexOf(m.Groups["day"].Value == "天" ? '日' : m.Groups["day"].Value[0], StringComparison.Ordinal);
        if (target < 0)
        {
            return null;
        }

        // Chinese weeks start on Monday: 上周五 is the Friday of the previous Monday-to-Sunday week.
        var mondayOffset = ((int)today.DayOfWeek + 6) % 7;
        var thisMonday = today.AddDays(-mondayOffset);
        var dayIndex = (target + 6) % 7;
        return m.Groups["q"].Value switch
        {
            "上" => thisMonday.AddDays(-7 + dayIndex),
            "上上" => thisMonday.AddDays(-14 + dayIndex),
            "这" or "本" or "這" => thisMonday.AddDays(dayIndex),
            "下" => thisMonday.AddDays(7 + dayIndex),
            _ => today.AddDays(-(((int)today.DayOfWeek - target + 7) % 7)),
        };
    }

    [GeneratedRegex(@"(?<![0-9])(?<y>\d{4})[\-/.年](?<m>\d{1,2})[\-/.月](?<d>\d{1,2})[日号]?(?![0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"(?:(?<y>\d{4})\s*年\s*)?(?<m>\d{1,2})\s*月\s*(?<d>\d{1,2})\s*[日号號]", RegexOptions.CultureInvariant)]
    private static partial Regex ChineseFullDate();

    [GeneratedRegex(@"(?<![0-9/.\-])(?<a>\d{1,2})/(?<b>\d{1,2})(?:/(?<y>\d{4}|\d{2}))?(?![0-9/])", RegexOptions.CultureInvariant)]
    private static partial Regex NumericDate();

    [GeneratedRegex(@"(?<![A-Za-z])(?<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+(?<d>\d{1,2})(?:st|nd|rd|th)?(?![0-9])(?:,?\s+(?<y>\d{4}))?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MonthNameDay();

    [GeneratedRegex(@"(?<![0-9])(?<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![A-Za-z])(?:,?\s+(?<y>\d{4}))?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DayMonthName();

    [GeneratedRegex(@"(?<![A-Za-z])(?:the\s+day\s+before\s+yesterday|yesterday|today|tonight|tomorrow|this\s+(?:morning|afternoon|evening))(?![A-Za-z])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EnglishRelativeDay();

    [GeneratedRegex(@"(?<![A-Za-z0-9])(?<n>\d{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten|(?:a\s+)?couple\s+of)\s+(?<unit>days?|weeks?|months?)\s+ago(?![A-Za-z])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EnglishAgo();

    [GeneratedRegex(@"(?<![A-Za-z])(?:(?<q>last|this|next|on)\s+)?(?<day>monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?![A-Za-z])|(?<![A-Za-z])(?<q>last|this|next|on)\s+(?<day>mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?(?![A-Za-z])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EnglishWeekday();

    [GeneratedRegex(@"大前天|前天|昨天|昨日|昨晚|今天|今日|今早|今晚|明天", RegexOptions.CultureInvariant)]
    private static partial Regex ChineseRelativeDay();

    [GeneratedRegex(@"(?<n>\d{1,4}|[一二两三四五六七八九十百]+)\s*(?<unit>个星期|個星期|个礼拜|个月|個月|天|日|周|星期|礼拜)(?:以前|之前|前)", RegexOptions.CultureInvariant)]
    private static partial Regex ChineseAgo();

    [GeneratedRegex(@"(?<q>上上|上|这|這|本|下)?\s*(?:个|個)?(?:周|星期|礼拜|禮拜)(?<day>[一二三四五六日天])", RegexOptions.CultureInvariant)]
    private static partial Regex ChineseWeekday();

    [GeneratedRegex(@"(?<![0-9月])(?<d>\d{1,2})\s*[号號](?![码碼])", RegexOptions.CultureInvariant)]
    private static partial Regex ChineseDayOfMonth();
}
