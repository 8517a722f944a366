using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using WalletDesk.Assistant;
using WalletDesk.Assistant.Intents;

namespace WalletDesk.Cli.Assistant;

/// <summary>
/// <c>walletdesk bench assistant</c>: cross-validated quality, training time, load time and prediction
/// latency on BANKING77, next to a plain unigram TF-IDF nearest-centroid baseline measured in the same run, and
/// the plain TF-IDF linear SVM the published figures refer to (cross-validated the same way, so the
/// published test-split accuracy of that model anchors our cross-validated figure).
/// </summary>
internal static class AssistantBench
{
    public static Command CreateBench()
    {
        var data = new Option<FileInfo>("--data")
        {
            Description = "Labelled CSV (text,label or text,category). Default: ../shared/datasets/banking77/train.csv next to the repository.",
        };
        var folds = new Option<int>("--folds") { Description = "Cross-validation folds.", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Seed for the fold split.", DefaultValueFactory = _ => 42 };
        var command = new Command("assistant", "Benchmark the intent classifier (accuracy, training time, load time, latency) against a baseline.") { data, folds, seed };
        command.SetAction(parse => AssistantCommands.Run(() =>
        {
            var path = parse.GetValue(data)?.FullName ?? DefaultDataPath()
                ?? throw new FileNotFoundException("BANKING77 not found: pass --data FILE.csv (looked for ../shared/datasets/banking77/train.csv above the working directory).");
            var k = parse.GetValue(folds);
            if (k < 2)
            {
                throw new ArgumentException("--folds must be at least 2.");
            }

            Execute(path, k, parse.GetValue(seed));
        }));
        return command;
    }

    private static void Execute(string path, int folds, int seed)
    {
        var rows = TrainingData.ReadCsv(path);
        var labels = rows.Select(r => r.Label).Distinct(StringComparer.Ordinal).Count();
        AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{rows.Count} rows, {labels} labels, {folds}-fold stratified CV (seed {seed}), {Environment.ProcessorCount} cores"));

        var progress = new AssistantCommands.SyncProgress(line => AnsiConsole.WriteLine("  model    " + line));
        var model = IntentEvaluator.CrossValidate(rows, folds, seed, r => IntentTrainer.Train(r), progress: progress);
        var baseline = IntentEvaluator.CrossValidate(rows, folds, seed, BaselineClassifier.Train,
            progress: new AssistantCommands.SyncProgress(line => AnsiConsole.WriteLine("  baseline " + line)));
        var reference = IntentEvaluator.CrossValidate(rows, folds, seed, r => ReferenceLinearClassifier.Train(r, seed),
            progress: new AssistantCommands.SyncProgress(line => AnsiConsole.WriteLine("  linear   " + line)));

        var stopwatch = Stopwatch.StartNew();
        var full = IntentTrainer.Train(rows);
        var trainTime = stopwatch.Elapsed;
        stopwatch.Restart();
        var fullBaseline = BaselineClassifier.Train(rows);
        var baselineTrainTime = stopwatch.Elapsed;

        var file = Path.Combine(Path.GetTempPath(), $"walletdesk-bench-{Environment.ProcessId}.nlu");
        TimeSpan loadTime;
        long fileSize;
        IntentModel loaded;
        try
        {
            full.Save(file);
            fileSize = new FileInfo(file).Length;
            stopwatch.Restart();
            loaded = IntentModel.Load(file);
            loadTime = stopwatch.Elapsed;
        }
        finally
        {
            File.Delete(file);
        }

        var latency = Latency(loaded, rows);
        var baselineLatency = Latency(fullBaseline, rows);

        var table = new Table().AddColumns("", "model", "baseline (unigram TF-IDF, nearest centroid)", "ratio");
        var anchor = new Table().AddColumns("", "model", "reference (word 1–2-gram TF-IDF, linear SVM)", "difference");
        string P(double v) => v.ToString("P2", CultureInfo.InvariantCulture);
        string Ms(double v) => v.ToString("F3", CultureInfo.InvariantCulture) + " ms";
        string X(double v) => v.ToString("F2", CultureInfo.InvariantCulture) + "x";
        AssistantCommands.AddRow(table, $"{folds}-fold CV accuracy", P(model.Pooled.Accuracy), P(baseline.Pooled.Accuracy), X(model.Pooled.Accuracy / baseline.Pooled.Accuracy));
        AssistantCommands.AddRow(table, "fold accuracy sd", P(model.FoldAccuracyStdDev), P(baseline.FoldAccuracyStdDev), "");
        AssistantCommands.AddRow(table, "macro-F1", P(model.Pooled.MacroF1), P(baseline.Pooled.MacroF1), X(model.Pooled.MacroF1 / baseline.Pooled.MacroF1));
        AssistantCommands.AddRow(table, "error rate", P(1 - model.Pooled.Accuracy), P(1 - baseline.Pooled.Accuracy), X((1 - model.Pooled.Accuracy) / (1 - baseline.Pooled.Accuracy)));
        AssistantCommands.AddRow(table, "in-scope rows declined (CV)", $"{model.Pooled.InScopeDeclined} / {model.Pooled.InScopeRows}", "n/a", "");
        AssistantCommands.AddRow(table, "precision when answering (CV)", P(model.Pooled.AcceptedPrecision), "n/a", "");
        AssistantCommands.AddRow(table, "training, all rows", Seconds(trainTime), Seconds(baselineTrainTime), X(trainTime / baselineTrainTime));
        AssistantCommands.AddRow(table, "model file / load time", $"{fileSize / 1024} KiB / {Ms(loadTime.TotalMilliseconds)}", "", "");
        AssistantCommands.AddRow(table, "predict p50", Ms(latency.P50), Ms(baselineLatency.P50), X(latency.P50 / baselineLatency.P50));
        AssistantCommands.AddRow(table, "predict p99", Ms(latency.P99), Ms(baselineLatency.P99), X(latency.P99 / baselineLatency.P99));
        AssistantCommands.AddRow(table, "predict max", Ms(latency.Max), Ms(baselineLatency.Max), X(latency.Max / baselineLatency.Max));
        AnsiConsole.Write(table);

        // The reference is the "plain TF-IDF linear model" of the published BANKING77 results (about 90 % on the
        // official test split); its CV figure here says how CV on this split compares with that test split.
        string Pt(double v) => (v * 100).ToString("+0.00;-0.00", CultureInfo.InvariantCulture) + " points";
        AssistantCommands.AddRow(anchor, $"{folds}-fold CV accuracy", P(model.Pooled.Accuracy), P(reference.Pooled.Accuracy), Pt(model.Pooled.Accuracy - reference.Pooled.Accuracy));
        AssistantCommands.AddRow(anchor, "macro-F1", P(model.Pooled.MacroF1), P(reference.Pooled.MacroF1), Pt(model.Pooled.MacroF1 - reference.Pooled.MacroF1));
        AnsiConsole.Write(anchor);

        var confusions = new Table().AddColumns("expected", "predicted", "count");
        foreach (var c in model.Pooled.TopConfusions)
        {
            AssistantCommands.AddRow(confusions, c.Expected, c.Predicted, c.Count.ToString(CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(confusions);
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) + " s";

    private sealed record LatencySummary(double P50, double P99, double Max);

    /// <summary>Single-threaded latency of every row after a warm-up, so JIT and first-touch costs are excluded.</summary>
    private static LatencySummary Latency(IIntentClassifier classifier, IReadOnlyList<LabeledExample> rows)
    {
        foreach (var row in rows.Take(500))
        {
            classifier.Predict(row.Text);
        }

        var samples = new double[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            classifier.Predict(rows[i].Text);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(samples);
        return new LatencySummary(samples[samples.Length / 2], samples[Math.Min(samples.Length - 1, (int)(samples.Length * 0.99))], samples[^1]);
    }

    private static string? DefaultDataPath()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "WalletDesk.slnx")))
                {
                    var candidate = Path.Combine(dir.FullName, "..", "shared", "datasets", "banking77", "train.csv");
                    return File.Exists(candidate) ? Path.GetFullPath(candidate) : null;
                }
            }
        }

        return null;
    }
}
