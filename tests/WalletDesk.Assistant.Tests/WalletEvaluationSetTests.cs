using System.Globalization;
using System.Text;
using WalletDesk.Assistant.Intents;
using Xunit.Abstractions;

namespace WalletDesk.Assistant.Tests;

/// <summary>Trains the shipped wallet model as the server does and scores it once on the held-out evaluation set.</summary>
public sealed class WalletEvaluationFixture
{
    public WalletEvaluationFixture()
    {
        Model = WalletIntentModel.TrainDefault(new FixedTimeProvider(WalletModelFixture.TrainedAt));
        Rows = TrainingData.ReadCsv(TestPaths.WalletEvaluationSet);
        Report = IntentEvaluator.Evaluate(Model, Rows);
        Misses = Rows.Select(r => (Row: r, Prediction: Model.Predict(r.Text)))
            .Where(p => p.Row.Label == "out_of_scope" ? !p.Prediction.IsOutOfScope : p.Prediction.Intent != p.Row.Label)
            .Select(p => $"{p.Row.Label} <- \"{p.Row.Text}\": {p.Prediction.Intent ?? "declined (top " + p.Prediction.TopCandidate + ")"} {p.Prediction.Confidence:F2}")
            .ToArray();
    }

    public IntentModel Model { get; }

    public IReadOnlyList<LabeledExample> Rows { get; }

    public EvaluationReport Report { get; }

    /// <summary>Rows a customer would see handled wrongly (wrong intent, wrongly declined, or wrongly answered).</summary>
    public IReadOnlyList<string> Misses { get; }

    /// <summary>The report as text, for assertion messages and test output.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"rows {Report.Rows}, accuracy {Report.Accuracy:P2}, macro-F1 {Report.MacroF1:P2}, open-set {Report.OpenSetAccuracy:P2}");
        text.AppendLine(CultureInfo.InvariantCulture, $"in-scope declined {Report.InScopeDeclined}/{Report.InScopeRows}, out-of-scope declined {Report.OutOfScopeDeclined}/{Report.OutOfScopeRows}");
        foreach (var label in Report.PerLabel)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {label.Label,-32} recall {label.Recall:P1} precision {label.Precision:P1} ({label.Support})");
        }

        foreach (var confusion in Report.TopConfusions)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {confusion.Expected} -> {confusion.Predicted}: {confusion.Count}");
        }

        foreach (var miss in Misses)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  miss: {miss}");
        }

        return text.ToString();
    }
}

/// <summary>
/// Regression floors for the shipped model on <c>Data/wallet-intents-eval.csv</c>: customer messages written by
/// a different author from the training rows and never trained on. Training is deterministic, so the
/// figures only move when the training data or the engine change; each floor sits a few points below the
/// figure measured when it was set.
/// </summary>
public class WalletEvaluationSetTests(WalletEvaluationFixture fixture, ITestOutputHelper output) : IClassFixture<WalletEvaluationFixture>
{
    private const string OutOfScope = "out_of_scope";

    [Fact]
    public void EvaluationSet_EveryModelLabel_HasRowsAndNoUnknownLabels()
    {
        var counts = fixture.Rows.GroupBy(r => r.Label, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        foreach (var label in fixture.Model.Labels)
        {
            counts.GetValueOrDefault(label).ShouldBeGreaterThanOrEqualTo(10, $"label {label} needs at least 10 evaluation rows");
        }

        counts.Keys.Except(fixture.Model.Labels, StringComparer.Ordinal).ShouldBeEmpty("evaluation labels the model does not know");
    }

    [Fact]
    public void EvaluationSet_EveryIntent_HasEnglishAndChineseRows()
    {
        foreach (var group in fixture.Rows.Where(r => r.Label != OutOfScope).GroupBy(r => r.Label, StringComparer.Ordinal))
        {
            group.Count(r => !r.Text.Any(IsHan)).ShouldBeGreaterThanOrEqualTo(4, $"{group.Key}: English rows");
            group.Count(r => r.Text.Any(IsHan)).ShouldBeGreaterThanOrEqualTo(4, $"{group.Key}: Chinese rows");
        }
    }

    [Fact]
    public void EvaluationSet_SharesNoRowWithTrainingData()
    {
        var training = WalletIntentModel.LoadTrainingData().Select(r => Normalize(r.Text)).ToHashSet(StringComparer.Ordinal);

        fixture.Rows.Where(r => training.Contains(Normalize(r.Text))).Select(r => r.Text).ShouldBeEmpty("evaluation rows also present in the training data");
    }

    [Fact]
    public void Evaluate_ClosedSetAccuracy_AboveFloor()
    {
        output.WriteLine(fixture.Describe());

        // Measured 96.43 % (243 / 252 in-scope rows) with the 1,219 training rows; 93.65 % with the earlier 852.
        fixture.Report.Accuracy.ShouldBeGreaterThanOrEqualTo(0.93, fixture.Describe());
    }

    [Theory]
    [InlineData("suspicious_activity", 0.90)] // measured 12 / 12 (both training sets); one miss still passes
    [InlineData("phishing_report", 0.85)] // measured 11 / 12 (both training sets)
    public void Evaluate_SecurityIntentRecall_AboveFloor(string label, double floor)
    {
        var metrics = fixture.Report.PerLabel.Single(m => m.Label == label);

        metrics.Recall.ShouldBeGreaterThanOrEqualTo(floor, fixture.Describe());
    }

    [Fact]
    public void Evaluate_OutOfScopeRows_DeclinedAboveFloor()
    {
        var declineRate = (double)fixture.Report.OutOfScopeDeclined / fixture.Report.OutOfScopeRows;

        // Measured 32 / 42 (76.2 %) with the 1,219 training rows, 30 / 42 with the earlier 852; the misses are mostly
        // near-misses (other wallets, tax, mortgages).
        declineRate.ShouldBeGreaterThanOrEqualTo(0.70, fixture.Describe());
    }

    private static bool IsHan(char c) => c is >= '\u4e00' and <= '\u9fff';

    private static string Normalize(string text) =>
        string.Join(' ', new string(text.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : ' ').ToArray())
            .Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
