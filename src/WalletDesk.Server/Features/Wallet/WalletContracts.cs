using System.ComponentModel;

namespace WalletDesk.Server.Features.Wallet;

/// <summary>A customer's wallet as support sees it: status, KYC, devices, masked phone, cards as brand + last 4, balances.</summary>
/// <param name="CustomerId">WalletDesk's customer id.</param>
/// <param name="DisplayName">The customer's name in WalletDesk.</param>
/// <param name="AccountId">The wallet's account id.</param>
/// <param name="Status">active, locked, frozen (outgoing paused) or closed.</param>
/// <param name="KycTier">0 (none) to 3 (full).</param>
/// <param name="KycState">unverified, pending, verified or rejected.</param>
/// <param name="MaskedPhone">The registered phone, masked.</param>
/// <param name="TimeZone">IANA time zone used for expected times.</param>
/// <param name="OutboundHoldUntil">Cooling-off: outgoing money waits until then.</param>
/// <param name="Devices">Devices seen on the account; registered ones receive step-up codes.</param>
/// <param name="FundingSources">Linked cards and bank accounts (brand and last four digits only).</param>
/// <param name="Balances">Balances per currency in minor units.</param>
public sealed record WalletProfileResponse(
    Guid CustomerId,
    string DisplayName,
    string AccountId,
    string Status,
    int KycTier,
    string KycState,
    string? MaskedPhone,
    string TimeZone,
    DateTimeOffset? OutboundHoldUntil,
    IReadOnlyList<WalletDevice> Devices,
    IReadOnlyList<WalletFundingSource> FundingSources,
    IReadOnlyList<WalletBalanceResponse> Balances);

/// <summary>A balance in one currency.</summary>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="AvailableMinor">Available now, in minor units.</param>
/// <param name="PendingOutMinor">Held for pending outgoing items, in minor units.</param>
/// <param name="Available">The available amount formatted, e.g. "12.34 USD".</param>
public sealed record WalletBalanceResponse(string Currency, long AvailableMinor, long PendingOutMinor, string Available);

/// <summary>A transaction seen from the customer's account, with its explanation.</summary>
/// <param name="Id">The wallet's transaction id.</param>
/// <param name="Reference">The short reference the customer sees in the app.</param>
/// <param name="Type">top_up, withdrawal, transfer, payment, refund, reversal or fee.</param>
/// <param name="Direction">in or out, for this customer.</param>
/// <param name="AmountMinor">Amount in minor units.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="Amount">The amount formatted, e.g. "12.34 USD".</param>
/// <param name="Status">pending, completed, failed, reversed, refunded or partially_refunded.</param>
/// <param name="ReasonCode">Machine reason for a failure or delay.</param>
/// <param name="Counterparty">The other party (name, merchant, or card/bank as brand ····last4).</param>
/// <param name="FundingSource">The card or bank account used (brand + last 4), shown to the owner only.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="UpdatedAt">Last change.</param>
/// <param name="ExpectedSettlementAt">For pending items, when it is expected to settle.</param>
/// <param name="RefundedMinor">Refunded so far, in minor units.</param>
/// <param name="OriginalTransactionId">For refunds and reversals, the transaction they undo.</param>
/// <param name="DisputeOpen">A dispute is open on it.</param>
/// <param name="Explanation">What happened and what to do next, in the requested language.</param>
public sealed record WalletTransactionResponse(
    string Id,
    string Reference,
    string Type,
    string Direction,
    long AmountMinor,
    string Currency,
    string Amount,
    string Status,
    string? ReasonCode,
    string? Counterparty,
    WalletFundingSource? FundingSource,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpectedSettlementAt,
    long RefundedMinor,
    string? OriginalTransactionId,
    bool DisputeOpen,
    TransactionExplanation Explanation);

/// <summary>A page of transactions, newest first; pass <paramref name="NextCursor"/> as <c>cursor</c> for the next page.</summary>
/// <param name="Items">The transactions.</param>
/// <param name="NextCursor">Opaque cursor, null on the last page.</param>
public sealed record WalletTransactionPageResponse(IReadOnlyList<WalletTransactionResponse> Items, string? NextCursor);

/// <summary>Ask the customer to confirm it is them in the wallet app (a code to their registered device).</summary>
/// <param name="Purpose">unlock or account_control.</param>
public sealed record StartStepUpRequest([property: Description("unlock or account_control")] string? Purpose);

