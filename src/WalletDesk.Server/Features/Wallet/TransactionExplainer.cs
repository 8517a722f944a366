using System.Globalization;
using WalletDesk.Server.Features.Wallet.Ledger;

namespace WalletDesk.Server.Features.Wallet;

/// <summary>A transaction in plain words: what happened, what to do next, and when to expect it.</summary>
/// <param name="Locale"><c>en</c> or <c>zh</c>.</param>
/// <param name="Summary">What happened, in one or two sentences.</param>
/// <param name="NextStep">What the customer (or agent) should do next.</param>
/// <param name="Timing">For pending items: the usual time and the expected time in the customer's time zone.</param>
public sealed record TransactionExplanation(string Locale, string Summary, string NextStep, string? Timing);

/// <summary>
/// The one place that turns statuses and reason codes into words, in English and Simplified Chinese.
/// Agents, the assistant and the customer portal all use it, so everyone tells the customer the same thing.
/// </summary>
public sealed class TransactionExplainer(TimeProvider time)
{
    public static readonly IReadOnlyList<string> Locales = ["en", "zh"];

    private sealed record Text(string Summary, string Next);

    private sealed record Entry(Text En, Text Zh, string? UsualEn = null, string? UsualZh = null);

    // Reason texts. {type} is the transaction type word, {amount} the formatted amount, {counterparty} the other party.
    private static readonly Dictionary<string, Entry> Reasons = new(StringComparer.Ordinal)
    {
        [ReasonCodes.SourceDeclined] = new(
            new("Your bank or card issuer declined the {type}. Nothing was taken from your wallet.", "Try another card or bank account, or contact your bank to ask why it was declined."),
            new("您的银行或发卡行拒绝了本次{type}，钱包未被扣款。", "请换一张银行卡或银行账户，或联系您的银行了解拒绝原因。")),
        ["top_up:" + ReasonCodes.SourceDeclined] = new(
            new("Your bank declined the top-up. Nothing was taken from your account.", "Try another card or contact your bank."),
            new("您的银行拒绝了本次充值，账户未被扣款。", "请尝试其他银行卡，或联系您的银行。")),
        ["withdrawal:" + ReasonCodes.SourceDeclined] = new(
            new("Your bank refused the withdrawal. The money is back in your wallet.", "Check the bank account details in the app, or withdraw to another account."),
            new("您的银行拒绝了本次提现，款项已退回您的钱包。", "请在应用中核对银行账户信息，或提现到其他账户。")),
        [ReasonCodes.InsufficientFunds] = new(
            new("There was not enough money available for the {type}, so it did not go through. Nothing was taken.", "Top up your wallet or choose a smaller amount, then try again."),
            new("可用余额不足，本次{type}未能完成，未扣任何款项。", "请先为钱包充值或减少金额后重试。")),
        [ReasonCodes.DailyLimitExceeded] = new(
            new("This {type} would go over your daily limit, so it was stopped. Nothing was taken.", "Try again tomorrow, or verify your identity in the app to raise your limit."),
            new("本次{type}超出了您的每日限额，已被拦截，未扣任何款项。", "请明天再试，或在应用中完成身份认证以提高限额。")),
        [ReasonCodes.RiskReview] = new(
            new("The {type} is being checked by our security team, which we do for some larger or unusual payments. The money is reserved, not lost.", "You don't need to do anything. If we need more information we will contact you in the app."),
            new("出于安全原因，本次{type}正在接受安全审核（部分大额或异常交易需要审核）。款项已被冻结保留，不会丢失。", "您无需任何操作。如需更多信息，我们会在应用内联系您。"),
            "usually within 4 hours", "通常在 4 小时内完成"),
        [ReasonCodes.BankCutoff] = new(
            new("The {type} reached your bank after its daily cut-off time, so the bank will process it on the next working day.", "You don't need to do anything; please don't send it again."),
            new("本次{type}在银行当日截止时间之后提交，银行将在下一个工作日处理。", "您无需任何操作，请不要重复提交。"),
            "on the next working day", "下一个工作日处理"),
        [ReasonCodes.BankProcessing] = new(
            new("The {type} is being processed by the bank.", "You don't need to do anything; please don't send it again."),
            new("银行正在处理本次{type}。", "您无需任何操作，请不要重复提交。"),
            "usually arrives within 2 hours", "通常在 2 小时内到账"),
        [ReasonCodes.NetworkTimeout] = new(
            new("The connection to the bank timed out, so we are confirming the {type} with them. You will not be charged twice.", "Wait a few minutes before trying again; it usually resolves by itself."),
            new("与银行的连接超时，我们正在与银行确认本次{type}。您不会被重复扣款。", "请稍等几分钟再重试，通常会自动恢复。"),
            "usually within a few minutes", "通常在几分钟内完成"),
        [ReasonCodes.AccountLocked] = new(
            new("Your account is locked, so the {type} could not go ahead. Nothing was taken.", "Open the app to confirm it is you, or contact support to unlock your account."),
            new("您的账户已被锁定，本次{type}无法进行，未扣任何款项。", "请打开应用完成身份确认，或联系客服解锁账户。")),
        [ReasonCodes.OutgoingFrozen] = new(
            new("Outgoing payments from your account are paused, so the {type} was stopped. Nothing was taken.", "Contact support; they will help you resume payments once your identity is confirmed in the app."),
            new("您账户的转出功能已暂停，本次{type}已被拦截，未扣任何款项。", "请联系客服，在应用内确认身份后即可恢复转出。")),
        [ReasonCodes.CoolingOffHold] = new(
            new("Your account was recently unlocked or changed through support, so outgoing money is held for a short safety period. The {type} will go ahead when it ends.", "You don't need to do anything. If you did not ask for this change, contact us straight away."),
            new("您的账户最近通过客服解锁或变更，转出资金会有一段短暂的安全冷静期。冷静期结束后本次{type}将自动继续。", "您无需任何操作。如果这不是您本人申请的变更，请立即联系我们。"),
            "when the safety hold ends", "安全冷静期结束后处理"),
        [ReasonCodes.RiskRejected] = new(
            new("After a security review the {type} was not allowed. The money is back in your wallet.", "Contact support if you believe this is a mistake."),
            new("经安全审核，本次{type}未获通过，款项已退回您的钱包。", "如您认为有误，请联系客服。")),
        [ReasonCodes.RecipientUnavailable] = new(
            new("The recipient's wallet cannot receive money right now, so the {type} did not go through. Your money is back in your wallet.", "Check the recipient's details or ask them to contact support."),
            new("收款方钱包目前无法收款，本次{type}未能完成，款项已退回您的钱包。", "请核对收款方信息，或请对方联系客服。")),
        [ReasonCodes.ReversedBySupport] = new(
            new("Our support team reversed this {type}. Any money taken has been returned.", "No action is needed."),
            new("客服已将本次{type}冲正，已扣款项已退回。", "您无需任何操作。")),
        [ReasonCodes.RefundedBySupport] = new(
            new("Our support team refunded {amount} to your wallet.", "No action is needed; the money is available now."),
            new("客服已将 {amount} 退回您的钱包。", "您无需任何操作，款项现已可用。")),
        [ReasonCodes.DisputeOpen] = new(
            new("This transaction is under dispute; our team is looking into it.", "We will update you in the app. Please keep any receipts or messages about it."),
            new("该交易正在争议处理中，我们的团队正在调查。", "我们会在应用内通知您处理进展，请保留相关收据或聊天记录。")),
    };

