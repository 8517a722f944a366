using System.Globalization;
using System.Text.RegularExpressions;

namespace WalletDesk.Server.Features.Wallet;

/// <summary>
/// Everything support needs from a wallet. Two implementations: the reference ledger in the same database
/// (<see cref="Ledger.ReferenceWalletGateway"/>) and an operator's REST API (<see cref="Http.HttpWalletGateway"/>).
/// Account ids are the wallet's own opaque strings. Nothing here returns a full card number or phone number.
/// </summary>
public interface IWalletGateway
{
    /// <summary>The account behind a customer (by the wallet's customer id, <c>Customer.ExternalId</c>); null when there is none.</summary>
    Task<WalletAccount?> FindAccountAsync(string customerExternalId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<WalletBalance>> GetBalancesAsync(string accountId, CancellationToken cancellationToken = default);

    /// <summary>Newest first. Transactions where the account is either side are included, as seen from that account.</summary>
    Task<WalletTransactionPage> ListTransactionsAsync(string accountId, WalletTransactionQuery query, CancellationToken cancellationToken = default);

    /// <summary>One transaction by id or reference, only when <paramref name="accountId"/> is a party to it.</summary>
    Task<WalletTransaction?> GetTransactionAsync(string accountId, string idOrReference, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<WalletSecurityEvent>> ListSecurityEventsAsync(string accountId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Sends a one-time code to the customer's registered device; the code never comes back to support.</summary>
    Task<StepUpChallenge> StartStepUpAsync(string accountId, string purpose, CancellationToken cancellationToken = default);

    /// <summary>The customer enters the code in the wallet app (customer-token authenticated, never through chat or email).</summary>
    Task<StepUpOutcome> CompleteStepUpAsync(string accountId, string challengeId, string code, CancellationToken cancellationToken = default);

    /// <summary>The newest passed and not yet used step-up at or after <paramref name="passedSince"/>, if any.</summary>
    Task<StepUpChallenge?> FindFreshStepUpAsync(string accountId, DateTimeOffset passedSince, CancellationToken cancellationToken = default);

    /// <summary>Runs a support action exactly once per <see cref="WalletActionCommand.IdempotencyKey"/>; a repeat returns the first result.</summary>
    /// <exception cref="WalletUnavailableException">The wallet could not be reached; when <see cref="WalletUnavailableException.OutcomeUnknown"/> the action may have happened: query <see cref="GetActionAsync"/>.</exception>
    Task<WalletActionResult> ExecuteAsync(WalletActionCommand command, CancellationToken cancellationToken = default);

    /// <summary>The result of an earlier action by its idempotency key; null when the wallet never saw it.</summary>
    Task<WalletActionResult?> GetActionAsync(string idempotencyKey, CancellationToken cancellationToken = default);
}

/// <summary>The wallet could not answer. Reads are safe to retry later; for actions see <see cref="OutcomeUnknown"/>.</summary>
public sealed class WalletUnavailableException(string message, bool outcomeUnknown = false, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The request may have reached the wallet and taken effect.</summary>
    public bool OutcomeUnknown { get; } = outcomeUnknown;
}

public static class AccountStatuses
{
    public const string Active = "active";
    public const string Locked = "locked";
    public const string Frozen = "frozen";
    public const string Closed = "closed";
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Active, Locked, Frozen, Closed };
}

public static class KycStates
{
    public const string Unverified = "unverified";
    public const string Pending = "pending";
    public const string Verified = "verified";
    public const string Rejected = "rejected";
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Unverified, Pending, Verified, Rejected };
}

public static class TransactionTypes
{
    public const string TopUp = "top_up";
    public const string Withdrawal = "withdrawal";
    public const string Transfer = "transfer";
    public const string Payment = "payment";
    public const string Refund = "refund";
    public const string Reversal = "reversal";
    public const string Fee = "fee";
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { TopUp, Withdrawal, Transfer, Payment, Refund, Reversal, Fee };
}

public static class TransactionStatuses
{
    public const string Pending = "pending";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Reversed = "reversed";
    public const string Refunded = "refunded";
    public const string PartiallyRefunded = "partially_refunded";
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Pending, Completed, Failed, Reversed, Refunded, PartiallyRefunded };
}

