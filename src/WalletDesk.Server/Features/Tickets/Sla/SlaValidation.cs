using System.Globalization;

namespace WalletDesk.Server.Features.Tickets.Sla;

/// <summary>One problem in a calendar or policy definition, addressed by a JSON-style path so an editor can point at the field.</summary>
/// <param name="Path">Where the problem is, e.g. <c>weekly[2].close</c>.</param>
/// <param name="Message">What is wrong, in words an operator understands.</param>
public sealed record SlaValidationError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>A calendar or policy definition was refused; <see cref="Errors"/> lists every problem, not just the first.</summary>
public sealed class SlaDefinitionException(string what, IReadOnlyList<SlaValidationError> errors)
    : Exception($"Invalid {what}: " + string.Join("; ", errors))
{
    public IReadOnlyList<SlaValidationError> Errors { get; } = errors;
}

/// <summary>Wall-clock times in definitions are "HH:mm" strings so that "24:00" (end of day) is expressible and JSON stays readable.</summary>
internal static class ClockTime
{
    public static readonly TimeSpan EndOfDay = TimeSpan.FromHours(24);

    public static bool TryParse(string? text, bool allowEndOfDay, out TimeSpan value)
    {
        value = default;
        if (text is null || text.Length != 5 || text[2] != ':'
            || !int.TryParse(text.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
            || !int.TryParse(text.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes))
        {
            return false;
        }

        if (hours == 24 && minutes == 0 && allowEndOfDay)
        {
            value = EndOfDay;
            return true;
        }

        if (hours > 23 || minutes > 59)
        {
            return false;
        }

        value = new TimeSpan(hours, minutes, 0);
        return true;
    }

    /// <summary>Parses an open/close pair, adding errors for bad text, reversed or empty ranges.</summary>
    public static (TimeSpan From, TimeSpan To)? ParseRange(string? from, string? to, string path, string fromName, string toName, List<SlaValidationError> errors)
    {
        var ok = true;
        if (!TryParse(from, allowEndOfDay: false, out var start))
        {
            errors.Add(new($"{path}.{fromName}", $"'{from}' is not a time of day; use HH:mm between 00:00 and 23:59."));
            ok = false;
        }

        if (!TryParse(to, allowEndOfDay: true, out var end))
        {
            errors.Add(new($"{path}.{toName}", $"'{to}' is not a time of day; use HH:mm between 00:01 and 24:00."));
            ok = false;
        }

        if (!ok)
        {
            return null;
        }

        if (end <= start)
        {
            // Overnight shifts are two intervals (22:00-24:00 and 00:00-06:00 the next day), which keeps every interval inside one local date.
            errors.Add(new(path, $"{fromName} {from} is not before {toName} {to}; split overnight hours at 24:00."));
            return null;
        }

        return (start, end);
    }

    /// <summary>Adds an error for each pair of intervals that overlap (touching is fine), on the one listed later.</summary>
    public static void CheckOverlaps(IEnumerable<(string Path, TimeSpan From, TimeSpan To)> ranges, List<SlaValidationError> errors)
    {
        var sorted = ranges.Select((r, position) => (r.Path, r.From, r.To, Position: position)).OrderBy(r => r.From).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            var (earlier, later) = (sorted[i - 1], sorted[i]);
            if (later.From < earlier.To)
            {
                var (reported, other) = later.Position > earlier.Position ? (later, earlier) : (earlier, later);
                errors.Add(new(reported.Path, $"overlaps {other.Path} ({Format(other.From)}-{Format(other.To)})."));
            }
        }
    }

    public static string Format(TimeSpan time) =>
        time == EndOfDay ? "24:00" : time.ToString(@"hh\:mm", CultureInfo.InvariantCulture);
}
