using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WalletDesk.Assistant.Intents;

/// <summary>Trains <see cref="IntentModel"/>s from labelled examples.</summary>
public static class IntentTrainer
{
    /// <summary>
    /// Trains a model. Inner cross-validation on <paramref name="examples"/> chooses C and the network's
    /// blend weight, fits the calibration temperature and sets the out-of-scope thresholds; the final
    /// model is then trained on all examples.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two labels or no examples.</exception>
    public static IntentModel Train(IReadOnlyList<LabeledExample> examples, IntentTrainerOptions? options = null)
    {
        options ??= new IntentTrainerOptions();
        var labels = examples.Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (labels.Length < 2)
        {
            throw new ArgumentException("Training needs at least two distinct labels.", nameof(examples));
        }

        if (options.CandidateC.Count == 0 || options.CandidateC.Any(c => c <= 0))
        {
            throw new ArgumentException("CandidateC must hold at least one positive value.", nameof(options));
        }

        var labelIndex = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var y = examples.Select(e => labelIndex[e.Label]).ToArray();
        var oos = labelIndex.GetValueOrDefault(options.OutOfScopeLabel, -1);
        var keys = new List<ulong>[examples.Count];
        Parallel.For(0, examples.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism) },
            i => keys[i] = FeatureExtractor.Extract(examples[i].Text));

        var heldOut = HeldOut(keys, y, labels.Length, oos, options);
        var bestC = 0;
        for (var c = 1; c < options.CandidateC.Count; c++)
        {
            if (heldOut.Accuracy[c] > heldOut.Accuracy[bestC])
            {
                bestC = c;
            }
        }

        var c0 = options.CandidateC[bestC];
        var temperature = 1.0;
        var threshold = 0.0;
        var floor = 0.0;
        var networkWeight = 0.0;
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (heldOut.Scores is not null)
        {
            var scores = heldOut.Scores[bestC];
            temperature = Calibration.FitTemperature(scores, y);
            var blended = new double[y.Length][];
            var bestAccuracy = -1.0;
            if (heldOut.Network is not null)
            {
                foreach (var candidate in options.CandidateNetworkWeight)
                {
                    var accuracy = BlendedAccuracy(scores, heldOut.Network, temperature, candidate, y);
                    metrics[string.Create(CultureInfo.InvariantCulture, $"inner_cv_accuracy_network_weight_{candidate:0.##}")] = accuracy;
                    if (accuracy > bestAccuracy)
                    {
                        bestAccuracy = accuracy;
                        networkWeight = candidate;
                    }
                }
            }

            var confidences = new List<double>();
            var similarities = new List<double>();
            var correct = 0;
            for (var i = 0; i < y.Length; i++)
            {
                blended[i] = new double[labels.Length];
                Blend(scores[i], heldOut.Network?[i], temperature, networkWeight, blended[i]);
                var probabilities = blended[i];
                var top = Array.IndexOf(probabilities, probabilities.Max());
                correct += top == y[i] ? 1 : 0;
                if (y[i] == oos)
                {
                    continue;
                }

                if (top != oos)
                {
                    confidences.Add(probabilities[top]);
                }

                similarities.Add(heldOut.Similarity[i]);
            }

            threshold = Calibration.Quantile(confidences, options.DeclineQuantile);
            floor = Calibration.Quantile(similarities, options.SimilarityQuantile);
            metrics["inner_cv_accuracy_svm"] = heldOut.Accuracy[bestC];
            metrics["inner_cv_accuracy"] = (double)correct / y.Length;
            metrics["inner_cv_nll_uncalibrated"] = Calibration.NegativeLogLikelihood(scores, y, 1.0);
            metrics["inner_cv_nll_calibrated"] = Calibration.NegativeLogLikelihood(scores, y, temperature);
        }

        var vectorizer = TfidfVectorizer.Fit(keys, options.MinWordDf, options.MinPairDf, options.MinCharDf, (float)options.WordViewWeight);
        var vectors = keys.Select(k => vectorizer.Transform(new List<ulong>(k))).ToArray();
        var matrix = new SparseMatrix(vectors, vectorizer.Dimension);
        var (weights, bias) = LinearSvm.Train(matrix, y, labels.Length, c0, options.Seed, options.MaxDegreeOfParallelism);
        var network = networkWeight > 0
            ? HiddenLayerNetwork.Train(vectors, y, vectorizer.Dimension, labels.Length, NetworkSettings(options), options.Seed)
            : null;
        var neighbours = new SparseMatrix(vectors.Where((_, i) => y[i] != oos).ToArray(), vectorizer.Dimension);

        var createdAt = options.TimeProvider.GetUtcNow();
        var hash = HashData(examples);
        metrics["features"] = vectorizer.Dimension;
        var header = new IntentModelHeader
        {
            FormatVersion = IntentModel.FormatVersion,
            ModelVersion = options.ModelVersion
                ?? string.Create(CultureInfo.InvariantCulture, $"nlu-{createdAt:yyyyMMdd'T'HHmmss'Z'}-{hash[..8]}"),
            CreatedAt = createdAt,
            TrainingDataHash = hash,
            TrainingRows = examples.Count,
            Labels = labels,
            Hyperparameters = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["c"] = c0,
                ["word_view_weight"] = options.WordViewWeight,
                ["min_word_df"] = options.MinWordDf,
                ["min_pair_df"] = options.MinPairDf,
                ["network_weight"] = networkWeight,
                ["hidden_units"] = network?.Hidden ?? 0,
                ["network_epochs"] = options.NetworkEpochs,
                ["min_char_df"] = options.MinCharDf,
                ["calibration_folds"] = heldOut.Scores is null ? 0 : options.CalibrationFolds,
                ["temperature"] = temperature,
                ["confidence_threshold"] = threshold,
                ["similarity_floor"] = floor,
                ["decline_quantile"] = options.DeclineQuantile,
                ["similarity_quantile"] = options.SimilarityQuantile,
                ["seed"] = options.Seed,
            },
            Metrics = metrics,
        };

        return new IntentModel(header, vectorizer, weights, bias, temperature, threshold, floor, oos, neighbours, network, networkWeight);
    }

    internal static string HashData(IReadOnlyList<LabeledExample> examples)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var e in examples)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(e.Text));
            sha.AppendData("\t"u8);
            sha.AppendData(Encoding.UTF8.GetBytes(e.Label));
            sha.AppendData("\n"u8);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// The model's probabilities: the temperature-scaled softmax of the SVM scores, mixed with the
    /// network's probabilities when there is a network. Shared by training and <see cref="IntentModel"/>.
    /// </summary>
    internal static void Blend(ReadOnlySpan<double> scores, ReadOnlySpan<double> network, double temperature, double networkWeight, Span<double> probabilities)
    {
        Calibration.Softmax(scores, temperature, probabilities);
        if (networkWeight > 0 && !network.IsEmpty)
        {
            for (var k = 0; k < probabilities.Length; k++)
            {
                probabilities[k] = (1 - networkWeight) * probabilities[k] + networkWeight * network[k];
            }
        }
    }

    private static double BlendedAccuracy(double[][] scores, double[][] network, double temperature, double networkWeight, int[] y)
    {
        var probabilities = new double[scores[0].Length];
        var correct = 0;
        for (var i = 0; i < y.Length; i++)
        {
            Blend(scores[i], network[i], temperature, networkWeight, probabilities);
            correct += Array.IndexOf(probabilities, probabilities.Max()) == y[i] ? 1 : 0;
        }

        return (double)correct / y.Length;
    }

    private static NetworkSettings NetworkSettings(IntentTrainerOptions options) =>
        new(options.HiddenUnits, options.NetworkEpochs, options.NetworkLearningRate, options.NetworkDropout, NetworkInputScale);

    /// <summary>Unit-length inputs with a few hundred non-zeros have components around 0.05; this brings them near 0.3.</summary>
    private const float NetworkInputScale = 5f;

    private sealed record HeldOutResult(double[] Accuracy, double[][][]? Scores, double[] Similarity, double[][]? Network);

    /// <summary>Out-of-fold SVM scores for every candidate C, plus each row's similarity to its fold's training rows.</summary>
    private static HeldOutResult HeldOut(List<ulong>[] keys, int[] y, int classes, int oos, IntentTrainerOptions options)
    {
        var candidates = options.CandidateC;
        var folds = options.CalibrationFolds;
        if (folds < 2 || y.Length < 2 * folds)
        {
            // Too little data to hold anything out: no calibration, no thresholds beyond the explicit label.
            return new HeldOutResult(new double[candidates.Count], null, new double[y.Length], null);
        }

        var assignment = StratifiedFolds.Assign(y, folds, options.Seed);
        var scores = new double[candidates.Count][][];
        for (var c = 0; c < candidates.Count; c++)
        {
            scores[c] = new double[y.Length][];
        }

        var similarity = new double[y.Length];
        var trainNetwork = options.HiddenUnits > 0 && options.CandidateNetworkWeight.Any(w => w > 0);
        var networkInputs = new (SparseVector[] Train, int[] TrainY, SparseVector[] Test, int[] TestRows, int Dimension)[folds];
        for (var fold = 0; fold < folds; fold++)
        {
            var train = Enumerable.Range(0, y.Length).Where(i => assignment[i] != fold).ToArray();
            var test = Enumerable.Range(0, y.Length).Where(i => assignment[i] == fold).ToArray();
            var vectorizer = TfidfVectorizer.Fit(train.Select(i => keys[i]).ToArray(), options.MinWordDf, options.MinPairDf, options.MinCharDf, (float)options.WordViewWeight);
            var trainVectors = train.Select(i => vectorizer.Transform(new List<ulong>(keys[i]))).ToArray();
            var testVectors = test.Select(i => vectorizer.Transform(new List<ulong>(keys[i]))).ToArray();
            var matrix = new SparseMatrix(trainVectors, vectorizer.Dimension);
            var trainY = train.Select(i => y[i]).ToArray();
            var index = new NearestNeighbourIndex(new SparseMatrix(trainVectors.Where((_, j) => trainY[j] != oos).ToArray(), vectorizer.Dimension));
            Parallel.For(0, test.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism) },
                j => similarity[test[j]] = index.MaxSimilarity(testVectors[j]));
            for (var c = 0; c < candidates.Count; c++)
            {
                var (weights, bias) = LinearSvm.Train(matrix, trainY, classes, candidates[c], options.Seed + fold, options.MaxDegreeOfParallelism);
                for (var j = 0; j < test.Length; j++)
                {
                    var s = new double[classes];
                    LinearSvm.Score(testVectors[j], weights, bias, s);
                    scores[c][test[j]] = s;
                }
            }

            if (trainNetwork)
            {
                networkInputs[fold] = (trainVectors, trainY, testVectors, test, vectorizer.Dimension);
            }
        }

        double[][]? network = null;
        if (trainNetwork)
        {
            // One network per inner fold; they are independent and single-threaded, so train them side by side.
            network = new double[y.Length][];
            var settings = NetworkSettings(options);
            Parallel.For(0, folds, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism) }, fold =>
            {
                var (trainVectors, trainY, testVectors, testRows, dimension) = networkInputs[fold];
                var net = HiddenLayerNetwork.Train(trainVectors, trainY, dimension, classes, settings, options.Seed + fold);
                for (var j = 0; j < testRows.Length; j++)
                {
                    var p = new double[classes];
                    net.Predict(testVectors[j], p);
                    network[testRows[j]] = p;
                }
            });
        }

        var accuracy = new double[candidates.Count];
        for (var c = 0; c < candidates.Count; c++)
        {
            var correct = 0;
            for (var i = 0; i < y.Length; i++)
            {
                var s = scores[c][i];
                correct += Array.IndexOf(s, s.Max()) == y[i] ? 1 : 0;
            }

            accuracy[c] = (double)correct / y.Length;
        }

        return new HeldOutResult(accuracy, scores, similarity, network);
    }
}