/// <summary>Machine reason codes for failures and delays. Each has an explanation in <see cref="TransactionExplainer"/>.</summary>
public static class ReasonCodes
{
    public const string SourceDeclined = "source_declined";
    public const string InsufficientFunds = "insufficient_funds";
    public const string DailyLimitExceeded = "daily_limit_exceeded";
    public const string RiskReview = "risk_review";
    public const string BankCutoff = "bank_cutoff";
    public const string NetworkTimeout = "network_timeout";
    public const string BankProcessing = "bank_processing";
    public const string AccountLocked = "account_locked";
    public const string OutgoingFrozen = "outgoing_frozen";
    public const string CoolingOffHold = "cooling_off_hold";
    public const string RiskRejected = "risk_rejected";
    public const string RecipientUnavailable = "recipient_unavailable";
    public const string ReversedBySupport = "reversed_by_support";
    public const string RefundedBySupport = "refunded_by_support";
    public const string DisputeOpen = "dispute_open";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        SourceDeclined, InsufficientFunds, DailyLimitExceeded, RiskReview, BankCutoff, NetworkTimeout, BankProcessing,
        AccountLocked, OutgoingFrozen, CoolingOffHold, RiskRejected, RecipientUnavailable, ReversedBySupport, RefundedBySupport, DisputeOpen,
    };
}

public static class SecurityEventKinds
{
    public const string SignIn = "sign_in";
    public const string NewDevice = "new_device";
    public const string PasswordChanged = "password_changed";
    public const string PhoneChanged = "phone_changed";
    public const string VerificationFailed = "verification_failed";
    public const string VerificationCodeSent = "verification_code_sent";
    public const string StepUpPassed = "step_up_passed";
    public const string AccountLocked = "account_locked";
    public const string AccountUnlocked = "account_unlocked";
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        SignIn, NewDevice, PasswordChanged, PhoneChanged, VerificationFailed, VerificationCodeSent, StepUpPassed, AccountLocked, AccountUnlocked,
    };
}

/// <summary>Support actions a staff member can take on a wallet.</summary>
public static class WalletActionKinds
{
    public const string Lock = "lock";
    public const string Unlock = "unlock";
    public const string FreezeOutgoing = "freeze_outgoing";
    public const string UnfreezeOutgoing = "unfreeze_outgoing";
    public const string Refund = "refund";
    public const string Reversal = "reversal";
    public const string ResendVerificationCode = "resend_verification_code";
    public const string FlagDispute = "flag_dispute";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Lock, Unlock, FreezeOutgoing, UnfreezeOutgoing, Refund, Reversal, ResendVerificationCode, FlagDispute,
    };

    /// <summary>Actions that hand control of the account or its money back: they need a fresh in-app step-up.</summary>
    public static bool ChangesControl(string kind) => kind is Unlock or UnfreezeOutgoing;

    public static bool MovesMoney(string kind) => kind is Refund or Reversal;

    public static bool NeedsTransaction(string kind) => kind is Refund or Reversal or FlagDispute;
}

public static class WalletActionOutcomes
{
    public const string Completed = "completed";
    public const string Pending = "pending";
    public const string Failed = "failed";
}

/// <summary>A wallet account as support sees it (phone masked, cards as brand + last 4).</summary>
public sealed record WalletAccount(
    string AccountId,
    string CustomerExternalId,
    string Status,
    int KycTier,
    string KycState,
    string? MaskedPhone,
    string TimeZone,
    DateTimeOffset? OutboundHoldUntil,
    DateTimeOffset CreatedAt,
    IReadOnlyList<WalletDevice> Devices,
    IReadOnlyList<WalletFundingSource> FundingSources);

public sealed record WalletDevice(string DeviceId, string Name, string Platform, DateTimeOffset FirstSeenAt, DateTimeOffset LastSeenAt, bool IsRegistered);

