using WalletDesk.Assistant.Intents;

namespace WalletDesk.Assistant.Tests;

public class EvaluationTests
{
    private static IntentPrediction Accepted(string label) => new(label, 0.9, DeclineReason.None, [new IntentScore(label, 0.9)]);

    private static IntentPrediction Declined(string top) => new(null, 0.1, DeclineReason.LowConfidence, [new IntentScore(top, 0.1)]);

    [Fact]
    public void From_MixedOutcomes_CountsAccuracyF1ConfusionsAndDeclines()
    {
        LabeledExample[] rows =
        [
            new("a1", "a"), new("a2", "a"), new("b1", "b"), new("b2", "b"), new("x", "out_of_scope"), new("y", "out_of_scope"),
        ];
        IntentPrediction[] predictions =
        [
            Accepted("a"), Accepted("b"), Accepted("b"), Declined("b"), Declined("a"), Accepted("a"),
        ];

        var report = EvaluationReport.From(rows, predictions);

        report.Accuracy.ShouldBe(0.75); // a1, b1, b2 (top candidate) of 4 in-scope rows
        report.PerLabel.Single(m => m.Label == "a").Recall.ShouldBe(0.5);
        report.PerLabel.Single(m => m.Label == "b").Precision.ShouldBe(2.0 / 3);
        report.MacroF1.ShouldBe((2.0 / 3 + 0.8) / 2, 1e-9);
        report.TopConfusions.ShouldHaveSingleItem().ShouldBe(new Confusion("a", "b", 1));
        report.InScopeDeclined.ShouldBe(1);
        report.OutOfScopeDeclined.ShouldBe(1);
        report.OutOfScopeRows.ShouldBe(2);
        report.OpenSetAccuracy.ShouldBe(3.0 / 6); // a1, b1 accepted correctly, x declined
        report.AcceptedPrecision.ShouldBe(2.0 / 3);
    }

    [Fact]
    public void ModelComparison_CountsTheRowsEachModelAloneGetsRight_ByOpenSetCorrectness()
    {
        LabeledExample[] rows = [new("a1", "a"), new("a2", "a"), new("b1", "b"), new("x", "out_of_scope"), new("y", "out_of_scope")];
        // a1: both right. a2: only the candidate (the current one declines it). b1: only the current one.
        // x: only the candidate declines it. y: both answer it (both wrong).
        IntentPrediction[] candidate = [Accepted("a"), Accepted("a"), Declined("b"), Declined("a"), Accepted("a")];
        IntentPrediction[] current = [Accepted("a"), Declined("a"), Accepted("b"), Accepted("b"), Accepted("b")];

        var comparison = ModelComparison.Compare(rows, candidate, current);

        comparison.ShouldBe(new ModelComparison(5, CandidateBetter: 2, CandidateWorse: 1));
        Should.Throw<ArgumentException>(() => ModelComparison.Compare(rows, candidate.Take(4).ToArray(), current));
    }

    [Theory]
    [InlineData(0, 0, true)] // identical predictions
    [InlineData(30, 38, true)] // 8 rows net worse out of 68 disagreements: chance (limit 1.645 * sqrt(68) = 13.6)
    [InlineData(30, 44, true)] // 14 net worse out of 74: limit 14.15, still within chance
    [InlineData(30, 46, false)] // 16 net worse out of 76: limit 14.34, significantly worse
    [InlineData(5, 40, false)] // clearly worse
    [InlineData(40, 5, true)] // clearly better
    public void ModelComparison_RefusesOnlyASignificantlyWorseCandidate(int better, int worse, bool notWorse)
    {
        new ModelComparison(1000, better, worse).IsNotWorse().ShouldBe(notWorse);
    }

    [Fact]
    public void StratifiedFolds_SpreadEachLabelEvenly()
    {
        var labels = Enumerable.Range(0, 100).Select(i => i % 3 == 0 ? 0 : 1).ToArray();

        var folds = StratifiedFolds.Assign(labels, 5, seed: 1);

        for (var f = 0; f < 5; f++)
        {
            var members = Enumerable.Range(0, 100).Where(i => folds[i] == f).ToArray();
            members.Length.ShouldBeInRange(19, 21);
            members.Count(i => labels[i] == 0).ShouldBeInRange(6, 8);
        }

        StratifiedFolds.Assign(labels, 5, seed: 1).ShouldBe(folds);
    }
}
