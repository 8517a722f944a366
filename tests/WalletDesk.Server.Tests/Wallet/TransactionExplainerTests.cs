using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Wallet;

public sealed class TransactionExplainerTests
{
    // 2026-11-23 06:00 UTC is 14:00 in Shanghai.
    private static readonly TestClock Clock = new(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero));
    private static readonly TransactionExplainer Explainer = new(Clock);

    private static WalletTransaction Tx(string type, string status, string? reason, DateTimeOffset? expected = null, long amount = 12_345, string currency = "CNY", long refunded = 0) =>
        new("t1", "WT0000000001", type, "out", amount, currency, status, reason, "Luckin Coffee", null, Clock.GetUtcNow(), Clock.GetUtcNow(), expected, refunded, null, false);

    public static TheoryData<string, string> EveryReasonInEveryLocale()
    {
        var data = new TheoryData<string, string>();
        foreach (var reason in ReasonCodes.All)
        {
            foreach (var locale in TransactionExplainer.Locales)
            {
                data.Add(reason, locale);
            }
        }

        return data;
    }

    [Theory, MemberData(nameof(EveryReasonInEveryLocale))]
    public void EveryReasonCode_HasItsOwnWordsAndANextStep(string reason, string locale)
    {
        TransactionExplainer.Knows(reason).ShouldBeTrue();
        var status = reason is ReasonCodes.RiskReview or ReasonCodes.BankCutoff or ReasonCodes.BankProcessing or ReasonCodes.NetworkTimeout or ReasonCodes.CoolingOffHold
            ? TransactionStatuses.Pending
            : reason == ReasonCodes.ReversedBySupport ? TransactionStatuses.Reversed : TransactionStatuses.Failed;
        var type = reason == ReasonCodes.RefundedBySupport ? TransactionTypes.Refund : TransactionTypes.Transfer;
        if (reason is ReasonCodes.RefundedBySupport or ReasonCodes.DisputeOpen)
        {
            status = TransactionStatuses.Completed;
        }

        var tx = Tx(type, status, reason) with { DisputeOpen = reason == ReasonCodes.DisputeOpen };
        var generic = Explainer.Explain(Tx(type, status, null), locale, "Asia/Shanghai");
        var explained = Explainer.Explain(tx, locale, "Asia/Shanghai");

        explained.Summary.ShouldNotBeNullOrWhiteSpace();
        explained.NextStep.ShouldNotBeNullOrWhiteSpace();
        explained.Summary.ShouldNotBe(generic.Summary, $"{reason} falls back to the generic {status} text");
        explained.Summary.ShouldNotContain("{");
        explained.Locale.ShouldBe(locale);
        if (locale == "zh")
        {
            explained.Summary.ShouldMatch(@"\p{IsCJKUnifiedIdeographs}");
        }
        else
        {
            explained.Summary.ShouldNotMatch(@"\p{IsCJKUnifiedIdeographs}");
        }
    }

    [Theory]
    [MemberData(nameof(EveryStatus))]
    public void EveryStatus_IsExplainedInBothLanguages(string status)
    {
        var en = Explainer.Explain(Tx(TransactionTypes.Payment, status, null, refunded: status == TransactionStatuses.PartiallyRefunded ? 4_000 : 0), "en", "UTC");
        var zh = Explainer.Explain(Tx(TransactionTypes.Payment, status, null, refunded: status == TransactionStatuses.PartiallyRefunded ? 4_000 : 0), "zh-CN", "UTC");
        en.Summary.ShouldContain("123.45 CNY");
        zh.Summary.ShouldContain("123.45 CNY");
        zh.Summary.ShouldMatch(@"\p{IsCJKUnifiedIdeographs}");
        if (status == TransactionStatuses.PartiallyRefunded)
        {
            en.Summary.ShouldStartWith("40.00 CNY of the 123.45 CNY payment");
        }
    }

    public static TheoryData<string> EveryStatus() => new(TransactionStatuses.All);

    [Fact]
    public void DeclinedTopUp_ReadsLikeTheIssueSays()
    {
        var en = Explainer.Explain(Tx(TransactionTypes.TopUp, TransactionStatuses.Failed, ReasonCodes.SourceDeclined), "en", "UTC");
        en.Summary.ShouldBe("Your bank declined the top-up. Nothing was taken from your account.");
        en.NextStep.ShouldBe("Try another card or contact your bank.");
        var zh = Explainer.Explain(Tx(TransactionTypes.TopUp, TransactionStatuses.Failed, ReasonCodes.SourceDeclined), "zh", "UTC");
        zh.Summary.ShouldStartWith("您的银行拒绝了本次充值，账户未被扣款");
    }

    [Fact]
    public void PendingItem_ShowsUsualAndExpectedTime_InTheCustomersTimeZone()
    {
        var expected = new DateTimeOffset(2026, 11, 23, 8, 40, 0, TimeSpan.Zero); // 16:40 in Shanghai, 03:40 in New York
        var shanghai = Explainer.Explain(Tx(TransactionTypes.TopUp, TransactionStatuses.Pending, ReasonCodes.BankProcessing, expected), "en", "Asia/Shanghai");
        shanghai.Timing.ShouldBe("Usually arrives within 2 hours; expected by today 16:40.");
        var zh = Explainer.Explain(Tx(TransactionTypes.TopUp, TransactionStatuses.Pending, ReasonCodes.BankProcessing, expected), "zh", "Asia/Shanghai");
        zh.Timing.ShouldBe("通常在 2 小时内到账；预计 今天 16:40 前完成。");
        var newYork = Explainer.Explain(Tx(TransactionTypes.TopUp, TransactionStatuses.Pending, ReasonCodes.BankProcessing, expected), "en", "America/New_York");
        newYork.Timing.ShouldBe("Usually arrives within 2 hours; expected by today 03:40.");

        var cutoff = Explainer.Explain(Tx(TransactionTypes.Withdrawal, TransactionStatuses.Pending, ReasonCodes.BankCutoff, new DateTimeOffset(2026, 11, 24, 1, 30, 0, TimeSpan.Zero)), "en", "Asia/Shanghai");
        cutoff.Timing.ShouldBe("On the next working day; expected by tomorrow 09:30.");
        Explainer.Explain(Tx(TransactionTypes.Transfer, TransactionStatuses.Completed, null), "en", "UTC").Timing.ShouldBeNull();
    }
}
