using WalletDesk.Assistant.Intents;

namespace WalletDesk.Assistant.Tests;

/// <summary>Trains the shipped model once for all tests in the class.</summary>
public sealed class WalletModelFixture
{
    public static readonly DateTimeOffset TrainedAt = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    public IntentModel Model { get; } = WalletIntentModel.TrainDefault(new FixedTimeProvider(TrainedAt));
}

public class WalletIntentModelTests(WalletModelFixture fixture) : IClassFixture<WalletModelFixture>
{
    private readonly IntentModel _model = fixture.Model;

    [Theory]
    [InlineData("my top up failed twice", "topup_failed")]
    [InlineData("我的转账还没到", "transfer_not_arrived")]
    [InlineData("转人工", "talk_to_human")]
    [InlineData("someone logged into my account from a new phone", "suspicious_activity")]
    [InlineData("i forgot my pasword", "forgot_password")]
    [InlineData("I was charged twice for the same coffee", "incorrect_amount")]
    [InlineData("退款怎么还没有到我的账户", "refund_status")]
    [InlineData("收不到短信验证码", "verification_code_not_received")]
    [InlineData("how do i link my bank account", "link_bank_or_card")]
    [InlineData("hi", "greeting")]
    [InlineData("thank you!!", "thanks")]
    public void Predict_ScriptedPhrase_MapsToIntent(string text, string intent)
    {
        var prediction = _model.Predict(text);

        prediction.Intent.ShouldBe(intent, $"ranked: {string.Join(", ", prediction.Ranked)}; reason {prediction.DeclineReason}");
        prediction.IsOutOfScope.ShouldBeFalse();
    }

    [Theory]
    [InlineData("what's the weather in Paris")]
    [InlineData("asdfgh")]
    [InlineData("讲一个笑话给我听")]
    [InlineData("who won the world cup")]
    public void Predict_OffTopic_IsDeclined(string text)
    {
        var prediction = _model.Predict(text);

        prediction.IsOutOfScope.ShouldBeTrue($"accepted as {prediction.Intent} ({prediction.Confidence:F3})");
        prediction.DeclineReason.ShouldNotBe(DeclineReason.None);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("?!...")]
    public void Predict_NoText_DeclinedAsEmpty(string text)
    {
        _model.Predict(text).DeclineReason.ShouldBe(DeclineReason.EmptyInput);
    }

    [Fact]
    public void Predict_VeryLongInput_StillClassifies()
    {
        var text = "my top up failed again. " + string.Concat(Enumerable.Repeat("blah ", 20_000));

        _model.Predict(text).TopCandidate.ShouldBe("topup_failed");
    }

    [Fact]
    public void Predict_Probabilities_AreRankedAndSumAtMostOne()
    {
        var prediction = _model.Predict("where is my refund");

        prediction.Ranked.Count.ShouldBe(5);
        prediction.Ranked.Select(r => r.Probability).ShouldBeInOrder(SortDirection.Descending);
        prediction.Ranked.Sum(r => r.Probability).ShouldBeLessThanOrEqualTo(1.0 + 1e-9);
        prediction.Confidence.ShouldBe(prediction.Ranked[0].Probability);
    }

    [Fact]
    public void Train_FixedClockAndData_StampsHeader()
    {
        var header = _model.Header;

        header.CreatedAt.ShouldBe(WalletModelFixture.TrainedAt);
        header.FormatVersion.ShouldBe(IntentModel.FormatVersion);
        header.ModelVersion.ShouldStartWith("wallet-default-");
        header.TrainingDataHash.Length.ShouldBe(64);
        header.Labels.ShouldContain("out_of_scope");
        header.Hyperparameters["temperature"].ShouldBeGreaterThan(0);
        header.Metrics["inner_cv_accuracy"].ShouldBeGreaterThan(0.6);
    }
}
