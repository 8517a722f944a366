using MathNet.Numerics;

namespace WalletDesk.Server.Features.Insights;

/// <summary>When an hour counts as a spike; defaults measured in docs/insights.md (false alarms and detection).</summary>
/// <param name="Alpha">Largest tail probability that still raises an alert (the chance of a count this high if nothing changed).</param>
/// <param name="MinimumCount">An hour with fewer contacts never alerts, however quiet its history.</param>
/// <param name="MinimumRatio">The hour must be at least this multiple of what is normal for it.</param>
/// <param name="MinimumHistory">Weeks of history needed before the detector judges an hour.</param>
internal sealed record SpikeSettings(double Alpha = 1e-4, int MinimumCount = 6, double MinimumRatio = 1.5, int MinimumHistory = 3);

/// <summary>The detector's verdict on one hour of one series, with the figures behind it.</summary>
/// <param name="IsSpike">Whether to alert.</param>
/// <param name="Observed">Contacts in the hour.</param>
/// <param name="Expected">What is normal for that hour of the week (median of the same hour in past weeks); the test itself never assumes less than half a ticket.</param>
/// <param name="Dispersion">Week-to-week variation beyond Poisson noise (1 = none).</param>
/// <param name="TailProbability">Chance of at least <paramref name="Observed"/> if nothing changed.</param>
/// <param name="Reason">Why it did or did not alert, as a code: <c>spike</c>, <c>not-enough-history</c>, <c>too-few</c>, <c>ratio</c>, <c>normal</c>.</param>
internal sealed record SpikeVerdict(bool IsSpike, int Observed, double Expected, double Dispersion, double TailProbability, string Reason);

/// <summary>
/// Compares an hour with the same hour of the week in past weeks. The baseline is the median (one holiday or one
/// earlier spike in the history moves it little); noise is Poisson, widened when the history varies more than
/// Poisson (a quasi-Poisson dispersion from the median absolute deviation); an alert needs a small tail
/// probability, a minimum count and a minimum ratio, so low counts never cry wolf.
/// </summary>
internal static class SpikeDetector
{
    private const double MadToSigma = 1.4826;
    private const double ExpectedFloor = 0.5;

    public static SpikeVerdict Evaluate(int observed, IReadOnlyList<int> sameHourInPastWeeks, SpikeSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(observed);
        if (sameHourInPastWeeks.Count < settings.MinimumHistory)
        {
            return new SpikeVerdict(false, observed, double.NaN, 1, 1, "not-enough-history");
        }

        var median = Median(sameHourInPastWeeks.Select(v => (double)v));
        var expected = Math.Max(median, ExpectedFloor);
        var sigma = MadToSigma * Median(sameHourInPastWeeks.Select(v => Math.Abs(v - median)));
        // Eight weeks estimate a variance loosely: up to twice the Poisson variance is taken for sampling noise,
        // and only the excess beyond that widens the test (a genuinely erratic series).
        var dispersion = 1 + Math.Max(0, (sigma * sigma / expected) - 2);

        // P(X >= k) for a Poisson variable is the lower regularised gamma P(k, λ); quasi-Poisson scales both by φ.
        var tail = observed == 0 ? 1 : SpecialFunctions.GammaLowerRegularized(observed / dispersion, expected / dispersion);
        var reason = observed < settings.MinimumCount ? "too-few"
            : observed < expected * settings.MinimumRatio ? "ratio"
            : tail > settings.Alpha ? "normal"
            : "spike";
        return new SpikeVerdict(reason == "spike", observed, median, dispersion, tail, reason);
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
