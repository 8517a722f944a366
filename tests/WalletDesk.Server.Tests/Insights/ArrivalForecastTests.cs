using WalletDesk.Server.Features.Insights;
using Xunit.Abstractions;

namespace WalletDesk.Server.Tests.Insights;

public sealed class ArrivalForecastTests(ITestOutputHelper output)
{
    [Fact]
    public void NextWeek_ConstantWeeks_RepeatsThem()
    {
        var week = Enumerable.Range(0, ArrivalForecast.HoursPerWeek).Select(h => (double)(h % 24)).ToArray();
        var history = Enumerable.Repeat(week, 5).SelectMany(w => w).ToList();
        ArrivalForecast.NextWeek(history).ShouldBe(week, tolerance: 1e-9);
    }

    [Fact]
    public void NextWeek_OneOutageWeek_IsLeftOut()
    {
        var normal = Enumerable.Repeat(10.0, ArrivalForecast.HoursPerWeek).ToArray();
        var outage = Enumerable.Repeat(80.0, ArrivalForecast.HoursPerWeek).ToArray();
        var history = new[] { normal, normal, outage, normal }.SelectMany(w => w).ToList();
        ArrivalForecast.NextWeek(history).ShouldAllBe(v => Math.Abs(v - 10) < 1e-9);
    }

    [Fact]
    public void NextWeek_NoHistory_ForecastsZero() =>
        ArrivalForecast.NextWeek([]).ShouldAllBe(v => v == 0);

    [Fact]
    public void Backtest_SyntheticTraffic_BeatsSameAsLastWeek()
    {
        var traffic = new SyntheticTraffic(seed: 7);
        // At a few contacts an hour Poisson noise dominates both forecasts; the margin grows with volume.
        foreach (var (peak, growth, bound) in new[] { (4.0, 0.0, 0.95), (20.0, 0.0, 0.85), (20.0, 0.05, 0.85), (60.0, -0.03, 0.85) })
        {
            var backtest = ArrivalForecast.Backtest(traffic.Weeks(peak, 12, growth));
            output.WriteLine($"peak {peak}/h, growth {growth:P0}/week: WAPE {backtest.Wape:P1} vs naive {backtest.NaiveWape:P1} (ratio {backtest.RatioToNaive:F2}), bias {backtest.Bias:P1}, {backtest.WeeksTested} weeks");
            backtest.WeeksTested.ShouldBe(6);
            backtest.RatioToNaive.ShouldBeLessThan(bound);
            Math.Abs(backtest.Bias).ShouldBeLessThan(0.06);
        }
    }
}
