using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Insights;

/// <summary>One hour of a forecast and the staff it needs.</summary>
public sealed record StaffingHour(DateTimeOffset HourStart, string LocalLabel, double ExpectedArrivals, int Agents, int ScheduledAgents, double ServiceLevel, double Occupancy, double ProbabilityOfWaiting);

/// <summary>A heatmap of arrivals: rows are weekdays Monday to Sunday in the viewer's time zone, columns hours 0–23.</summary>
public sealed record ArrivalHeatmap(string TimeZone, DateTimeOffset From, DateTimeOffset To, int[][] Counts)
{
    public int Max => Counts.Max(r => r.Max());

    public int Total => Counts.Sum(r => r.Sum());
}

/// <summary>The detector's verdict for one series in one hour.</summary>
public sealed record SpikeFinding(string Dimension, string Key, DateTimeOffset HourStart, SpikeVerdictView Verdict);

/// <summary>A verdict as the API shows it.</summary>
public sealed record SpikeVerdictView(bool IsSpike, int Observed, double Expected, double Dispersion, double TailProbability, string Reason);

/// <summary>One category or channel over a recent window against the same window in previous weeks.</summary>
/// <param name="Dimension"><c>category</c> or <c>channel</c>.</param>
/// <param name="Key">The category or channel.</param>
/// <param name="Count">Tickets in the window.</param>
/// <param name="Baseline">Median of the same window in each of the previous four weeks.</param>
/// <param name="Change">(count − baseline) ÷ baseline; null when the baseline is zero.</param>
/// <param name="Rising">Far above its own baseline by the spike test (not chance).</param>
public sealed record RecurringIssue(string Dimension, string Key, int Count, double Baseline, double? Change, bool Rising);

/// <summary>Next week's arrivals per hour with how the method did on the history it came from.</summary>
public sealed record ArrivalForecastView(string? Channel, DateTimeOffset From, IReadOnlyList<double> Hours, ForecastBacktestView Backtest);

/// <summary>Backtest figures (rolling origin) against "same as last week".</summary>
public sealed record ForecastBacktestView(int WeeksTested, double Wape, double NaiveWape, double RatioToNaive, double Bias);

