namespace WalletDesk.Server.Features.Insights;

/// <summary>How well a forecast did on history it had not seen, against the seasonal-naive forecast ("same as last week").</summary>
/// <param name="WeeksTested">Weeks forecast and compared.</param>
/// <param name="Wape">Weighted absolute percentage error of the method: Σ|forecast − actual| ÷ Σ actual.</param>
/// <param name="NaiveWape">The same for the seasonal-naive forecast.</param>
/// <param name="Bias">Σ(forecast − actual) ÷ Σ actual: positive means over-forecast.</param>
internal sealed record ForecastBacktest(int WeeksTested, double Wape, double NaiveWape, double Bias)
{
    /// <summary>Method error ÷ naive error: below 1 the method beats "same as last week".</summary>
    public double RatioToNaive => NaiveWape == 0 ? double.NaN : Wape / NaiveWape;
}

/// <summary>
/// Next week's arrivals per hour of the week: for each of the 168 hours, a recency-weighted mean of the same hour
/// in the last few weeks (weights k, k−1, …, 1), with the week furthest from the median left out when there are
/// four or more (a holiday or an outage week does not drag the forecast), scaled by the recent level (last week's
/// total against the weighted weeks' totals, clipped to ±25 %) so growth and decline carry forward.
/// </summary>
internal static class ArrivalForecast
{
    public const int HoursPerWeek = 168;
    public const int DefaultWeeks = 6;
    private const double LevelClip = 0.25;

    /// <param name="history">Hourly counts, oldest first, whole weeks ending where the forecast starts.</param>
    /// <param name="weeks">How many past weeks to draw on.</param>
    public static double[] NextWeek(IReadOnlyList<double> history, int weeks = DefaultWeeks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weeks, 1);
        var available = history.Count / HoursPerWeek;
        var forecast = new double[HoursPerWeek];
        if (available == 0)
        {
            return forecast;
        }

        var used = Math.Min(weeks, available);
        var offset = history.Count - (available * HoursPerWeek);
        var firstWeek = available - used;
        double WeekValue(int week, int hour) => history[offset + (week * HoursPerWeek) + hour];

        var weighted = new double[HoursPerWeek];
        for (var hour = 0; hour < HoursPerWeek; hour++)
        {
            var values = Enumerable.Range(firstWeek, used).Select(w => (Value: WeekValue(w, hour), Weight: (double)(w - firstWeek + 1))).ToList();
            if (values.Count >= 4)
            {
                var median = SpikeDetector.Median(values.Select(v => v.Value));
                values.RemoveAt(values.IndexOf(values.MaxBy(v => Math.Abs(v.Value - median))));
            }

            weighted[hour] = values.Sum(v => v.Value * v.Weight) / values.Sum(v => v.Weight);
        }

        var lastWeekTotal = Enumerable.Range(0, HoursPerWeek).Sum(h => WeekValue(available - 1, h));
        var weightedTotal = weighted.Sum();
        var level = weightedTotal <= 0 ? 1 : Math.Clamp(lastWeekTotal / weightedTotal, 1 - LevelClip, 1 + LevelClip);
        for (var hour = 0; hour < HoursPerWeek; hour++)
        {
            forecast[hour] = weighted[hour] * level;
        }

        return forecast;
    }

    /// <summary>Rolling-origin backtest: every week after the first <paramref name="weeks"/> is forecast from the weeks before it.</summary>
    public static ForecastBacktest Backtest(IReadOnlyList<double> history, int weeks = DefaultWeeks)
    {
        var available = history.Count / HoursPerWeek;
        var offset = history.Count - (available * HoursPerWeek);
        double error = 0, naiveError = 0, signed = 0, actualTotal = 0;
        var tested = 0;
        for (var target = Math.Min(weeks, available); target < available; target++)
        {
            var start = offset + (target * HoursPerWeek);
            var past = history.Take(start).Skip(offset).ToList();
            var forecast = NextWeek(past, weeks);
            for (var hour = 0; hour < HoursPerWeek; hour++)
            {
                var actual = history[start + hour];
                var naive = history[start + hour - HoursPerWeek];
                error += Math.Abs(forecast[hour] - actual);
                signed += forecast[hour] - actual;
                naiveError += Math.Abs(naive - actual);
                actualTotal += actual;
            }

            tested++;
        }

        return actualTotal == 0
            ? new ForecastBacktest(tested, 0, 0, 0)
            : new ForecastBacktest(tested, error / actualTotal, naiveError / actualTotal, signed / actualTotal);
    }
}
