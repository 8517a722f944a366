namespace WalletDesk.Assistant.Intents;

/// <summary>
/// A trained intent classifier: TF-IDF features, a one-vs-rest linear SVM with temperature-scaled
/// probabilities blended with a small hidden-layer network's, and three out-of-scope guards (explicit
/// label, confidence threshold, similarity floor).
/// Immutable and thread-safe; create it with <see cref="IntentTrainer"/> or <see cref="Load(string)"/>.
/// </summary>
public sealed class IntentModel : IIntentClassifier
{
    /// <summary>The binary layout version this build writes and reads.</summary>
    public const int FormatVersion = 2;

    private const int RankedCount = 5;

    internal IntentModel(
        IntentModelHeader header,
        TfidfVectorizer vectorizer,
        float[] weights,
        float[] bias,
        double temperature,
        double confidenceThreshold,
        double similarityFloor,
        int outOfScopeIndex,
        SparseMatrix neighbours,
        HiddenLayerNetwork? network,
        double networkWeight)
    {
        if (network is not null && (network.Inputs != vectorizer.Dimension || network.Classes != bias.Length))
        {
            throw new ArgumentException("The network does not match the vocabulary or the label count.", nameof(network));
        }

        Network = network;
        NetworkWeight = network is null ? 0 : networkWeight;
        Header = header;
        Vectorizer = vectorizer;
        Weights = weights;
        Bias = bias;
        Temperature = temperature;
        ConfidenceThreshold = confidenceThreshold;
        SimilarityFloor = similarityFloor;
        OutOfScopeIndex = outOfScopeIndex;
        Neighbours = new NearestNeighbourIndex(neighbours);
    }

    /// <summary>Version, provenance, labels, hyperparameters and training metrics.</summary>
    public IntentModelHeader Header { get; }

    /// <summary>Label names in model order.</summary>
    public IReadOnlyList<string> Labels => Header.Labels;

    /// <summary>Calibrated top probability below which a message is declined.</summary>
    public double ConfidenceThreshold { get; }

    /// <summary>Cosine similarity to the nearest in-scope training example below which a message is declined.</summary>
    public double SimilarityFloor { get; }

    internal TfidfVectorizer Vectorizer { get; }

    internal float[] Weights { get; }

    internal float[] Bias { get; }

    internal double Temperature { get; }

    internal int OutOfScopeIndex { get; }

    internal NearestNeighbourIndex Neighbours { get; }

    /// <summary>The hidden-layer network, or null when inner cross-validation gave it no weight.</summary>
    internal HiddenLayerNetwork? Network { get; }

    /// <summary>Share of the network in the blended probabilities (0 without a network).</summary>
    internal double NetworkWeight { get; }

    /// <summary>Loads a model saved with <see cref="Save(string)"/>.</summary>
    /// <exception cref="ModelFormatException">The file is not a model, has another format version, or is corrupt.</exception>
    public static IntentModel Load(string path)
    {
        using var stream = File.OpenRead(path);
        return ModelFile.Read(stream);
    }

    /// <summary>Loads a model from a stream.</summary>
    /// <exception cref="ModelFormatException">The data is not a model, has another format version, or is corrupt.</exception>
    public static IntentModel Load(Stream stream) => ModelFile.Read(stream);

    /// <summary>Reads only the header of a model file (cheap; does not decompress the weights).</summary>
    public static IntentModelHeader ReadHeader(string path)
    {
        using var stream = File.OpenRead(path);
        return ModelFile.ReadHeader(stream);
    }

    /// <summary>Saves the model; the file is written to a temporary name first and then moved into place.</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        var temp = full + ".tmp";
        using (var stream = File.Create(temp))
        {
            ModelFile.Write(this, stream);
        }

        File.Move(temp, full, overwrite: true);
    }

    /// <summary>Writes the model to a stream.</summary>
    public void Save(Stream stream) => ModelFile.Write(this, stream);

    /// <inheritdoc />
    public IntentPrediction Predict(string text)
    {
        var tokens = TextNormalizer.Tokenize(text);
        if (tokens.Count == 0)
        {
            return new IntentPrediction(null, 0, DeclineReason.EmptyInput, []);
        }

        var vector = Vectorizer.Transform(FeatureExtractor.Extract(tokens));
        var classes = Bias.Length;
        var scores = new double[classes];
        var probabilities = new double[classes];
        LinearSvm.Score(vector, Weights, Bias, scores);
        double[]? network = null;
        if (Network is not null)
        {
            network = new double[classes];
            Network.Predict(vector, network);
        }

        IntentTrainer.Blend(scores, network, Temperature, NetworkWeight, probabilities);

        var ranked = Rank(probabilities);
        var best = ranked[0];
        var bestInScope = best == OutOfScopeIndex && ranked.Length > 1 ? ranked[1] : best;
        var confidence = probabilities[bestInScope];
        var reason = DeclineReason.None;
        if (vector.Count == 0)
        {
            reason = DeclineReason.NothingSimilar;
        }
        else if (best == OutOfScopeIndex)
        {
            reason = DeclineReason.OutOfScopeLabel;
        }
        else if (confidence < ConfidenceThreshold)
        {
            reason = DeclineReason.LowConfidence;
        }
        else if (Neighbours.MaxSimilarity(vector) < SimilarityFloor)
        {
            reason = DeclineReason.NothingSimilar;
        }

        var list = new IntentScore[ranked.Length];
        for (var i = 0; i < ranked.Length; i++)
        {
            list[i] = new IntentScore(Labels[ranked[i]], probabilities[ranked[i]], ranked[i] == OutOfScopeIndex);
        }

        return new IntentPrediction(reason == DeclineReason.None ? Labels[best] : null, confidence, reason, list);
    }

    private static int[] Rank(double[] probabilities)
    {
        var count = Math.Min(RankedCount, probabilities.Length);
        var top = new int[count];
        var filled = 0;
        for (var k = 0; k < probabilities.Length; k++)
        {
            // Insertion into a tiny sorted array beats sorting all labels.
            var pos = filled < count ? filled++ : count;
            while (pos > 0 && probabilities[k] > probabilities[top[pos - 1]])
            {
                if (pos < count)
                {
                    top[pos] = top[pos - 1];
                }

                pos--;
            }

            if (pos < count)
            {
                top[pos] = k;
            }
        }

        return top;
    }
}
