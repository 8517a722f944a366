using System.Diagnostics;

namespace WalletDesk.Assistant.Intents;

/// <summary>Evaluates classifiers on held-out data and by stratified k-fold cross-validation.</summary>
public static class IntentEvaluator
{
    /// <summary>Predicts every row and scores the predictions.</summary>
    public static EvaluationReport Evaluate(IIntentClassifier classifier, IReadOnlyList<LabeledExample> rows, string outOfScopeLabel = "out_of_scope")
    {
        var predictions = new IntentPrediction[rows.Count];
        Parallel.For(0, rows.Count, i => predictions[i] = classifier.Predict(rows[i].Text));
        return EvaluationReport.From(rows, predictions, outOfScopeLabel);
    }

    /// <summary>
    /// Stratified k-fold cross-validation with a fixed seed. Each fold trains a fresh classifier with
    /// <paramref name="train"/> on the other folds (so any hyperparameter selection inside it never sees
    /// the held-out fold); predictions of all folds are pooled into one report.
    /// </summary>
    public static CrossValidationReport CrossValidate(
        IReadOnlyList<LabeledExample> rows,
        int folds,
        int seed,
        Func<IReadOnlyList<LabeledExample>, IIntentClassifier> train,
        string outOfScopeLabel = "out_of_scope",
        IProgress<string>? progress = null)
    {
        var labelIds = rows.Select(r => r.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var assignment = StratifiedFolds.Assign(rows.Select(r => labelIds[r.Label]).ToArray(), folds, seed);
        var predictions = new IntentPrediction[rows.Count];
        var foldAccuracy = new double[folds];
        var trainingTime = TimeSpan.Zero;
        for (var fold = 0; fold < folds; fold++)
        {
            var trainRows = rows.Where((_, i) => assignment[i] != fold).ToArray();
            var testIndex = Enumerable.Range(0, rows.Count).Where(i => assignment[i] == fold).ToArray();
            var stopwatch = Stopwatch.StartNew();
            var classifier = train(trainRows);
            trainingTime += stopwatch.Elapsed;
            Parallel.For(0, testIndex.Length, j => predictions[testIndex[j]] = classifier.Predict(rows[testIndex[j]].Text));
            var foldReport = EvaluationReport.From(testIndex.Select(i => rows[i]).ToArray(), testIndex.Select(i => predictions[i]).ToArray(), outOfScopeLabel);
            foldAccuracy[fold] = foldReport.Accuracy;
            progress?.Report($"fold {fold + 1}/{folds}: accuracy {foldReport.Accuracy:P2}, trained in {stopwatch.Elapsed.TotalSeconds:F1} s");
        }

        return new CrossValidationReport(EvaluationReport.From(rows, predictions, outOfScopeLabel), foldAccuracy, trainingTime, predictions);
    }
}

/// <summary>Result of k-fold cross-validation.</summary>
/// <param name="Pooled">Metrics over the pooled out-of-fold predictions of all rows.</param>
/// <param name="FoldAccuracy">Closed-set accuracy of each fold.</param>
/// <param name="TotalTrainingTime">Time spent training the k models.</param>
/// <param name="Predictions">Each row's out-of-fold prediction, in row order (for paired comparisons of two models on the same folds).</param>
public sealed record CrossValidationReport(EvaluationReport Pooled, IReadOnlyList<double> FoldAccuracy, TimeSpan TotalTrainingTime, IReadOnlyList<IntentPrediction> Predictions)
{
    /// <summary>Standard deviation of the fold accuracies.</summary>
    public double FoldAccuracyStdDev
    {
        get
        {
            var mean = FoldAccuracy.Average();
            return Math.Sqrt(FoldAccuracy.Sum(a => (a - mean) * (a - mean)) / FoldAccuracy.Count);
        }
    }
}
