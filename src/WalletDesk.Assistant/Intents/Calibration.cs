namespace WalletDesk.Assistant.Intents;

/// <summary>
/// Temperature scaling (Guo et al. 2017): probabilities are softmax(score / T) with one scalar T fitted
/// by minimising the negative log-likelihood of held-out scores. It cannot change the ranking, only
/// how confident the model claims to be, which is exactly what the out-of-scope threshold needs.
/// </summary>
internal static class Calibration
{
    public static void Softmax(ReadOnlySpan<double> scores, double temperature, Span<double> probabilities)
    {
        var max = double.NegativeInfinity;
        foreach (var s in scores)
        {
            max = Math.Max(max, s);
        }

        double sum = 0;
        for (var k = 0; k < scores.Length; k++)
        {
            probabilities[k] = Math.Exp((scores[k] - max) / temperature);
            sum += probabilities[k];
        }

        for (var k = 0; k < scores.Length; k++)
        {
            probabilities[k] /= sum;
        }
    }

    /// <summary>Fits T by golden-section search on log T (NLL is unimodal in T for fixed scores).</summary>
    public static double FitTemperature(IReadOnlyList<double[]> scores, IReadOnlyList<int> labels)
    {
        if (scores.Count == 0)
        {
            return 1.0;
        }

        double lo = Math.Log(1e-3), hi = Math.Log(10.0);
        var phi = (Math.Sqrt(5) - 1) / 2;
        var a = hi - phi * (hi - lo);
        var b = lo + phi * (hi - lo);
        var fa = NegativeLogLikelihood(scores, labels, Math.Exp(a));
        var fb = NegativeLogLikelihood(scores, labels, Math.Exp(b));
        for (var i = 0; i < 60; i++)
        {
            if (fa < fb)
            {
                hi = b;
                b = a;
                fb = fa;
                a = hi - phi * (hi - lo);
                fa = NegativeLogLikelihood(scores, labels, Math.Exp(a));
            }
            else
            {
                lo = a;
                a = b;
                fa = fb;
                b = lo + phi * (hi - lo);
                fb = NegativeLogLikelihood(scores, labels, Math.Exp(b));
            }
        }

        return Math.Exp((lo + hi) / 2);
    }

    public static double NegativeLogLikelihood(IReadOnlyList<double[]> scores, IReadOnlyList<int> labels, double temperature)
    {
        double total = 0;
        for (var i = 0; i < scores.Count; i++)
        {
            var s = scores[i];
            var max = s.Max();
            double sum = 0;
            foreach (var v in s)
            {
                sum += Math.Exp((v - max) / temperature);
            }

            total += Math.Log(sum) - (s[labels[i]] - max) / temperature;
        }

        return total / scores.Count;
    }

    /// <summary>The q-quantile (0–1) of <paramref name="values"/> by linear interpolation.</summary>
    public static double Quantile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        var pos = Math.Clamp(q, 0, 1) * (sorted.Length - 1);
        var lower = (int)Math.Floor(pos);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (pos - lower) * (sorted[upper] - sorted[lower]);
    }
}
