using WalletDesk.Assistant.Intents;

namespace WalletDesk.Assistant.Tests;

public class CalibrationTests
{
    [Fact]
    public void FitTemperature_ScoresDrawnAtKnownTemperature_RecoversIt()
    {
        // Labels sampled from softmax(score / 0.25) must yield a fitted temperature close to 0.25.
        var random = new Random(7);
        var scores = new List<double[]>();
        var labels = new List<int>();
        var p = new double[4];
        for (var i = 0; i < 4000; i++)
        {
            var s = Enumerable.Range(0, 4).Select(_ => random.NextDouble()).ToArray();
            Calibration.Softmax(s, 0.25, p);
            var u = random.NextDouble();
            var label = 0;
            for (double acc = p[0]; acc < u && label < 3; acc += p[++label])
            {
            }

            scores.Add(s);
            labels.Add(label);
        }

        Calibration.FitTemperature(scores, labels).ShouldBe(0.25, 0.03);
    }

    [Fact]
    public void Softmax_AnyTemperature_SumsToOneAndKeepsOrder()
    {
        var p = new double[3];
        Calibration.Softmax([2.0, -1.0, 0.5], 0.1, p);

        p.Sum().ShouldBe(1.0, 1e-9);
        p[0].ShouldBeGreaterThan(p[2]);
        p[2].ShouldBeGreaterThan(p[1]);
    }

    [Fact]
    public void Quantile_InterpolatesBetweenOrderStatistics()
    {
        Calibration.Quantile([4, 1, 3, 2], 0.5).ShouldBe(2.5);
        Calibration.Quantile([4, 1, 3, 2], 0).ShouldBe(1);
        Calibration.Quantile([4, 1, 3, 2], 1).ShouldBe(4);
    }
}