    private static readonly Dictionary<string, Entry> Statuses = new(StringComparer.Ordinal)
    {
        [TransactionStatuses.Completed] = new(
            new("The {type} of {amount} is complete.", "No action is needed."),
            new("金额为 {amount} 的{type}已完成。", "您无需任何操作。")),
        [TransactionStatuses.Pending] = new(
            new("The {type} of {amount} is on its way.", "You don't need to do anything; please don't send it again."),
            new("金额为 {amount} 的{type}正在处理中。", "您无需任何操作，请不要重复提交。")),
        [TransactionStatuses.Failed] = new(
            new("The {type} of {amount} did not go through. Nothing was taken from your wallet.", "Try again, or contact support if it keeps failing."),
            new("金额为 {amount} 的{type}未能完成，钱包未被扣款。", "请重试；如多次失败，请联系客服。")),
        [TransactionStatuses.Reversed] = new(
            new("The {type} of {amount} was reversed. Any money taken has been returned.", "No action is needed."),
            new("金额为 {amount} 的{type}已被冲正，已扣款项已退回。", "您无需任何操作。")),
        [TransactionStatuses.Refunded] = new(
            new("The {type} of {amount} was refunded in full to your wallet.", "No action is needed; the money is available in your wallet."),
            new("金额为 {amount} 的{type}已全额退款至您的钱包。", "您无需任何操作，款项已在钱包中可用。")),
        [TransactionStatuses.PartiallyRefunded] = new(
            new("{refunded} of the {amount} {type} has been refunded to your wallet.", "No action is needed. If you expected a full refund, contact the merchant or support."),
            new("金额为 {amount} 的{type}中，已有 {refunded} 退回您的钱包。", "您无需任何操作。如您预期全额退款，请联系商户或客服。")),
    };

