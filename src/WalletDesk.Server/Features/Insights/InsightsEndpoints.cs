using System.Globalization;
using CsvHelper;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Server.Features.Insights;

/// <summary>Insight figures for supervisors and BI tools; every list also comes as CSV with <c>format=csv</c>.</summary>
internal static class InsightsEndpoints
{
    private const int MaxRangeDays = 400;

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/insights").WithTags("Insights").RequireStaff(StaffRoles.Supervisor, ApiScopes.ReportsRead);
        group.MapGet("/arrivals", GetArrivals);
        group.MapGet("/heatmap", GetHeatmap);
        group.MapGet("/forecast", GetForecast);
        group.MapGet("/staffing", GetStaffing);
        group.MapGet("/spikes", GetSpikes);
        group.MapGet("/alerts", ListAlerts);
        group.MapGet("/recurring", GetRecurring);
    }

    private static async Task<IResult> GetArrivals(InsightsQueries insights, TimeProvider time, CancellationToken ct,
        DateTimeOffset? from = null, DateTimeOffset? to = null, string? channel = null, string? category = null, string? format = null)
    {
        if (Range(time, from, to, out var start, out var end) is { } invalid)
        {
            return invalid;
        }

        if (CheckChannel(channel) is { } badChannel)
        {
            return badChannel;
        }

        var series = await insights.HourlySeriesAsync(start, end, channel, category, ct);
        var rows = series.Select((count, i) => new ArrivalHourResponse(start.AddHours(i), (int)count)).ToList();
        return format == "csv"
            ? Csv("arrivals.csv", ["hour_start", "count"], rows.Select(r => new[] { Iso(r.HourStart), Num(r.Count) }))
            : TypedResults.Ok(rows);
    }

    private static async Task<IResult> GetHeatmap(InsightsQueries insights, TimeProvider time, CancellationToken ct,
        DateTimeOffset? from = null, DateTimeOffset? to = null, string? channel = null, string? tz = null, string? format = null)
    {
        if (Range(time, from, to, out var start, out var end) is { } invalid)
        {
            return invalid;
        }

        if (CheckChannel(channel) is { } badChannel)
        {
            return badChannel;
        }

        if (tz is { Length: > 0 } && !TimeZoneInfo.TryFindSystemTimeZoneById(tz, out _))
        {
            return Problems.Validation("tz", "Unknown time zone; use an IANA id such as Asia/Shanghai or Europe/London.");
        }

        var map = await insights.HeatmapAsync(start, end, channel, insights.ZoneOrDefault(tz), ct);
        if (format == "csv")
        {
            return Csv("heatmap.csv", ["weekday", "hour", "count", "time_zone"],
                Weekdays.SelectMany((day, d) => map.Counts[d].Select((c, h) => new[] { day, Num(h), Num(c), map.TimeZone })));
        }

        return TypedResults.Ok(new HeatmapResponse(map.TimeZone, map.From, map.To, map.Total, Weekdays.Select((day, d) => new HeatmapRowResponse(day, map.Counts[d])).ToList()));
    }

    private static async Task<IResult> GetForecast(InsightsQueries insights, CancellationToken ct, string? channel = null, string? format = null)
    {
        if (CheckChannel(channel) is { } badChannel)
        {
            return badChannel;
        }

        var forecast = await insights.ForecastAsync(channel, ct);
        var hours = forecast.Hours.Select((v, i) => new ForecastHourResponse(forecast.From.AddHours(i), Math.Round(v, 2))).ToList();
        return format == "csv"
            ? Csv("forecast.csv", ["hour_start", "expected"], hours.Select(h => new[] { Iso(h.HourStart), Num(h.Expected) }))
            : TypedResults.Ok(new ForecastResponse(channel, forecast.Backtest, hours));
    }

    private static async Task<IResult> GetStaffing(InsightsQueries insights, CancellationToken ct, string channel = TicketChannels.Chat,
        double serviceLevel = 0.8, int answerSeconds = 20, double shrinkage = 0.3, double maxOccupancy = 1, int? handleSeconds = null, int? concurrency = null,
        string? tz = null, string? format = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (!TicketChannels.All.Contains(channel))
        {
            errors["channel"] = [$"Unknown channel; use one of {string.Join(", ", TicketChannels.All)}."];
        }

        if (serviceLevel is <= 0 or >= 1)
        {
            errors["serviceLevel"] = ["A share between 0 and 1, such as 0.8 for 80 %."];
        }

        if (answerSeconds is < 1 or > 86_400)
        {
            errors["answerSeconds"] = ["Between 1 and 86400 seconds."];
        }

        if (shrinkage is < 0 or >= 1)
        {
            errors["shrinkage"] = ["A share from 0 up to (not including) 1, such as 0.3."];
        }

        if (maxOccupancy is <= 0 or > 1)
        {
            errors["maxOccupancy"] = ["A share above 0 and at most 1."];
        }

        if (handleSeconds is < 1 or > 86_400)
        {
            errors["handleSeconds"] = ["Between 1 and 86400 seconds."];
        }

        if (concurrency is < 1 or > 10)
        {
            errors["concurrency"] = ["Between 1 and 10 chats at once."];
        }

        if (tz is { Length: > 0 } && !TimeZoneInfo.TryFindSystemTimeZoneById(tz, out _))
        {
            errors["tz"] = ["Unknown time zone; use an IANA id such as Asia/Shanghai."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The request has invalid fields.");
        }

        var target = new StaffingTarget(serviceLevel, TimeSpan.FromSeconds(answerSeconds), shrinkage, maxOccupancy, concurrency ?? insights.ChatConcurrency);
        var plan = await insights.StaffingAsync(channel, target, handleSeconds is { } h ? TimeSpan.FromSeconds(h) : null, insights.ZoneOrDefault(tz), ct);
        return format == "csv"
            ? Csv($"staffing-{channel}.csv", ["hour_start", "local", "expected_arrivals", "agents", "scheduled_agents", "service_level", "occupancy", "probability_of_waiting"],
                plan.Select(p => new[] { Iso(p.HourStart), p.LocalLabel, Num(p.ExpectedArrivals), Num(p.Agents), Num(p.ScheduledAgents), Num(p.ServiceLevel), Num(p.Occupancy), Num(p.ProbabilityOfWaiting) }))
            : TypedResults.Ok(plan);
    }

    private static async Task<IResult> GetSpikes(InsightsQueries insights, TimeProvider time, CancellationToken ct, DateTimeOffset? hour = null, string? format = null)
    {
        var at = hour ?? ArrivalRollup.HourOf(time.GetUtcNow()).AddHours(-1);
        var findings = await insights.SpikesAsync(at, ct);
        return format == "csv"
            ? Csv("spikes.csv", ["dimension", "key", "hour_start", "is_spike", "observed", "expected", "tail_probability", "reason"],
                findings.Select(f => new[] { f.Dimension, f.Key, Iso(f.HourStart), f.Verdict.IsSpike ? "true" : "false", Num(f.Verdict.Observed), Num(f.Verdict.Expected), Num(f.Verdict.TailProbability), f.Verdict.Reason }))
            : TypedResults.Ok(findings);
    }

    private static async Task<IResult> GetRecurring(InsightsQueries insights, CancellationToken ct, string dimension = "category", int days = 7, string? format = null)
    {
        if (dimension is not ("category" or "channel"))
        {
            return Problems.Validation("dimension", "Either category or channel.");
        }

        if (days is < 1 or > 28)
        {
            return Problems.Validation("days", "Between 1 and 28 days.");
        }

        var issues = await insights.RecurringAsync(dimension, days, ct);
        return format == "csv"
            ? Csv("recurring.csv", ["dimension", "key", "count", "baseline", "change", "rising"],
                issues.Select(i => new[] { i.Dimension, i.Key, Num(i.Count), Num(i.Baseline), i.Change is { } c ? Num(c) : null, i.Rising ? "true" : "false" }))
            : TypedResults.Ok(issues);
    }

    private static async Task<IResult> ListAlerts(InsightsQueries insights, CancellationToken ct, int limit = 50, string? format = null)
    {
        if (limit is < 1 or > 500)
        {
            return Problems.Validation("limit", "Between 1 and 500.");
        }

        var alerts = (await insights.RecentAlertsAsync(limit, ct)).Select(a => new AlertResponse(a.Id, a.HourStart, a.Dimension, a.Key, a.Observed, a.Expected, a.TailProbability,
            a.TicketIds.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(id => long.Parse(id, CultureInfo.InvariantCulture)).ToList(), a.CreatedAt)).ToList();
        return format == "csv"
            ? Csv("alerts.csv", ["id", "hour_start", "dimension", "key", "observed", "expected", "tail_probability", "tickets"],
                alerts.Select(a => new[] { Num(a.Id), Iso(a.HourStart), a.Dimension, a.Key, Num(a.Observed), Num(a.Expected), Num(a.TailProbability), string.Join(' ', a.TicketIds) }))
            : TypedResults.Ok(alerts);
    }

    private static readonly string[] Weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    private static IResult? Range(TimeProvider time, DateTimeOffset? from, DateTimeOffset? to, out DateTimeOffset start, out DateTimeOffset end)
    {
        end = ArrivalRollup.HourOf(to ?? time.GetUtcNow().AddHours(1));
        start = ArrivalRollup.HourOf(from ?? end.AddDays(-28));
        if (start >= end)
        {
            return Problems.Validation("from", "Must be before 'to'.");
        }

        return (end - start).TotalDays > MaxRangeDays ? Problems.Validation("to", $"A range of at most {MaxRangeDays} days.") : null;
    }

    private static IResult? CheckChannel(string? channel) =>
        channel is null || TicketChannels.All.Contains(channel) ? null : Problems.Validation("channel", $"Unknown channel; use one of {string.Join(", ", TicketChannels.All)}.");

    /// <summary>CSV for spreadsheets (RFC 4180), with cells that start like a formula escaped (CSV injection).</summary>
    /// <remarks>Numbers go in as numbers, so a negative one is not taken for a formula and escaped.</remarks>
    internal static IResult Csv(string fileName, string[] header, IEnumerable<object?[]> rows)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, new CsvWriterOptions { Injection = CsvInjection.Escape, FormatProvider = CultureInfo.InvariantCulture }, false))
        {
            csv.WriteRecord(header);
            foreach (var row in rows)
            {
                foreach (var field in row)
                {
                    csv.WriteField(field);
                }

                csv.EndRecord();
            }
        }

        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", fileName);
    }

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static object Num(double value) => Math.Round(value, 6);
}

