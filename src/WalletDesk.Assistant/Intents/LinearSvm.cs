namespace WalletDesk.Assistant.Intents;

/// <summary>
/// One-vs-rest L2-regularised squared-hinge linear SVM trained by dual coordinate descent with
/// shrinking (Hsieh et al. 2008, the default solver of LIBLINEAR). It is exact, has no learning rate
/// to tune, and on sparse text converges in a few passes.
/// </summary>
internal static class LinearSvm
{
    private const double Epsilon = 0.1;
    private const int MaxIterations = 1000;

    /// <summary>Value of the constant feature that carries the bias (LIBLINEAR's <c>-B 1</c>).</summary>
    private const double BiasFeature = 1.0;

    /// <summary>Trains K binary classifiers. Weights are feature-major (<c>weights[f * K + k]</c>) so
    /// scoring a sparse input touches contiguous memory.</summary>
    public static (float[] Weights, float[] Bias) Train(
        SparseMatrix x, int[] y, int classes, double c, int seed, int maxDegreeOfParallelism)
    {
        var features = x.Columns;
        var weights = new float[(long)features * classes];
        var bias = new float[classes];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxDegreeOfParallelism) };
        Parallel.For(0, classes, parallel, k =>
        {
            var w = TrainBinary(x, y, k, c, seed + k);
            for (var f = 0; f < features; f++)
            {
                weights[(long)f * classes + k] = (float)w[f];
            }

            bias[k] = (float)(w[features] * BiasFeature);
        });
        return (weights, bias);
    }

    public static void Score(SparseVector v, float[] weights, float[] bias, Span<double> scores)
    {
        var classes = bias.Length;
        for (var k = 0; k < classes; k++)
        {
            scores[k] = bias[k];
        }

        for (var i = 0; i < v.Count; i++)
        {
            var value = v.Values[i];
            var row = weights.AsSpan(v.Indices[i] * classes, classes);
            for (var k = 0; k < classes; k++)
            {
                scores[k] += value * row[k];
            }
        }
    }

    private static double[] TrainBinary(SparseMatrix x, int[] labels, int positive, double c, int seed)
    {
        var l = x.Rows;
        var n = x.Columns;
        var w = new double[n + 1];
        var alpha = new double[l];
        var qd = new double[l];
        var y = new sbyte[l];
        var index = new int[l];
        var diag = 0.5 / c;
        for (var i = 0; i < l; i++)
        {
            y[i] = labels[i] == positive ? (sbyte)1 : (sbyte)-1;
            double sq = BiasFeature * BiasFeature;
            for (var p = x.RowStart[i]; p < x.RowStart[i + 1]; p++)
            {
                sq += x.Values[p] * x.Values[p];
            }

            qd[i] = diag + sq;
            index[i] = i;
        }

        var random = new Random(seed);
        var activeSize = l;
        var pgMaxOld = double.PositiveInfinity;
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            var pgMaxNew = double.NegativeInfinity;
            var pgMinNew = double.PositiveInfinity;
            for (var i = 0; i < activeSize; i++)
            {
                var j = i + random.Next(activeSize - i);
                (index[i], index[j]) = (index[j], index[i]);
            }

            for (var s = 0; s < activeSize; s++)
            {
                var i = index[s];
                var yi = y[i];
                var start = x.RowStart[i];
                var end = x.RowStart[i + 1];
                var dot = w[n] * BiasFeature;
                for (var p = start; p < end; p++)
                {
                    dot += w[x.Indices[p]] * x.Values[p];
                }

                var g = yi * dot - 1 + alpha[i] * diag;
                double pg = 0;
                if (alpha[i] == 0)
                {
                    if (g > pgMaxOld)
                    {
                        // Shrinking: a bound variable whose gradient points outward will stay at zero.
                        activeSize--;
                        (index[s], index[activeSize]) = (index[activeSize], index[s]);
                        s--;
                        continue;
                    }

                    if (g < 0)
                    {
                        pg = g;
                    }
                }
                else
                {
                    pg = g;
                }

                pgMaxNew = Math.Max(pgMaxNew, pg);
                pgMinNew = Math.Min(pgMinNew, pg);
                if (Math.Abs(pg) > 1e-12)
                {
                    var old = alpha[i];
                    alpha[i] = Math.Max(old - g / qd[i], 0);
                    var d = (alpha[i] - old) * yi;
                    for (var p = start; p < end; p++)
                    {
                        w[x.Indices[p]] += d * x.Values[p];
                    }

                    w[n] += d * BiasFeature;
                }
            }

            if (pgMaxNew - pgMinNew <= Epsilon)
            {
                if (activeSize == l)
                {
                    break;
                }

                activeSize = l;
                pgMaxOld = double.PositiveInfinity;
                continue;
            }

            pgMaxOld = pgMaxNew <= 0 ? double.PositiveInfinity : pgMaxNew;
        }

        return w;
    }
}
