using System.Diagnostics;
using WalletDesk.Assistant.Intents;

namespace WalletDesk.Assistant.Tests;

/// <summary>
/// Quality and speed on the public BANKING77 corpus. The full benchmark (5 folds, C chosen by inner
/// cross-validation) runs in <c>walletdesk bench assistant</c>; here a 3-fold run with the default C
/// keeps the test under a minute while still guarding against regressions.
/// </summary>
public class PublicCorpusCrossValidationTests
{
    // Measured 3-fold accuracy is about 90%; the floor leaves room for harmless changes but not for a broken feature view.
    private const double AccuracyFloor = 0.87;

    [Banking77Fact]
    public void CrossValidate_ThreeFolds_AccuracyAboveFloor_AndAheadOfThePlainLinearReference()
    {
        var rows = TrainingData.ReadCsv(TestPaths.Banking77Train);
        var options = new IntentTrainerOptions { CandidateC = [1.0], CalibrationFolds = 0 };

        var report = IntentEvaluator.CrossValidate(rows, folds: 3, seed: 42, r => IntentTrainer.Train(r, options));

        report.Pooled.Accuracy.ShouldBeGreaterThan(AccuracyFloor);
        report.Pooled.MacroF1.ShouldBeGreaterThan(AccuracyFloor - 0.01);
        report.Pooled.PerLabel.Count.ShouldBe(77);

        // The features (stems, word pairs, character n-grams) must keep earning their keep over the plain TF-IDF
        // linear model that published BANKING77 results use as their reference (measured: about 2 points ahead).
        var reference = IntentEvaluator.CrossValidate(rows, folds: 3, seed: 42, r => ReferenceLinearClassifier.Train(r));
        reference.Pooled.Accuracy.ShouldBeGreaterThan(0.80, "the reference itself must be a sound model, not a strawman");
        (report.Pooled.Accuracy - reference.Pooled.Accuracy).ShouldBeGreaterThan(0.01);
    }
}
