using System.Globalization;

namespace WalletDesk.Server.Infrastructure;

/// <summary>
/// The one way a time is shown to a person: in the viewer's time zone, with the day named when it is not today
/// ("tomorrow 03:24", "明天 03:24"). Agents' pages take the zone their browser reports (the <c>wd_tz</c> cookie that
/// console.js sets) and fall back to the operator's zone; customers see their wallet account's zone.
/// </summary>
public sealed class ViewerTime(TimeZoneInfo zone, DateTimeOffset now, bool chinese)
{
    /// <summary>The cookie console.js sets to the browser's IANA time zone.</summary>
    public const string ZoneCookie = "wd_tz";

    /// <summary>The operator's zone (the support office's calendar) when the viewer's is not known.</summary>
    public const string DefaultZoneId = "Asia/Shanghai";

    public TimeZoneInfo Zone { get; } = zone;

    public bool Chinese { get; } = chinese;

    /// <summary>The zone's id, to label a page's times once ("times in Europe/London").</summary>
    public string ZoneLabel => Zone.Id;

    /// <summary>A viewer from a request: the zone cookie if it names a real zone, else <paramref name="fallbackZone"/>, else the operator's.</summary>
    public static ViewerTime For(HttpContext? http, TimeProvider time, bool chinese, string? fallbackZone = null)
    {
        var cookie = http?.Request.Cookies[ZoneCookie];
        return new ViewerTime(FindZone(cookie) ?? FindZone(fallbackZone) ?? FindZone(DefaultZoneId) ?? TimeZoneInfo.Utc, time.GetUtcNow(), chinese);
    }

    /// <summary>A zone by IANA id, or null for an empty or unknown one.</summary>
    public static TimeZoneInfo? FindZone(string? id) =>
        !string.IsNullOrWhiteSpace(id) && id.Length <= 64 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;

    /// <summary>"03:24" today, "tomorrow 03:24" / "yesterday 03:24", else "Wed 9 Dec 03:24" (another year: "9 Dec 2027 03:24").</summary>
    public string Format(DateTimeOffset at) => Format(at, Zone, now, Chinese);

    public string Format(DateTimeOffset? at) => at is { } value ? Format(value) : "";

    public static string Format(DateTimeOffset at, TimeZoneInfo zone, DateTimeOffset now, bool chinese)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        var clock = local.ToString("HH:mm", CultureInfo.InvariantCulture);
        var days = (local.Date - today).Days;
        return days switch
        {
            0 => chinese ? $"今天 {clock}" : $"today {clock}",
            1 => chinese ? $"明天 {clock}" : $"tomorrow {clock}",
            -1 => chinese ? $"昨天 {clock}" : $"yesterday {clock}",
            _ when local.Year != today.Year => chinese
                ? string.Create(CultureInfo.InvariantCulture, $"{local.Year}年{local.Month}月{local.Day}日 {clock}")
                : local.ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture),
            _ => chinese
                ? string.Create(CultureInfo.InvariantCulture, $"{local.Month}月{local.Day}日 {clock}")
                : local.ToString("ddd d MMM HH:mm", CultureInfo.InvariantCulture),
        };
    }
}
