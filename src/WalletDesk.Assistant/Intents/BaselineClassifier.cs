namespace WalletDesk.Assistant.Intents;

/// <summary>
/// A deliberately plain reference model for benchmarks: word-unigram TF-IDF (no stemming, no
/// character n-grams) and the nearest class centroid by cosine. It never declines. Benchmarks report
/// the main model relative to it, measured in the same run on the same machine.
/// </summary>
public sealed class BaselineClassifier : IIntentClassifier
{
    private readonly TfidfVectorizer _vectorizer;
    private readonly float[] _centroids;
    private readonly string[] _labels;

    private BaselineClassifier(TfidfVectorizer vectorizer, float[] centroids, string[] labels)
    {
        _vectorizer = vectorizer;
        _centroids = centroids;
        _labels = labels;
    }

    /// <summary>Fits the baseline.</summary>
    public static BaselineClassifier Train(IReadOnlyList<LabeledExample> examples)
    {
        var labels = examples.Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var keys = examples.Select(e => Unigrams(e.Text)).ToArray();
        var vectorizer = TfidfVectorizer.Fit(keys, 1, 1, 1, 1f);
        var k = labels.Length;
        var centroids = new float[vectorizer.Dimension * k];
        for (var i = 0; i < examples.Count; i++)
        {
            var v = vectorizer.Transform(keys[i]);
            var label = index[examples[i].Label];
            for (var j = 0; j < v.Count; j++)
            {
                centroids[v.Indices[j] * k + label] += v.Values[j];
            }
        }

        // Normalise each centroid so the score is a cosine.
        var norms = new double[k];
        for (var f = 0; f < vectorizer.Dimension; f++)
        {
            for (var c = 0; c < k; c++)
            {
                norms[c] += centroids[f * k + c] * centroids[f * k + c];
            }
        }

        for (var f = 0; f < vectorizer.Dimension; f++)
        {
            for (var c = 0; c < k; c++)
            {
                centroids[f * k + c] = norms[c] > 0 ? (float)(centroids[f * k + c] / Math.Sqrt(norms[c])) : 0;
            }
        }

        return new BaselineClassifier(vectorizer, centroids, labels);
    }

    /// <inheritdoc />
    public IntentPrediction Predict(string text)
    {
        var v = _vectorizer.Transform(Unigrams(text));
        var scores = new double[_labels.Length];
        LinearSvm.Score(v, _centroids, new float[_labels.Length], scores);
        var best = Array.IndexOf(scores, scores.Max());
        return new IntentPrediction(_labels[best], scores[best], DeclineReason.None, [new IntentScore(_labels[best], scores[best])]);
    }

    private static List<ulong> Unigrams(string text) => FeatureExtractor.PlainUnigrams(TextNormalizer.Tokenize(text));
}
