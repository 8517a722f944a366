namespace WalletDesk.Assistant.Intents;

/// <summary>
/// A paired comparison of two models' out-of-fold predictions on the same rows and folds (see
/// <see cref="CrossValidationReport.Predictions"/>), by open-set correctness (<see cref="EvaluationReport.IsOpenSetCorrect"/>).
/// </summary>
/// <remarks>
/// Only the rows where the two disagree carry information: <see cref="CandidateBetter"/> rows the candidate gets right
/// and the current model wrong, <see cref="CandidateWorse"/> the reverse. Retraining on nearly the same data moves some
/// rows each way by chance (a different regularisation chosen by inner CV, a different network initialisation), so a
/// gate of "not one row worse" would refuse good updates about half the time. <see cref="IsNotWorse"/> is a
/// one-sided sign (McNemar) test instead: the candidate is refused only when it loses significantly more rows than it
/// wins.
/// </remarks>
public sealed record ModelComparison(int Rows, int CandidateBetter, int CandidateWorse)
{
    /// <summary>One-sided 95 % normal quantile: refusing a candidate that is not really worse happens at most 5 % of the time.</summary>
    public const double DefaultZ = 1.645;

    /// <summary>Compares <paramref name="candidate"/> with <paramref name="current"/>, both predicted for <paramref name="rows"/> in order.</summary>
    /// <exception cref="ArgumentException">The three lists differ in length.</exception>
    public static ModelComparison Compare(IReadOnlyList<LabeledExample> rows, IReadOnlyList<IntentPrediction> candidate, IReadOnlyList<IntentPrediction> current, string outOfScopeLabel = "out_of_scope")
    {
        if (candidate.Count != rows.Count || current.Count != rows.Count)
        {
            throw new ArgumentException("Both models must be predicted for every row, in the same order.");
        }

        int better = 0, worse = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var c = EvaluationReport.IsOpenSetCorrect(rows[i].Label, candidate[i], outOfScopeLabel);
            var b = EvaluationReport.IsOpenSetCorrect(rows[i].Label, current[i], outOfScopeLabel);
            better += c && !b ? 1 : 0;
            worse += b && !c ? 1 : 0;
        }

        return new ModelComparison(rows.Count, better, worse);
    }

    /// <summary>
    /// True unless the candidate loses significantly more rows than it wins: (worse − better) ≤ z · √(worse + better),
    /// the normal approximation of the sign test on the disagreeing rows.
    /// </summary>
    public bool IsNotWorse(double z = DefaultZ) => CandidateWorse - CandidateBetter <= z * Math.Sqrt(CandidateWorse + CandidateBetter);
}
