namespace WalletDesk.Assistant.Intents;

/// <summary>
/// The textbook model the issue measures against ("a plain TF-IDF linear model reaches about 90 % on the BANKING77
/// test split"): unstemmed word unigrams and bigrams, sublinear TF-IDF, unit length, one-vs-rest linear SVM with C = 1.
/// No character n-grams, word pairs, network, calibration or out-of-scope handling. Benchmarks cross-validate it in the
/// same run as the product model, which turns the published test-split figure into a reference point for our
/// cross-validated one. It never declines.
/// </summary>
public sealed class ReferenceLinearClassifier : IIntentClassifier
{
    private const double C = 1.0;

    private readonly TfidfVectorizer _vectorizer;
    private readonly float[] _weights;
    private readonly float[] _bias;
    private readonly string[] _labels;

    private ReferenceLinearClassifier(TfidfVectorizer vectorizer, float[] weights, float[] bias, string[] labels)
    {
        _vectorizer = vectorizer;
        _weights = weights;
        _bias = bias;
        _labels = labels;
    }

    /// <summary>Fits the reference model on all <paramref name="examples"/> (deterministic for a seed).</summary>
    public static ReferenceLinearClassifier Train(IReadOnlyList<LabeledExample> examples, int seed = 42)
    {
        var labels = examples.Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var keys = examples.Select(e => Features(e.Text)).ToArray();
        var vectorizer = TfidfVectorizer.Fit(keys, 1, 1, 1, 1f);
        var matrix = new SparseMatrix(keys.Select(k => vectorizer.Transform(k)).ToArray(), vectorizer.Dimension);
        var y = examples.Select(e => index[e.Label]).ToArray();
        var (weights, bias) = LinearSvm.Train(matrix, y, labels.Length, C, seed, Environment.ProcessorCount);
        return new ReferenceLinearClassifier(vectorizer, weights, bias, labels);
    }

    /// <inheritdoc />
    public IntentPrediction Predict(string text)
    {
        var scores = new double[_labels.Length];
        LinearSvm.Score(_vectorizer.Transform(Features(text)), _weights, _bias, scores);
        var best = Array.IndexOf(scores, scores.Max());
        return new IntentPrediction(_labels[best], scores[best], DeclineReason.None, [new IntentScore(_labels[best], scores[best])]);
    }

    private static List<ulong> Features(string text) => FeatureExtractor.PlainUnigramsAndBigrams(TextNormalizer.Tokenize(text));
}
