namespace WalletDesk.Assistant.Intents;

/// <summary>Hyperparameters and policies for <see cref="IntentTrainer"/>. The defaults are the shipped settings.</summary>
public sealed class IntentTrainerOptions
{
    /// <summary>
    /// SVM regularisation candidates; with more than one, the best is chosen by held-out accuracy on the
    /// inner folds of the training data (never on evaluation data).
    /// </summary>
    public IReadOnlyList<double> CandidateC { get; init; } = [0.5, 1.0, 2.0];

    /// <summary>Inner folds used to choose C and to produce the held-out scores that calibration is fitted on.</summary>
    public int CalibrationFolds { get; init; } = 3;

    /// <summary>Share of the vector's squared norm given to the word view; the character view gets the rest.</summary>
    public double WordViewWeight { get; init; } = 0.5;

    /// <summary>
    /// Candidate weights of the hidden-layer network in the blended probabilities
    /// (<c>(1 - w) · SVM + w · network</c>); the best is chosen by held-out accuracy on the inner folds.
    /// 0 means SVM only; with only 0 (or no inner folds) no network is trained at all.
    /// </summary>
    public IReadOnlyList<double> CandidateNetworkWeight { get; init; } = [0.0, 0.25, 0.5, 0.75];

    /// <summary>Hidden units of the network (its size is features × units floats).</summary>
    public int HiddenUnits { get; init; } = 64;

    /// <summary>Passes of SGD over the training rows for the network.</summary>
    public int NetworkEpochs { get; init; } = 10;

    /// <summary>Initial SGD learning rate of the network (it decays linearly to zero).</summary>
    public double NetworkLearningRate { get; init; } = 0.02;

    /// <summary>Dropout rate on the network's hidden layer during training.</summary>
    public double NetworkDropout { get; init; } = 0.5;

    /// <summary>Minimum document frequency for word features.</summary>
    public int MinWordDf { get; init; } = 1;

    /// <summary>
    /// Minimum document frequency for word pairs: a pair seen in one training row cannot generalise,
    /// and singleton pairs would double the vocabulary.
    /// </summary>
    public int MinPairDf { get; init; } = 2;

    /// <summary>Minimum document frequency for character n-grams (a singleton n-gram cannot generalise and bloats the model).</summary>
    public int MinCharDf { get; init; } = 2;

    /// <summary>
    /// Share of held-out in-scope messages the confidence threshold may decline. The threshold is the
    /// matching quantile of their calibrated top probabilities, so it adapts to the label set.
    /// </summary>
    public double DeclineQuantile { get; init; } = 0.02;

    /// <summary>Share of held-out in-scope messages the nearest-neighbour similarity floor may decline.</summary>
    public double SimilarityQuantile { get; init; } = 0.01;

    /// <summary>Label that marks training examples the assistant must decline.</summary>
    public string OutOfScopeLabel { get; init; } = "out_of_scope";

    /// <summary>Seed for fold assignment and solver order; training is deterministic for a given seed and data.</summary>
    public int Seed { get; init; } = 20261122;

    /// <summary>Threads used for the per-label solvers.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Clock used to stamp the model; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Optional explicit model version id; by default derived from the time and data hash.</summary>
    public string? ModelVersion { get; init; }
}
