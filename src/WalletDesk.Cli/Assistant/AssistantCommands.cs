using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using WalletDesk.Assistant;
using WalletDesk.Assistant.Entities;
using WalletDesk.Assistant.Intents;

namespace WalletDesk.Cli.Assistant;

/// <summary><c>walletdesk assistant train|eval|predict</c>: offline tooling for the intent classifier.</summary>
internal static class AssistantCommands
{
    public static Command Create()
    {
        var command = new Command("assistant", "Train, evaluate and try the assistant's intent classifier.");
        command.Subcommands.Add(CreateTrain());
        command.Subcommands.Add(CreateEval());
        command.Subcommands.Add(CreatePredict());
        AssistantModelCommands.AddTo(command);
        return command;
    }

    private static Command CreateTrain()
    {
        var data = new Option<FileInfo>("--data") { Description = "Training CSV with columns text,label (or text,category).", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the model file.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed for folds and solver order.", DefaultValueFactory = _ => new IntentTrainerOptions().Seed };
        var command = new Command("train", "Train a model from a CSV file and save it.") { data, output, seed };
        command.SetAction(parse => Run(() =>
        {
            var rows = TrainingData.ReadCsv(parse.GetValue(data)!.FullName);
            var stopwatch = Stopwatch.StartNew();
            var model = IntentTrainer.Train(rows, new IntentTrainerOptions { Seed = parse.GetValue(seed) });
            var trainTime = stopwatch.Elapsed;
            var path = parse.GetValue(output)!.FullName;
            model.Save(path);
            var h = model.Header;
            AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Trained {h.ModelVersion} on {h.TrainingRows} rows, {h.Labels.Count} labels in {trainTime.TotalSeconds:F1} s"));
            AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"C={h.Hyperparameters["c"]}, temperature={h.Hyperparameters["temperature"]:F3}, confidence threshold={model.ConfidenceThreshold:F3}, similarity floor={model.SimilarityFloor:F3}, inner-CV accuracy={h.Metrics.GetValueOrDefault("inner_cv_accuracy"):P2}"));
            AnsiConsole.WriteLine($"Saved to {path} ({new FileInfo(path).Length / 1024} KiB)");
        }));
        return command;
    }

    private static Command CreateEval()
    {
        var model = new Option<FileInfo>("--model") { Description = "Model file to evaluate (with --test)." };
        var test = new Option<FileInfo>("--test") { Description = "Held-out CSV to evaluate the model on." };
        var data = new Option<FileInfo>("--data") { Description = "CSV to cross-validate on (instead of --model/--test)." };
        var folds = new Option<int>("--folds") { Description = "Number of cross-validation folds.", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Seed for the fold split.", DefaultValueFactory = _ => 42 };
        var command = new Command("eval", "Evaluate a saved model on a test file, or cross-validate on a data file.") { model, test, data, folds, seed };
        command.Validators.Add(result =>
        {
            var hasModel = result.GetValue(model) is not null;
            var hasData = result.GetValue(data) is not null;
            if (hasModel == hasData || hasModel != (result.GetValue(test) is not null))
            {
                result.AddError("Use either --model MODEL --test FILE.csv, or --data FILE.csv [--folds N].");
            }
        });
        command.SetAction(parse => Run(() =>
        {
            if (parse.GetValue(data) is { } dataFile)
            {
                var k = parse.GetValue(folds);
                if (k < 2)
                {
                    throw new ArgumentException("--folds must be at least 2.");
                }

                var rows = TrainingData.ReadCsv(dataFile.FullName);
                var report = IntentEvaluator.CrossValidate(rows, k, parse.GetValue(seed), r => IntentTrainer.Train(r),
                    progress: new SyncProgress(line => AnsiConsole.WriteLine(line)));
                AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{k}-fold cross-validation on {rows.Count} rows (seed {parse.GetValue(seed)}), fold accuracy sd {report.FoldAccuracyStdDev:P2}, training {report.TotalTrainingTime.TotalSeconds:F1} s total"));
                Print(report.Pooled);
            }
            else
            {
                var loaded = IntentModel.Load(parse.GetValue(model)!.FullName);
                var rows = TrainingData.ReadCsv(parse.GetValue(test)!.FullName);
                AnsiConsole.WriteLine($"Model {loaded.Header.ModelVersion} on {rows.Count} rows");
                Print(IntentEvaluator.Evaluate(loaded, rows));
            }
        }));
        return command;
    }

    private static Command CreatePredict()
    {
        var model = new Option<FileInfo>("--model") { Description = "Model file; without it the shipped wallet model is trained and used." };
        var text = new Argument<string>("text") { Description = "The customer message." };
        var command = new Command("predict", "Classify one message and extract its entities.") { model, text };
        command.SetAction(parse => Run(() =>
        {
            IIntentClassifier classifier = parse.GetValue(model) is { } file ? IntentModel.Load(file.FullName) : WalletIntentModel.Default;
            var message = parse.GetValue(text) ?? string.Empty;
            var prediction = classifier.Predict(message);
            AnsiConsole.WriteLine(prediction.IsOutOfScope
                ? string.Create(CultureInfo.InvariantCulture, $"declined ({prediction.DeclineReason}); best guess {prediction.TopCandidate ?? "-"} {prediction.Confidence:P1}")
                : string.Create(CultureInfo.InvariantCulture, $"{prediction.Intent} {prediction.Confidence:P1}"));
            var table = new Table().AddColumns("intent", "probability");
            foreach (var score in prediction.Ranked)
            {
                AddRow(table, score.Intent, score.Probability.ToString("P1", CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(table);
            var entities = EntityExtractor.Extract(message, TimeProvider.System.GetUtcNow(), TimeProvider.System.LocalTimeZone);
            foreach (var entity in entities)
            {
                Console.WriteLine("entity: " + Describe(entity));
            }
        }));
        return command;
    }

    private static string Describe(Entity entity) => entity switch
    {
        MoneyEntity m => string.Create(CultureInfo.InvariantCulture, $"money {m.MinorUnits} minor units {m.Currency} ('{m.Text}')"),
        DateEntity d => string.Create(CultureInfo.InvariantCulture, $"date {d.Date:yyyy-MM-dd} ('{d.Text}')"),
        CardLast4Entity c => $"card last-4 {c.Last4} ('{c.Text}')",
        PhoneNumberEntity p => $"phone {p.E164} ('{p.Text}')",
        TransactionReferenceEntity t => $"transaction reference {t.Reference} ('{t.Text}')",
        _ => entity.ToString(),
    };

    internal static void Print(EvaluationReport report)
    {
        var summary = new Table().AddColumns("metric", "value");
        AddRow(summary, "accuracy (top candidate, in-scope rows)", report.Accuracy.ToString("P2", CultureInfo.InvariantCulture));
        AddRow(summary, "macro-F1", report.MacroF1.ToString("P2", CultureInfo.InvariantCulture));
        AddRow(summary, "open-set accuracy (declines count)", report.OpenSetAccuracy.ToString("P2", CultureInfo.InvariantCulture));
        AddRow(summary, "precision when answering", report.AcceptedPrecision.ToString("P2", CultureInfo.InvariantCulture));
        AddRow(summary, "in-scope rows wrongly declined", $"{report.InScopeDeclined} / {report.InScopeRows}");
        AddRow(summary, "out-of-scope rows declined", $"{report.OutOfScopeDeclined} / {report.OutOfScopeRows}");
        AnsiConsole.Write(summary);

        var perLabel = new Table().AddColumns("label", "precision", "recall", "F1", "support");
        foreach (var m in report.PerLabel.OrderBy(m => m.F1))
        {
            AddRow(perLabel, m.Label, m.Precision.ToString("P1", CultureInfo.InvariantCulture), m.Recall.ToString("P1", CultureInfo.InvariantCulture),
                m.F1.ToString("P1", CultureInfo.InvariantCulture), m.Support.ToString(CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(perLabel);
        var confusions = new Table().AddColumns("expected", "predicted", "count");
        foreach (var c in report.TopConfusions)
        {
            AddRow(confusions, c.Expected, c.Predicted, c.Count.ToString(CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(confusions);
    }

    /// <summary>Adds plain-text cells: labels and customer text may contain '[' which Spectre would parse as markup.</summary>
    internal static void AddRow(Table table, params string[] cells) => table.AddRow(cells.Select(c => (IRenderable)new Text(c)).ToArray());

    /// <summary>Runs a command body, turning expected failures into a one-line error and exit code 1.</summary>
    internal static int Run(Action body)
    {
        try
        {
            body();
            return 0;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or ModelFormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>Reports on the calling thread (<see cref="Progress{T}"/> would post to the thread pool and reorder output).</summary>
    internal sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