/// <summary>A step-up challenge. The code itself is never shown to staff.</summary>
/// <param name="ChallengeId">The challenge id.</param>
/// <param name="Purpose">Why it was asked for.</param>
/// <param name="ExpiresAt">The code stops working then.</param>
/// <param name="PassedAt">When the customer passed it in the app, if they did.</param>
public sealed record StepUpResponse(string ChallengeId, string Purpose, DateTimeOffset ExpiresAt, DateTimeOffset? PassedAt);

/// <summary>The customer enters the code from their device in the wallet app.</summary>
/// <param name="Code">The six-digit code.</param>
public sealed record CompleteStepUpRequest(string? Code);

/// <summary>The result of entering a step-up code.</summary>
/// <param name="Outcome">passed, wrong_code, expired, too_many_attempts or not_found.</param>
public sealed record StepUpResultResponse(string Outcome);

/// <summary>Start a support action on the customer's wallet.</summary>
/// <param name="Kind">lock, unlock, freeze_outgoing, unfreeze_outgoing, refund, reversal, resend_verification_code or flag_dispute.</param>
/// <param name="IdempotencyKey">New for each action (a UUID); send the same key again to retry safely.</param>
/// <param name="Transaction">Transaction id or reference (refund, reversal, flag_dispute).</param>
/// <param name="AmountMinor">Refund amount in minor units; omit for a full refund of what is left.</param>
/// <param name="Reason">Why; goes to the audit trail and the customer's timeline.</param>
/// <param name="TicketId">The customer's ticket this action is made for: the request, approval and outcome appear in its history.</param>
public sealed record CreateWalletActionRequest(
    [property: Description("lock, unlock, freeze_outgoing, unfreeze_outgoing, refund, reversal, resend_verification_code, flag_dispute")] string? Kind,
    string? IdempotencyKey,
    string? Transaction,
    long? AmountMinor,
    string? Reason,
    long? TicketId = null);

/// <summary>Decline an action waiting for approval.</summary>
/// <param name="Reason">Why it was declined.</param>
public sealed record RejectWalletActionRequest(string? Reason);

/// <summary>A support action and where it stands.</summary>
/// <param name="Id">The action id.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="Kind">What was asked for.</param>
/// <param name="Status">pending_approval, executing, outcome_unknown, completed, failed or rejected.</param>
/// <param name="ResultCode">Why it failed, or "pending" when the wallet accepted it for later settlement.</param>
/// <param name="TransactionReference">The transaction acted on.</param>
/// <param name="ResultTransactionId">The refund or reversal transaction the wallet created.</param>
/// <param name="AmountMinor">Amount in minor units, for money actions.</param>
/// <param name="Currency">ISO 4217 code, for money actions.</param>
/// <param name="Reason">The requester's reason.</param>
/// <param name="RequestedBy">Who asked (maker).</param>
/// <param name="RequestedAt">When.</param>
/// <param name="ApprovedBy">Who approved or declined (checker).</param>
/// <param name="DecidedAt">When it was approved or declined.</param>
/// <param name="CompletedAt">When the wallet finished it.</param>
/// <param name="TicketId">The ticket it was made for, if any.</param>
public sealed record WalletActionResponse(
    Guid Id,
    Guid CustomerId,
    string Kind,
    string Status,
    string? ResultCode,
    string? TransactionReference,
    string? ResultTransactionId,
    long? AmountMinor,
    string? Currency,
    string Reason,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    string? ApprovedBy,
    DateTimeOffset? DecidedAt,
    DateTimeOffset? CompletedAt,
    long? TicketId)
{
    internal static WalletActionResponse From(SupportAction a) => new(
        a.Id, a.CustomerId, a.Kind, a.Status, a.ResultCode, a.TransactionReference, a.ResultTransactionId, a.AmountMinor, a.Currency, a.Reason,
        a.RequestedByName, a.RequestedAt, a.ApprovedByName, a.DecidedAt, a.CompletedAt, a.TicketId);
}

/// <summary>A note on the customer's timeline.</summary>
/// <param name="At">When.</param>
/// <param name="Kind">What kind of event.</param>
/// <param name="Text">The note.</param>
/// <param name="ActorName">Who did it.</param>
public sealed record TimelineEntryResponse(DateTimeOffset At, string Kind, string Text, string? ActorName);

/// <summary>The signed-in customer's own wallet.</summary>
/// <param name="Status">active, locked, frozen or closed.</param>
/// <param name="Balances">Balances per currency.</param>
public sealed record MyWalletResponse(string Status, IReadOnlyList<WalletBalanceResponse> Balances);