    private static readonly Dictionary<string, (string En, string Zh)> TypeWords = new(StringComparer.Ordinal)
    {
        [TransactionTypes.TopUp] = ("top-up", "充值"),
        [TransactionTypes.Withdrawal] = ("withdrawal", "提现"),
        [TransactionTypes.Transfer] = ("transfer", "转账"),
        [TransactionTypes.Payment] = ("payment", "付款"),
        [TransactionTypes.Refund] = ("refund", "退款"),
        [TransactionTypes.Reversal] = ("reversal", "冲正"),
        [TransactionTypes.Fee] = ("fee", "手续费"),
    };

    /// <summary>Whether a reason code has its own wording (every code in <see cref="ReasonCodes.All"/> does).</summary>
    public static bool Knows(string reasonCode) => Reasons.ContainsKey(reasonCode);

    /// <summary>Explains <paramref name="tx"/> in <paramref name="locale"/> (<c>zh*</c> → Chinese, else English), times shown in <paramref name="timeZone"/>.</summary>
    public TransactionExplanation Explain(WalletTransaction tx, string? locale, string? timeZone)
    {
        var zh = locale?.StartsWith("zh", StringComparison.OrdinalIgnoreCase) == true;
        var entry = tx.ReasonCode is { } code && tx.Status is TransactionStatuses.Pending or TransactionStatuses.Failed or TransactionStatuses.Reversed
            ? Reasons.GetValueOrDefault(tx.Type + ":" + code) ?? Reasons.GetValueOrDefault(code)
            : null;
        if (entry is null && tx.Type == TransactionTypes.Refund && tx.Status == TransactionStatuses.Completed && tx.ReasonCode == ReasonCodes.RefundedBySupport)
        {
            entry = Reasons[ReasonCodes.RefundedBySupport];
        }

        entry ??= Statuses.GetValueOrDefault(tx.Status) ?? Statuses[TransactionStatuses.Pending];
        var text = zh ? entry.Zh : entry.En;
        var summary = Fill(text.Summary, tx, zh);
        var next = Fill(text.Next, tx, zh);
        if (tx.DisputeOpen)
        {
            var dispute = zh ? Reasons[ReasonCodes.DisputeOpen].Zh : Reasons[ReasonCodes.DisputeOpen].En;
            summary += (zh ? "" : " ") + dispute.Summary;
            next = dispute.Next;
        }

        string? timing = null;
        if (tx.Status == TransactionStatuses.Pending)
        {
            var usual = zh ? entry.UsualZh : entry.UsualEn;
            var expected = tx.ExpectedSettlementAt is { } at ? FormatExpected(at, timeZone, zh) : null;
            timing = (usual, expected) switch
            {
                (not null, not null) => zh ? $"{usual}；预计 {expected} 前完成。" : $"{Capitalise(usual)}; expected by {expected}.",
                (null, not null) => zh ? $"预计 {expected} 前完成。" : $"Expected by {expected}.",
                (not null, null) => zh ? usual + "。" : Capitalise(usual) + ".",
                _ => null,
            };
        }

        return new TransactionExplanation(zh ? "zh" : "en", summary, next, timing);
    }

    private string FormatExpected(DateTimeOffset at, string? timeZone, bool zh) =>
        WalletDesk.Server.Infrastructure.ViewerTime.Format(at, LedgerService.Zone(timeZone), time.GetUtcNow(), zh);

    private static string Fill(string template, WalletTransaction tx, bool zh)
    {
        var word = TypeWords.TryGetValue(tx.Type, out var words) ? (zh ? words.Zh : words.En) : tx.Type;
        return template
            .Replace("{type}", word, StringComparison.Ordinal)
            .Replace("{amount}", Money.Format(tx.AmountMinor, tx.Currency), StringComparison.Ordinal)
            .Replace("{refunded}", Money.Format(tx.RefundedMinor, tx.Currency), StringComparison.Ordinal)
            .Replace("{counterparty}", tx.Counterparty ?? (zh ? "对方" : "the other party"), StringComparison.Ordinal);
    }

    private static string Capitalise(string value) => value.Length == 0 ? value : char.ToUpperInvariant(value[0]) + value[1..];
}
