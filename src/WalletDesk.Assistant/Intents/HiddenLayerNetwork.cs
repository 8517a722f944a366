using System.Numerics;

namespace WalletDesk.Assistant.Intents;

/// <summary>
/// A one-hidden-layer neural network (ReLU, softmax output) over the same sparse TF-IDF vectors as the
/// SVM, trained from scratch on the training rows by plain SGD with dropout. It sees feature
/// conjunctions the linear SVM cannot, and its errors differ enough from the SVM's that averaging the
/// two models' probabilities beats either alone (the blend weight is chosen by inner cross-validation).
/// </summary>
/// <remarks>
/// Training is per-example SGD with a linearly decaying learning rate (as fastText does) and only the
/// input rows of the features present in an example are touched, so an epoch over 10k short messages
/// costs about a second. Dropout (on the hidden layer) is the only regulariser. Deterministic for a seed.
/// </remarks>
internal sealed class HiddenLayerNetwork
{
    public HiddenLayerNetwork(int inputs, int hidden, int classes, float inputScale, float[] w1, float[] b1, float[] w2, float[] b2)
    {
        if (w1.LongLength != (long)inputs * hidden || b1.Length != hidden || w2.Length != classes * hidden || b2.Length != classes)
        {
            throw new ArgumentException("Network weight shapes do not match its dimensions.");
        }

        Inputs = inputs;
        Hidden = hidden;
        Classes = classes;
        InputScale = inputScale;
        W1 = w1;
        B1 = b1;
        W2 = w2;
        B2 = b2;
    }

    public int Inputs { get; }

    public int Hidden { get; }

    public int Classes { get; }

    /// <summary>Unit-length TF-IDF vectors have tiny components; this factor brings them to a useful range.</summary>
    public float InputScale { get; }

    /// <summary>Input weights, feature-major: row <c>f</c> is <c>W1[f * Hidden .. (f + 1) * Hidden]</c>.</summary>
    public float[] W1 { get; }

    public float[] B1 { get; }

    /// <summary>Output weights, class-major: row <c>k</c> is <c>W2[k * Hidden .. (k + 1) * Hidden]</c>.</summary>
    public float[] W2 { get; }

    public float[] B2 { get; }

    public static HiddenLayerNetwork Train(IReadOnlyList<SparseVector> x, int[] y, int inputs, int classes, NetworkSettings settings, int seed)
    {
        var hidden = settings.HiddenUnits;
        var random = new Random(seed);
        var w1 = new float[(long)inputs * hidden];
        var b1 = new float[hidden];
        var w2 = new float[classes * hidden];
        var b2 = new float[classes];
        var s1 = (float)Math.Sqrt(6.0 / (hidden + 50));
        for (long i = 0; i < w1.LongLength; i++)
        {
            w1[i] = (float)((random.NextDouble() * 2 - 1) * s1);
        }

        var s2 = (float)Math.Sqrt(6.0 / (hidden + classes));
        for (var i = 0; i < w2.Length; i++)
        {
            w2[i] = (float)((random.NextDouble() * 2 - 1) * s2);
        }

        var network = new HiddenLayerNetwork(inputs, hidden, classes, settings.InputScale, w1, b1, w2, b2);
        network.Fit(x, y, settings, random);

        // The weight matrices are stored as half-precision floats (halving the model file); rounding them
        // here makes the trained model predict exactly like the saved and loaded one.
        RoundToHalf(w1);
        RoundToHalf(w2);
        return network;
    }

    /// <summary>Class probabilities for one input.</summary>
    public void Predict(SparseVector v, Span<double> probabilities)
    {
        Span<float> h = Hidden <= 512 ? stackalloc float[Hidden] : new float[Hidden];
        Forward(v, h);
        for (var u = 0; u < Hidden; u++)
        {
            h[u] = Math.Max(0, h[u]);
        }

        for (var k = 0; k < Classes; k++)
        {
            probabilities[k] = B2[k] + Dot(W2.AsSpan(k * Hidden, Hidden), h);
        }

        Calibration.Softmax(probabilities, 1.0, probabilities);
    }

    private void Forward(SparseVector v, Span<float> h)
    {
        B1.CopyTo(h);
        for (var q = 0; q < v.Count; q++)
        {
            Axpy(v.Values[q] * InputScale, W1.AsSpan((int)((long)v.Indices[q] * Hidden), Hidden), h);
        }
    }

    private void Fit(IReadOnlyList<SparseVector> x, int[] y, NetworkSettings settings, Random random)
    {
        var order = Enumerable.Range(0, x.Count).ToArray();
        var h = new float[Hidden];
        var gradHidden = new float[Hidden];
        var logits = new float[Classes];
        var drop = settings.Dropout;
        var inverseKeep = (float)(1 / (1 - drop));
        long steps = (long)settings.Epochs * x.Count, t = 0;
        for (var epoch = 0; epoch < settings.Epochs; epoch++)
        {
            random.Shuffle(order);
            foreach (var i in order)
            {
                var rate = (float)(settings.LearningRate * (1 - (double)t++ / steps));
                var v = x[i];
                Forward(v, h);
                for (var u = 0; u < Hidden; u++)
                {
                    // ReLU, then inverted dropout: kept units are scaled up so prediction needs no rescaling.
                    h[u] = h[u] > 0 && random.NextDouble() >= drop ? h[u] * inverseKeep : 0;
                }

                var max = float.NegativeInfinity;
                for (var k = 0; k < Classes; k++)
                {
                    logits[k] = B2[k] + Dot(W2.AsSpan(k * Hidden, Hidden), h);
                    max = Math.Max(max, logits[k]);
                }

                float sum = 0;
                for (var k = 0; k < Classes; k++)
                {
                    logits[k] = MathF.Exp(logits[k] - max);
                    sum += logits[k];
                }

                Array.Clear(gradHidden);
                for (var k = 0; k < Classes; k++)
                {
                    var g = logits[k] / sum - (k == y[i] ? 1 : 0);
                    var row = W2.AsSpan(k * Hidden, Hidden);
                    Axpy(g, row, gradHidden);
                    Axpy(-rate * g, h, row);
                    B2[k] -= rate * g;
                }

                for (var u = 0; u < Hidden; u++)
                {
                    // Dropped (or inactive) units pass no gradient; kept ones carry the dropout scale.
                    gradHidden[u] = h[u] > 0 ? gradHidden[u] * inverseKeep : 0;
                    B1[u] -= rate * gradHidden[u];
                }

                for (var q = 0; q < v.Count; q++)
                {
                    Axpy(-rate * v.Values[q] * InputScale, gradHidden, W1.AsSpan((int)((long)v.Indices[q] * Hidden), Hidden));
                }
            }
        }
    }

    private static void RoundToHalf(float[] values)
    {
        for (long i = 0; i < values.LongLength; i++)
        {
            values[i] = (float)(Half)values[i];
        }
    }

    /// <summary><c>y += a * x</c>.</summary>
    private static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<float>(a);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                (new Vector<float>(y[i..]) + va * new Vector<float>(x[i..])).CopyTo(y[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var i = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var acc = Vector<float>.Zero;
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                acc += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
            }

            sum = Vector.Sum(acc);
        }

        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}

/// <summary>Training settings of <see cref="HiddenLayerNetwork"/>.</summary>
internal sealed record NetworkSettings(int HiddenUnits, int Epochs, double LearningRate, double Dropout, float InputScale);
