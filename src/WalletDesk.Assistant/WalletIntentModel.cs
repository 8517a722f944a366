using WalletDesk.Assistant.Intents;

namespace WalletDesk.Assistant;

/// <summary>
/// The product's own intent set (wallet support in English and Chinese), shipped as an embedded CSV
/// and trained on first use. Training from source takes a second or two, so there is no binary model
/// in the repository to drift out of date with the data or the code.
/// </summary>
public static class WalletIntentModel
{
    private const string ResourceName = "WalletDesk.Assistant.Data.wallet-intents.csv";

    private static readonly Lazy<IntentModel> Shared = new(() => TrainDefault(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The labels of the shipped intent set, including <c>out_of_scope</c>.</summary>
    public static IReadOnlyList<string> Labels => Default.Labels;

    /// <summary>A process-wide model trained from the embedded data on first access.</summary>
    public static IntentModel Default => Shared.Value;

    /// <summary>Reads the embedded training data.</summary>
    public static IReadOnlyList<LabeledExample> LoadTrainingData()
    {
        using var stream = typeof(WalletIntentModel).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return TrainingData.ReadCsv(reader, ResourceName);
    }

    /// <summary>Trains a fresh model from the embedded data with the default options.</summary>
    public static IntentModel TrainDefault(TimeProvider? timeProvider = null)
    {
        var data = LoadTrainingData();
        return IntentTrainer.Train(data, new IntentTrainerOptions
        {
            TimeProvider = timeProvider ?? TimeProvider.System,
            ModelVersion = "wallet-default-" + IntentTrainer.HashData(data)[..8],
        });
    }
}
