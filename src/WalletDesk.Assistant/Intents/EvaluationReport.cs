namespace WalletDesk.Assistant.Intents;

/// <summary>Quality figures for a classifier on labelled rows.</summary>
/// <remarks>
/// <see cref="Accuracy"/> and <see cref="MacroF1"/> are closed-set figures over in-scope rows (the top
/// candidate, whether or not it was declined), comparable with published intent-detection results.
/// <see cref="OpenSetAccuracy"/> is what a customer experiences: an in-scope row counts only if it was
/// accepted with the right intent, an out-of-scope row only if it was declined.
/// </remarks>
public sealed record EvaluationReport
{
    /// <summary>All rows evaluated.</summary>
    public required int Rows { get; init; }

    /// <summary>Top-candidate accuracy over in-scope rows.</summary>
    public required double Accuracy { get; init; }

    /// <summary>Unweighted mean F1 over in-scope labels (top candidate).</summary>
    public required double MacroF1 { get; init; }

    /// <summary>Accuracy counting declines: in-scope rows must be accepted correctly, out-of-scope rows declined.</summary>
    public required double OpenSetAccuracy { get; init; }

    /// <summary>Of the in-scope rows the classifier accepted, the share with the right intent.</summary>
    public required double AcceptedPrecision { get; init; }

    /// <summary>Rows whose label is not the out-of-scope label.</summary>
    public required int InScopeRows { get; init; }

    /// <summary>In-scope rows that were wrongly declined.</summary>
    public required int InScopeDeclined { get; init; }

    /// <summary>Rows labelled out of scope.</summary>
    public required int OutOfScopeRows { get; init; }

    /// <summary>Out-of-scope rows that were correctly declined.</summary>
    public required int OutOfScopeDeclined { get; init; }

    /// <summary>Per-label precision, recall and F1 (top candidate), by label name.</summary>
    public required IReadOnlyList<LabelMetrics> PerLabel { get; init; }

    /// <summary>The most frequent (expected, predicted) confusions, most frequent first.</summary>
    public required IReadOnlyList<Confusion> TopConfusions { get; init; }

    /// <summary>
    /// What a customer experiences for one row: an in-scope row is right only if it was answered with its intent, an
    /// out-of-scope row only if it was declined.
    /// </summary>
    public static bool IsOpenSetCorrect(string expected, IntentPrediction prediction, string outOfScopeLabel = "out_of_scope") =>
        expected == outOfScopeLabel ? prediction.IsOutOfScope : !prediction.IsOutOfScope && prediction.Intent == expected;

    /// <summary>Computes the report from expected labels and predictions.</summary>
    public static EvaluationReport From(
        IReadOnlyList<LabeledExample> rows,
        IReadOnlyList<IntentPrediction> predictions,
        string outOfScopeLabel = "out_of_scope",
        int topConfusions = 10)
    {
        if (rows.Count != predictions.Count)
        {
            throw new ArgumentException("Each row needs exactly one prediction.", nameof(predictions));
        }

        var truePositive = new Dictionary<string, int>(StringComparer.Ordinal);
        var predicted = new Dictionary<string, int>(StringComparer.Ordinal);
        var support = new Dictionary<string, int>(StringComparer.Ordinal);
        var confusions = new Dictionary<(string, string), int>();
        int inScope = 0, inScopeCorrect = 0, inScopeDeclined = 0, oos = 0, oosDeclined = 0, openCorrect = 0, accepted = 0, acceptedCorrect = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var expected = rows[i].Label;
            var prediction = predictions[i];
            openCorrect += IsOpenSetCorrect(expected, prediction, outOfScopeLabel) ? 1 : 0;
            if (expected == outOfScopeLabel)
            {
                oos++;
                oosDeclined += prediction.IsOutOfScope ? 1 : 0;
                continue;
            }

            inScope++;
            support[expected] = support.GetValueOrDefault(expected) + 1;
            var top = prediction.TopCandidate ?? outOfScopeLabel;
            predicted[top] = predicted.GetValueOrDefault(top) + 1;
            if (top == expected)
            {
                inScopeCorrect++;
                truePositive[expected] = truePositive.GetValueOrDefault(expected) + 1;
            }
            else
            {
                confusions[(expected, top)] = confusions.GetValueOrDefault((expected, top)) + 1;
            }

            if (prediction.IsOutOfScope)
            {
                inScopeDeclined++;
            }
            else
            {
                accepted++;
                if (prediction.Intent == expected)
                {
                    acceptedCorrect++;
                }
            }
        }

        var perLabel = support.Keys.Order(StringComparer.Ordinal).Select(label =>
        {
            var tp = truePositive.GetValueOrDefault(label);
            var p = predicted.GetValueOrDefault(label);
            var precision = p == 0 ? 0 : (double)tp / p;
            var recall = (double)tp / support[label];
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            return new LabelMetrics(label, precision, recall, f1, support[label]);
        }).ToArray();

        return new EvaluationReport
        {
            Rows = rows.Count,
            Accuracy = inScope == 0 ? 0 : (double)inScopeCorrect / inScope,
            MacroF1 = perLabel.Length == 0 ? 0 : perLabel.Average(m => m.F1),
            OpenSetAccuracy = rows.Count == 0 ? 0 : (double)openCorrect / rows.Count,
            AcceptedPrecision = accepted == 0 ? 0 : (double)acceptedCorrect / accepted,
            InScopeRows = inScope,
            InScopeDeclined = inScopeDeclined,
            OutOfScopeRows = oos,
            OutOfScopeDeclined = oosDeclined,
            PerLabel = perLabel,
            TopConfusions = confusions
                .OrderByDescending(kv => kv.Value)
                .ThenBy(kv => kv.Key.Item1, StringComparer.Ordinal)
                .ThenBy(kv => kv.Key.Item2, StringComparer.Ordinal)
                .Take(topConfusions)
                .Select(kv => new Confusion(kv.Key.Item1, kv.Key.Item2, kv.Value))
                .ToArray(),
        };
    }
}

/// <summary>Precision, recall and F1 of one label.</summary>
/// <param name="Label">Label name.</param>
/// <param name="Precision">Share of rows predicted as this label that have it.</param>
/// <param name="Recall">Share of rows with this label predicted as it.</param>
/// <param name="F1">Harmonic mean of precision and recall.</param>
/// <param name="Support">Rows with this label.</param>
public sealed record LabelMetrics(string Label, double Precision, double Recall, double F1, int Support);

/// <summary>How often rows of one label were predicted as another.</summary>
/// <param name="Expected">True label.</param>
/// <param name="Predicted">Predicted label.</param>
/// <param name="Count">Number of rows.</param>
public sealed record Confusion(string Expected, string Predicted, int Count);
