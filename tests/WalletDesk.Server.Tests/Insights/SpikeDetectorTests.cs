using WalletDesk.Server.Features.Insights;
using Xunit.Abstractions;

namespace WalletDesk.Server.Tests.Insights;

public sealed class SpikeDetectorTests(ITestOutputHelper output)
{
    private const int HistoryWeeks = 8;
    private static readonly SpikeSettings Defaults = new();

    [Fact]
    public void Evaluate_DoubledHourOnABusySeries_Alerts()
    {
        var verdict = SpikeDetector.Evaluate(62, [30, 28, 33, 31, 29, 27, 32, 30], Defaults);
        verdict.IsSpike.ShouldBeTrue();
        verdict.Expected.ShouldBe(30);
        verdict.Reason.ShouldBe("spike");
    }

    [Fact]
    public void Evaluate_LowCounts_NeverCryWolf()
    {
        // Five tickets where there is usually none is a tiny tail probability, but too few to matter.
        var verdict = SpikeDetector.Evaluate(5, [0, 0, 0, 0, 0, 0, 0, 0], Defaults);
        verdict.IsSpike.ShouldBeFalse();
        verdict.Reason.ShouldBe("too-few");
    }

    [Fact]
    public void Evaluate_OneHolidayWeekInTheHistory_DoesNotMakeANormalHourASpike()
    {
        var verdict = SpikeDetector.Evaluate(34, [30, 2, 33, 31, 29, 27, 32, 30], Defaults);
        verdict.IsSpike.ShouldBeFalse();
        verdict.Expected.ShouldBe(30);
    }

    [Fact]
    public void Evaluate_AnEarlierSpikeInTheHistory_DoesNotHideTheNextOne()
    {
        var verdict = SpikeDetector.Evaluate(70, [30, 95, 33, 31, 29, 27, 32, 30], Defaults);
        verdict.IsSpike.ShouldBeTrue();
    }

    [Fact]
    public void Evaluate_NoisyHistory_NeedsMoreToAlert()
    {
        var steady = SpikeDetector.Evaluate(56, [30, 30, 31, 29, 30, 31, 29, 30], Defaults);
        var noisy = SpikeDetector.Evaluate(56, [30, 12, 48, 22, 40, 18, 44, 30], Defaults);
        steady.IsSpike.ShouldBeTrue();
        noisy.IsSpike.ShouldBeFalse();
        noisy.Dispersion.ShouldBeGreaterThan(1);
    }

    [Fact]
    public void Evaluate_TooLittleHistory_WithholdsJudgement()
    {
        var verdict = SpikeDetector.Evaluate(500, [10, 10], Defaults);
        verdict.IsSpike.ShouldBeFalse();
        verdict.Reason.ShouldBe("not-enough-history");
    }

    /// <summary>
    /// 40 series (peaks from 2 to 80 an hour) over a test week after eight weeks of history, with one holiday week in
    /// every fourth series' history: false alarms on undisturbed hours, detection on hours multiplied by 2 and by 3.
    /// The figures are printed and recorded in docs/insights.md.
    /// </summary>
    [Fact]
    public void SyntheticTraffic_FalseAlarmsStayRare_AndSpikesAreCaught()
    {
        var traffic = new SyntheticTraffic(seed: 20261207);
        int quietHours = 0, falseAlarms = 0;
        var injected = new Dictionary<double, (int Hours, int Caught)> { [2] = (0, 0), [3] = (0, 0) };
        int busyDoubled = 0, busyDoubledCaught = 0;
        for (var series = 0; series < 40; series++)
        {
            var peak = 2 + (series * 2);
            var history = traffic.Weeks(peak, HistoryWeeks + 1);
            if (series % 4 == 0)
            {
                var holiday = (series / 4) % HistoryWeeks;
                for (var h = 0; h < ArrivalForecast.HoursPerWeek; h++)
                {
                    history[(holiday * ArrivalForecast.HoursPerWeek) + h] = Math.Round(history[(holiday * ArrivalForecast.HoursPerWeek) + h] * 0.2);
                }
            }

            for (var hour = 0; hour < ArrivalForecast.HoursPerWeek; hour++)
            {
                var past = Enumerable.Range(0, HistoryWeeks).Select(w => (int)history[(w * ArrivalForecast.HoursPerWeek) + hour]).ToList();
                var mean = SyntheticTraffic.Mean(peak, hour);
                if (SpikeDetector.Evaluate(traffic.Sample(mean), past, Defaults).IsSpike)
                {
                    falseAlarms++;
                }

                quietHours++;
                foreach (var factor in injected.Keys.ToList())
                {
                    if (mean < 5)
                    {
                        continue; // a spike on an hour that normally has a handful is not what the detector is for
                    }

                    var caught = SpikeDetector.Evaluate(traffic.Sample(mean * factor), past, Defaults).IsSpike;
                    injected[factor] = (injected[factor].Hours + 1, injected[factor].Caught + (caught ? 1 : 0));
                    if (factor == 2 && mean >= 20)
                    {
                        busyDoubled++;
                        busyDoubledCaught += caught ? 1 : 0;
                    }
                }
            }
        }

        var falseAlarmRate = (double)falseAlarms / quietHours;
        var doubled = (double)injected[2].Caught / injected[2].Hours;
        var tripled = (double)injected[3].Caught / injected[3].Hours;
        var busy = (double)busyDoubledCaught / busyDoubled;
        output.WriteLine($"false alarms: {falseAlarms} in {quietHours} series-hours ({falseAlarmRate:P3})");
        output.WriteLine($"detected ×2: {injected[2].Caught}/{injected[2].Hours} ({doubled:P1}); ×2 where normal ≥ 20/h: {busyDoubledCaught}/{busyDoubled} ({busy:P1}); ×3: {injected[3].Caught}/{injected[3].Hours} ({tripled:P1})");

        // Floors a little under the figures measured with this seed (docs/insights.md), so a change that makes the
        // detector noisier or blunter fails here.
        falseAlarmRate.ShouldBeLessThan(0.001);
        tripled.ShouldBeGreaterThan(0.85);
        busy.ShouldBeGreaterThan(0.8);
    }
}