/// <summary>Tickets opened in one hour.</summary>
public sealed record ArrivalHourResponse(DateTimeOffset HourStart, int Count);

/// <summary>Arrivals by weekday (rows, Monday first) and hour of day (columns 0–23) in <paramref name="TimeZone"/>.</summary>
public sealed record HeatmapResponse(string TimeZone, DateTimeOffset From, DateTimeOffset To, int Total, IReadOnlyList<HeatmapRowResponse> Rows);

/// <summary>One weekday of a heatmap: 24 hourly counts.</summary>
public sealed record HeatmapRowResponse(string Weekday, IReadOnlyList<int> Counts);

/// <summary>Expected tickets in one hour.</summary>
public sealed record ForecastHourResponse(DateTimeOffset HourStart, double Expected);

/// <summary>Next week's hourly forecast and the method's backtest on the same history.</summary>
public sealed record ForecastResponse(string? Channel, ForecastBacktestView Backtest, IReadOnlyList<ForecastHourResponse> Hours);

/// <summary>A spike alert with the tickets behind it.</summary>
public sealed record AlertResponse(long Id, DateTimeOffset HourStart, string Dimension, string Key, int Observed, double Expected, double TailProbability, IReadOnlyList<long> TicketIds, DateTimeOffset CreatedAt);