/// <summary>A bank account or card; only the brand (or bank name) and the last four digits.</summary>
public sealed record WalletFundingSource(string FundingSourceId, string Kind, string Brand, string Last4, string Status);

public sealed record WalletBalance(string Currency, long AvailableMinor, long PendingOutMinor);

/// <summary>A transaction seen from one account: <see cref="Direction"/> is <c>in</c> or <c>out</c> for that account.</summary>
public sealed record WalletTransaction(
    string TransactionId,
    string Reference,
    string Type,
    string Direction,
    long AmountMinor,
    string Currency,
    string Status,
    string? ReasonCode,
    string? Counterparty,
    WalletFundingSource? FundingSource,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpectedSettlementAt,
    long RefundedMinor,
    string? OriginalTransactionId,
    bool DisputeOpen);

public sealed record WalletTransactionPage(IReadOnlyList<WalletTransaction> Items, string? NextCursor);

/// <summary>Transaction filters; all optional. <see cref="Cursor"/> comes from the previous page.</summary>
public sealed record WalletTransactionQuery(
    string? Status = null,
    string? Type = null,
    string? Currency = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    long? MinAmountMinor = null,
    long? MaxAmountMinor = null,
    string? Cursor = null,
    int Limit = 50);

public sealed record WalletSecurityEvent(string EventId, string Kind, DateTimeOffset At, string? DeviceName, string? Location, bool Suspicious);

public sealed record StepUpChallenge(string ChallengeId, string Purpose, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? PassedAt);

public enum StepUpOutcome
{
    Passed,
    WrongCode,
    Expired,
    TooManyAttempts,
    NotFound,
}

/// <summary>A support action for the wallet to carry out.</summary>
public sealed record WalletActionCommand(
    string IdempotencyKey,
    string Kind,
    string AccountId,
    string? TransactionId,
    long? AmountMinor,
    string? Currency,
    string Reason,
    string? StepUpChallengeId,
    DateTimeOffset? HoldOutboundUntil,
    string RequestedBy);

/// <summary>What the wallet did. <see cref="Code"/> is a reason code on failure.</summary>
public sealed record WalletActionResult(
    string IdempotencyKey,
    string Outcome,
    string? Code,
    string? TransactionId,
    string? TransactionReference,
    string? AccountStatus);

/// <summary>Money helpers: amounts are integer minor units with an ISO 4217 currency, never floating point.</summary>
public static partial class Money
{
    private static readonly Dictionary<string, int> Exponents = new(StringComparer.Ordinal) { ["JPY"] = 0, ["KRW"] = 0, ["BHD"] = 3, ["KWD"] = 3 };

    public static bool IsCurrency(string? code) => code is not null && CurrencyPattern().IsMatch(code);

    public static int Exponent(string currency) => Exponents.TryGetValue(currency, out var e) ? e : 2;

    /// <summary>"12.34 USD" style, culture-invariant, exact.</summary>
    public static string Format(long minor, string currency)
    {
        var exponent = Exponent(currency);
        if (exponent == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{minor} {currency}");
        }

        var divisor = (long)Math.Pow(10, exponent);
        var sign = minor < 0 ? "-" : "";
        var abs = Math.Abs(minor);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{abs / divisor}.{(abs % divisor).ToString(CultureInfo.InvariantCulture).PadLeft(exponent, '0')} {currency}");
    }

    /// <summary>Masks a phone number to its country prefix and last two digits: <c>+86 *** **** **21</c>.</summary>
    public static string? MaskPhone(string? phone)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            return null;
        }

        var digits = new string(phone.Where(char.IsAsciiDigit).ToArray());
        if (digits.Length < 4)
        {
            return "***";
        }

        var prefix = phone.TrimStart().StartsWith('+') ? "+" + digits[..Math.Min(digits.Length - 4, digits.StartsWith('1') ? 1 : 2)] + " " : "";
        return prefix + "*** **" + digits[^2..];
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();
}