/// <summary>Reads the insight rollups: hourly series, heatmaps, forecasts, staffing plans and spikes.</summary>
internal sealed class InsightsQueries(AppDbContext db, TicketArrivals arrivals, IOptions<InsightsOptions> options, TimeProvider time)
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);
    private const int RecurringBaselineWeeks = 4;
    private InsightsOptions Options => options.Value;

    /// <summary>Chats an agent works at once, for the chat staffing plan.</summary>
    public int ChatConcurrency => Options.ChatConcurrency;

    /// <summary>Arrivals per UTC hour in [from, to), both on hour boundaries.</summary>
    public async Task<double[]> HourlySeriesAsync(DateTimeOffset from, DateTimeOffset to, string? channel, string? category, CancellationToken ct)
    {
        var series = new double[(int)((to - from).Ticks / Hour.Ticks)];
        if (category is null)
        {
            var perChannel = db.Set<HourlyChannelArrivals>().AsNoTracking().Where(a => a.HourStart >= from && a.HourStart < to);
            var hours = channel is not null
                ? perChannel.Where(a => a.Channel == channel).Select(a => new { a.HourStart, a.Count })
                : perChannel.GroupBy(a => a.HourStart).Select(g => new { HourStart = g.Key, Count = g.Sum(a => a.Count) });
            await foreach (var row in hours.AsAsyncEnumerable().WithCancellation(ct))
            {
                series[(int)((row.HourStart - from).Ticks / Hour.Ticks)] += row.Count;
            }

            return series;
        }

        var q = db.Set<HourlyArrivals>().AsNoTracking().Where(a => a.HourStart >= from && a.HourStart < to);
        if (channel is not null)
        {
            q = q.Where(a => a.Channel == channel);
        }

        q = q.Where(a => a.Category == category);
        foreach (var row in await q.GroupBy(a => a.HourStart).Select(g => new { g.Key, Count = g.Sum(a => a.Count) }).ToListAsync(ct))
        {
            series[(int)((row.Key - from).Ticks / Hour.Ticks)] += row.Count;
        }

        return series;
    }

    public async Task<ArrivalHeatmap> HeatmapAsync(DateTimeOffset from, DateTimeOffset to, string? channel, TimeZoneInfo zone, CancellationToken ct)
    {
        var start = ArrivalRollup.HourOf(from);
        var end = ArrivalRollup.HourOf(to);
        var series = await HourlySeriesAsync(start, end, channel, null, ct);
        var counts = Enumerable.Range(0, 7).Select(_ => new int[24]).ToArray();
        for (var i = 0; i < series.Length; i++)
        {
            // Whole-hour UTC buckets land in one local hour for every zone on a whole-hour offset (all of China's and
            // most of the world's); half-hour zones see each bucket under the local hour it starts in.
            var local = TimeZoneInfo.ConvertTime(start + (i * Hour), zone);
            counts[((int)local.DayOfWeek + 6) % 7][local.Hour] += (int)series[i];
        }

        return new ArrivalHeatmap(zone.Id, start, end, counts);
    }

    public async Task<ArrivalForecastView> ForecastAsync(string? channel, CancellationToken ct)
    {
        var from = ArrivalRollup.HourOf(time.GetUtcNow());
        var history = await HourlySeriesAsync(from - (Options.HistoryWeeks * Week), from, channel, null, ct);
        var forecast = ArrivalForecast.NextWeek(history);
        var backtest = ArrivalForecast.Backtest(history, Math.Min(ArrivalForecast.DefaultWeeks, Options.HistoryWeeks - 2));
        return new ArrivalForecastView(channel, from, forecast, new ForecastBacktestView(backtest.WeeksTested, backtest.Wape, backtest.NaiveWape, backtest.RatioToNaive, backtest.Bias));
    }

    /// <summary>Next week's staffing for one channel, hour by hour, from the forecast and Erlang C.</summary>
    public async Task<IReadOnlyList<StaffingHour>> StaffingAsync(string channel, StaffingTarget target, TimeSpan? handleTime, TimeZoneInfo zone, CancellationToken ct)
    {
        var forecast = await ForecastAsync(channel, ct);
        var handle = handleTime ?? TimeSpan.FromSeconds(Options.HandleSeconds.GetValueOrDefault(channel, 480));
        var concurrency = channel == TicketChannels.Chat ? Math.Max(target.Concurrency, 1) : 1;
        var plan = new List<StaffingHour>(forecast.Hours.Count);
        for (var i = 0; i < forecast.Hours.Count; i++)
        {
            var at = forecast.From + (i * Hour);
            var need = StaffingPlanner.Plan(new StaffingInterval(forecast.Hours[i], Hour, handle), target with { Concurrency = concurrency });
            var local = TimeZoneInfo.ConvertTime(at, zone);
            plan.Add(new StaffingHour(at, local.ToString("ddd HH:00", System.Globalization.CultureInfo.InvariantCulture), Math.Round(forecast.Hours[i], 2), need.Agents, need.ScheduledAgents,
                Math.Round(need.ServiceLevel, 3), Math.Round(need.Occupancy, 3), Math.Round(need.ProbabilityOfWaiting, 3)));
        }

        return plan;
    }

    /// <summary>Every category and channel in one hour against the same hour of the past weeks.</summary>
    public async Task<IReadOnlyList<SpikeFinding>> SpikesAsync(DateTimeOffset hourStart, CancellationToken ct)
    {
        var hour = ArrivalRollup.HourOf(hourStart);
        var weeks = Options.HistoryWeeks;
        var hours = Enumerable.Range(0, weeks + 1).Select(w => hour - (w * Week)).ToList();
        var rows = new List<(DateTimeOffset HourStart, string Channel, string Category, int Count)>();
        foreach (var at in hours)
        {
            // One equality lookup per week on the unique index: cheaper than a range over the weeks between.
            rows.AddRange((await db.Set<HourlyArrivals>().AsNoTracking().Where(a => a.HourStart == at)
                .Select(a => new { a.Channel, a.Category, a.Count }).ToListAsync(ct)).Select(a => (at, a.Channel, a.Category, a.Count)));
        }

        var findings = new List<SpikeFinding>();
        foreach (var (dimension, keyOf) in new (string, Func<string, string, string>)[] { ("category", (_, cat) => cat), ("channel", (ch, _) => ch) })
        {
            var byKey = rows.GroupBy(r => keyOf(r.Channel, r.Category));
            foreach (var series in byKey)
            {
                var observed = series.Where(r => r.HourStart == hour).Sum(r => r.Count);
                if (observed == 0)
                {
                    continue;
                }

                var past = Enumerable.Range(1, weeks).Select(w => series.Where(r => r.HourStart == hour - (w * Week)).Sum(r => r.Count)).ToList();
                var verdict = SpikeDetector.Evaluate(observed, past, Options.Spikes);
                findings.Add(new SpikeFinding(dimension, series.Key, hour,
                    new SpikeVerdictView(verdict.IsSpike, verdict.Observed, verdict.Expected, verdict.Dispersion, verdict.TailProbability, verdict.Reason)));
            }
        }

        return findings.OrderByDescending(f => f.Verdict.IsSpike).ThenBy(f => f.Verdict.TailProbability).ToList();
    }

    /// <summary>
    /// Recurring issues: each category (or channel) ranked by its volume over the last <paramref name="days"/> days,
    /// with the same window in each of the previous weeks as its own baseline (median) and the spike test applied to
    /// the window's total, so a category that doubled stands out even when it is not the biggest.
    /// </summary>
    public async Task<IReadOnlyList<RecurringIssue>> RecurringAsync(string dimension, int days, CancellationToken ct)
    {
        var end = ArrivalRollup.HourOf(time.GetUtcNow()).AddHours(1);
        var window = TimeSpan.FromDays(days);
        var totals = new List<Dictionary<string, int>>();
        for (var week = 0; week <= RecurringBaselineWeeks; week++)
        {
            var to = end - (week * Week);
            var from = to - window;
            var rows = db.Set<HourlyArrivals>().AsNoTracking().Where(a => a.HourStart >= from && a.HourStart < to);
            var grouped = dimension == "channel"
                ? rows.GroupBy(a => a.Channel).Select(g => new { g.Key, Count = g.Sum(a => a.Count) })
                : rows.GroupBy(a => a.Category).Select(g => new { g.Key, Count = g.Sum(a => a.Count) });
            totals.Add(await grouped.ToDictionaryAsync(g => g.Key, g => g.Count, ct));
        }

        // Weekly totals are large counts: the same test as an hour's spike, on the window's sum.
        var settings = Options.Spikes with { MinimumHistory = 2 };
        return totals[0].Keys.Union(totals.Skip(1).SelectMany(t => t.Keys)).Distinct()
            .Select(key =>
            {
                var current = totals[0].GetValueOrDefault(key);
                var past = totals.Skip(1).Select(t => t.GetValueOrDefault(key)).ToList();
                var verdict = SpikeDetector.Evaluate(current, past, settings);
                var baseline = SpikeDetector.Median(past.Select(v => (double)v));
                return new RecurringIssue(dimension, key, current, baseline, baseline == 0 ? null : Math.Round((current - baseline) / baseline, 3), verdict.IsSpike);
            })
            .OrderByDescending(r => r.Count).ThenBy(r => r.Key, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The tickets behind a spike or a heatmap cell.</summary>
    public Task<IReadOnlyList<long>> TicketsBehindAsync(string dimension, string key, DateTimeOffset hourStart, int limit, CancellationToken ct) =>
        arrivals.ListIdsAsync(hourStart, hourStart + Hour, dimension == "channel" ? key : null, dimension == "category" ? key : null, limit, ct);

    public async Task<IReadOnlyList<InsightAlert>> RecentAlertsAsync(int limit, CancellationToken ct) =>
        await db.Set<InsightAlert>().AsNoTracking().OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id).Take(limit).ToListAsync(ct);

    public TimeZoneInfo ZoneOrDefault(string? id) =>
        id is { Length: > 0 } && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone
        : TimeZoneInfo.FindSystemTimeZoneById(Options.DefaultTimeZone);
}
