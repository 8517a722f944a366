namespace WalletDesk.Assistant;

/// <summary>
/// Maps a customer's message to one of the assistant's known intents, or declines it as out of scope.
/// </summary>
/// <remarks>
/// The only abstraction over the NLU engine: the server talks to this interface so tests can fake it
/// and so a different engine (for example a hosted LLM) can be swapped in.
/// </remarks>
public interface IIntentClassifier
{
    /// <summary>Classifies <paramref name="text"/>. Never throws for any string, including empty or huge input.</summary>
    IntentPrediction Predict(string text);
}

/// <summary>The result of classifying one message.</summary>
/// <param name="Intent">The accepted intent, or <c>null</c> when the message was declined as out of scope.</param>
/// <param name="Confidence">Calibrated probability of the top-ranked in-scope candidate (0–1).</param>
/// <param name="DeclineReason">Why the message was declined; <see cref="DeclineReason.None"/> when accepted.</param>
/// <param name="Ranked">The top candidates by calibrated probability, best first (at most five).</param>
public sealed record IntentPrediction(
    string? Intent,
    double Confidence,
    DeclineReason DeclineReason,
    IReadOnlyList<IntentScore> Ranked)
{
    /// <summary>True when the message matched nothing the assistant knows and must not be guessed.</summary>
    public bool IsOutOfScope => Intent is null;

    /// <summary>The best in-scope candidate even when declined (useful for logging and review).</summary>
    public string? TopCandidate => Ranked.FirstOrDefault(s => !s.IsOutOfScopeLabel)?.Intent;
}

/// <summary>One ranked candidate intent with its calibrated probability.</summary>
/// <param name="Intent">Label name.</param>
/// <param name="Probability">Calibrated probability (0–1); the scores of all labels sum to 1.</param>
/// <param name="IsOutOfScopeLabel">True for the explicit out-of-scope training label.</param>
public sealed record IntentScore(string Intent, double Probability, bool IsOutOfScopeLabel = false);

/// <summary>Why a message was declined as out of scope.</summary>
public enum DeclineReason
{
    /// <summary>Not declined.</summary>
    None = 0,

    /// <summary>The message was empty or contained no usable text.</summary>
    EmptyInput,

    /// <summary>The model's best label was the explicit <c>out_of_scope</c> label.</summary>
    OutOfScopeLabel,

    /// <summary>The calibrated top probability was below the model's confidence threshold.</summary>
    LowConfidence,

    /// <summary>No training example was similar enough to the message.</summary>
    NothingSimilar,
}
