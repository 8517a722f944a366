using WalletDesk.Assistant.Intents;

namespace WalletDesk.Assistant.Tests;

public class ModelFileTests(WalletModelFixture fixture) : IClassFixture<WalletModelFixture>, IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"walletdesk-model-{Guid.NewGuid():N}.nlu");

    public void Dispose()
    {
        File.Delete(_path);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void SaveThenLoad_RoundTrip_GivesIdenticalPredictionsAndHeader()
    {
        fixture.Model.Save(_path);

        var loaded = IntentModel.Load(_path);

        loaded.Header.ModelVersion.ShouldBe(fixture.Model.Header.ModelVersion);
        loaded.Header.CreatedAt.ShouldBe(fixture.Model.Header.CreatedAt);
        loaded.Header.Labels.ShouldBe(fixture.Model.Header.Labels);
        loaded.Header.Hyperparameters["c"].ShouldBe(fixture.Model.Header.Hyperparameters["c"]);
        loaded.ConfidenceThreshold.ShouldBe(fixture.Model.ConfidenceThreshold);
        foreach (var text in new[] { "where is my refund", "转人工", "asdfgh", "card ending 4242 was charged twice" })
        {
            loaded.Predict(text).ShouldBe(fixture.Model.Predict(text), new PredictionComparer());
        }

        IntentModel.ReadHeader(_path).TrainingDataHash.ShouldBe(fixture.Model.Header.TrainingDataHash);
    }

    [Fact]
    public void Load_FlippedBodyByte_ReportsChecksumMismatch()
    {
        fixture.Model.Save(_path);
        var bytes = File.ReadAllBytes(_path);
        bytes[^10] ^= 0xFF;
        File.WriteAllBytes(_path, bytes);

        Should.Throw<ModelFormatException>(() => IntentModel.Load(_path)).Message.ShouldContain("checksum");
    }

    [Fact]
    public void Load_Truncated_ReportsTruncation()
    {
        fixture.Model.Save(_path);
        var bytes = File.ReadAllBytes(_path);
        File.WriteAllBytes(_path, bytes[..(bytes.Length / 2)]);

        Should.Throw<ModelFormatException>(() => IntentModel.Load(_path)).Message.ShouldContain("truncated");
    }

    [Fact]
    public void Load_OtherFormatVersion_ReportsVersion()
    {
        fixture.Model.Save(_path);
        var bytes = File.ReadAllBytes(_path);
        BitConverter.GetBytes(IntentModel.FormatVersion + 1).CopyTo(bytes, 8);
        File.WriteAllBytes(_path, bytes);

        Should.Throw<ModelFormatException>(() => IntentModel.Load(_path)).Message.ShouldContain($"version {IntentModel.FormatVersion + 1}");
    }

    [Fact]
    public void Load_VersionOneFile_FailsCleanlyAndAsksForRetraining()
    {
        // Version 1 had no network block; such a file must be refused, not misread.
        fixture.Model.Save(_path);
        var bytes = File.ReadAllBytes(_path);
        BitConverter.GetBytes(1).CopyTo(bytes, 8);
        File.WriteAllBytes(_path, bytes);

        var error = Should.Throw<ModelFormatException>(() => IntentModel.Load(_path));
        error.Message.ShouldContain("version 1");
        error.Message.ShouldContain("Retrain");
        Should.Throw<ModelFormatException>(() => IntentModel.ReadHeader(_path));
    }

    [Fact]
    public void SaveThenLoad_ModelWithNetwork_GivesIdenticalPredictions()
    {
        var data = WalletIntentModel.LoadTrainingData();
        var options = new IntentTrainerOptions
        {
            TimeProvider = new FixedTimeProvider(WalletModelFixture.TrainedAt),
            CandidateC = [1.0],
            CandidateNetworkWeight = [0.5],
            NetworkEpochs = 3,
        };
        var model = IntentTrainer.Train(data, options);
        model.Network.ShouldNotBeNull();
        model.Header.Hyperparameters["network_weight"].ShouldBe(0.5);

        model.Save(_path);
        var loaded = IntentModel.Load(_path);

        loaded.Network.ShouldNotBeNull();
        loaded.NetworkWeight.ShouldBe(0.5);
        foreach (var text in new[] { "where is my refund", "转人工", "asdfgh", "my top up failed again", "卡被锁了怎么办" })
        {
            loaded.Predict(text).ShouldBe(model.Predict(text), new PredictionComparer());
        }
    }

    [Fact]
    public void Load_NotAModel_ReportsBadMagic()
    {
        File.WriteAllText(_path, "text,label\nhello,greeting\n");

        Should.Throw<ModelFormatException>(() => IntentModel.Load(_path)).Message.ShouldContain("Not a WalletDesk NLU model");
    }

    [Fact]
    public void Train_SameDataAndSeed_IsDeterministic()
    {
        var data = WalletIntentModel.LoadTrainingData();
        var options = new IntentTrainerOptions { TimeProvider = new FixedTimeProvider(WalletModelFixture.TrainedAt), MaxDegreeOfParallelism = 2 };

        using var first = new MemoryStream();
        using var second = new MemoryStream();
        IntentTrainer.Train(data, options).Save(first);
        IntentTrainer.Train(data, options).Save(second);

        first.ToArray().ShouldBe(second.ToArray());
    }

    private sealed class PredictionComparer : IEqualityComparer<IntentPrediction>
    {
        public bool Equals(IntentPrediction? x, IntentPrediction? y) =>
            x is not null && y is not null && x.Intent == y.Intent && x.DeclineReason == y.DeclineReason
            && x.Ranked.Select(r => (r.Intent, Math.Round(r.Probability, 9))).SequenceEqual(y.Ranked.Select(r => (r.Intent, Math.Round(r.Probability, 9))));

        public int GetHashCode(IntentPrediction obj) => obj.Intent?.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}
