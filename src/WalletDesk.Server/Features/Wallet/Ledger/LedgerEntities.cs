using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WalletDesk.Server.Features.Wallet.Ledger;

/// <summary>A wallet account in the reference ledger (the wallet's side, not support's customer profile).</summary>
public sealed class RefAccount
{
    public Guid Id { get; set; }
    public required string CustomerExternalId { get; set; }
    public required string DisplayName { get; set; }

    /// <summary>Full number, kept by the wallet; support only ever sees it masked.</summary>
    public string? Phone { get; set; }
    public string TimeZone { get; set; } = "UTC";
    public int KycTier { get; set; }
    public string KycState { get; set; } = KycStates.Unverified;
    public DateTimeOffset? LockedAt { get; set; }
    public string? LockReason { get; set; }
    public DateTimeOffset? OutgoingFrozenAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>Cooling-off: outbound movement waits until then (set after an unlock or control change through support).</summary>
    public DateTimeOffset? OutboundHoldUntil { get; set; }

    /// <summary>Bumped by every outgoing operation so that, on PostgreSQL, operations on one account queue behind its row lock.</summary>
    public long Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public string Status => ClosedAt is not null ? AccountStatuses.Closed
        : LockedAt is not null ? AccountStatuses.Locked
        : OutgoingFrozenAt is not null ? AccountStatuses.Frozen
        : AccountStatuses.Active;
}

public sealed class RefDevice
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public required string Name { get; set; }
    public required string Platform { get; set; }
    public bool IsRegistered { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
}

public static class FundingKinds
{
    public const string Card = "card";
    public const string BankAccount = "bank_account";
}

/// <summary>How the simulated issuer or bank behind a funding source answers.</summary>
public static class FundingBehaviours
{
    public const string Approve = "approve";
    public const string Decline = "decline";
    public const string Timeout = "timeout";
}

/// <summary>A linked bank account or card. Only brand and last four digits exist here; a full card number is never stored.</summary>
public sealed class RefFundingSource
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public required string Kind { get; set; }
    public required string Brand { get; set; }
    public required string Last4 { get; set; }
    public string Status { get; set; } = "active";
    public string Behaviour { get; set; } = FundingBehaviours.Approve;
    public DateTimeOffset CreatedAt { get; set; }
}

public static class BookKinds
{
    public const string Customer = "customer";
    public const string Funding = "funding";
    public const string Payout = "payout";
    public const string Merchant = "merchant";
    public const string Suspense = "suspense";
}

/// <summary>A ledger account (one per customer and currency, plus system books). The balance is the sum of its journal entries.</summary>
public sealed class LedgerBook
{
    public long Id { get; set; }
    public required string Code { get; set; }
    public Guid? AccountId { get; set; }
    public required string Currency { get; set; }
    public required string Kind { get; set; }
    public long Balance { get; set; }
    public bool AllowNegative { get; set; }
}

/// <summary>A wallet transaction. Money moves only through balanced journal postings that reference it.</summary>
public sealed class LedgerTransaction
{
    public Guid Id { get; set; }
    public required string Reference { get; set; }

    /// <summary>The account that initiated it (the payer, or for refunds the one refunded).</summary>
    public Guid AccountId { get; set; }
    public required string IdempotencyKey { get; set; }
    public required string RequestHash { get; set; }
    public required string Type { get; set; }

    /// <summary><c>in</c> or <c>out</c> for <see cref="AccountId"/>; the counterparty sees the opposite.</summary>
    public required string OwnerDirection { get; set; }
    public long Amount { get; set; }
    public required string Currency { get; set; }
    public required string Status { get; set; }
    public string? ReasonCode { get; set; }
    public Guid? CounterpartyAccountId { get; set; }
    public string? CounterpartyName { get; set; }
    public string? OwnerName { get; set; }
    public Guid? FundingSourceId { get; set; }
    public Guid? OriginalTransactionId { get; set; }
    public long RefundedAmount { get; set; }

    /// <summary>Whether the pending amount sits in the suspense book (released to the payee or back at settlement).</summary>
    public bool FundsHeld { get; set; }
    public int Attempts { get; set; }
    public string? Memo { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ExpectedSettlementAt { get; set; }
    public DateTimeOffset? SettledAt { get; set; }
    public DateTimeOffset? DisputeOpenedAt { get; set; }
}

/// <summary>One leg of a posting; the legs of a posting sum to zero per currency.</summary>
public sealed class JournalEntry
{
    public long Id { get; set; }
    public Guid PostingId { get; set; }
    public Guid TransactionId { get; set; }
    public long BookId { get; set; }
    public required string Currency { get; set; }
    public long Amount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class RefSecurityEvent
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public required string Kind { get; set; }
    public DateTimeOffset At { get; set; }
    public string? DeviceName { get; set; }
    public string? Location { get; set; }
    public bool Suspicious { get; set; }
}

/// <summary>A step-up challenge: a one-time code sent to the registered device, completed in the wallet app.</summary>
public sealed class RefStepUpChallenge
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public required string Purpose { get; set; }
    public required string CodeHash { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? PassedAt { get; set; }
    public DateTimeOffset? ConsumedAt { get; set; }
    public string? ConsumedBy { get; set; }
}

/// <summary>
/// The reference wallet's stand-in for push delivery to the registered device: what the customer's phone shows.
/// Only the customer (customer token) can read it; staff endpoints never return it.
/// </summary>
public sealed class RefDevicePush
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>The reference wallet's record of support actions by idempotency key (what an operator's API keeps).</summary>
public sealed class RefActionRecord
{
    public required string IdempotencyKey { get; set; }
    public required string Kind { get; set; }
    public Guid AccountId { get; set; }
    public required string Outcome { get; set; }
    public string? Code { get; set; }
    public Guid? TransactionId { get; set; }
    public string? TransactionReference { get; set; }
    public string? AccountStatus { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class LedgerConfiguration :
    IEntityTypeConfiguration<RefAccount>, IEntityTypeConfiguration<RefDevice>, IEntityTypeConfiguration<RefFundingSource>,
    IEntityTypeConfiguration<LedgerBook>, IEntityTypeConfiguration<LedgerTransaction>, IEntityTypeConfiguration<JournalEntry>,
    IEntityTypeConfiguration<RefSecurityEvent>, IEntityTypeConfiguration<RefStepUpChallenge>, IEntityTypeConfiguration<RefDevicePush>,
    IEntityTypeConfiguration<RefActionRecord>
{
    public void Configure(EntityTypeBuilder<RefAccount> b)
    {
        b.ToTable("wallet_accounts");
        b.HasKey(a => a.Id);
        b.Property(a => a.CustomerExternalId).HasMaxLength(128);
        b.HasIndex(a => a.CustomerExternalId).IsUnique();
        b.Property(a => a.DisplayName).HasMaxLength(128);
        b.Property(a => a.Phone).HasMaxLength(32);
        b.Property(a => a.TimeZone).HasMaxLength(64);
        b.Property(a => a.KycState).HasMaxLength(16);
        b.Property(a => a.LockReason).HasMaxLength(200);
        b.Ignore(a => a.Status);
    }

    public void Configure(EntityTypeBuilder<RefDevice> b)
    {
        b.ToTable("wallet_devices");
        b.HasKey(d => d.Id);
        b.Property(d => d.Name).HasMaxLength(100);
        b.Property(d => d.Platform).HasMaxLength(32);
        b.HasIndex(d => d.AccountId);
    }

    public void Configure(EntityTypeBuilder<RefFundingSource> b)
    {
        b.ToTable("wallet_funding_sources");
        b.HasKey(f => f.Id);
        b.Property(f => f.Kind).HasMaxLength(16);
        b.Property(f => f.Brand).HasMaxLength(64);
        b.Property(f => f.Last4).HasMaxLength(4);
        b.Property(f => f.Status).HasMaxLength(16);
        b.Property(f => f.Behaviour).HasMaxLength(16);
        b.HasIndex(f => f.AccountId);
    }

    public void Configure(EntityTypeBuilder<LedgerBook> b)
    {
        b.ToTable("wallet_books");
        b.HasKey(x => x.Id);
        b.Property(x => x.Code).HasMaxLength(100);
        b.HasIndex(x => x.Code).IsUnique();
        b.Property(x => x.Currency).HasMaxLength(3);
        b.Property(x => x.Kind).HasMaxLength(16);
        b.HasIndex(x => x.AccountId);
    }

    public void Configure(EntityTypeBuilder<LedgerTransaction> b)
    {
        b.ToTable("wallet_transactions");
        b.HasKey(t => t.Id);
        b.Property(t => t.Reference).HasMaxLength(20);
        b.HasIndex(t => t.Reference).IsUnique();
        b.Property(t => t.IdempotencyKey).HasMaxLength(100);
        b.HasIndex(t => new { t.AccountId, t.IdempotencyKey }).IsUnique();
        b.Property(t => t.RequestHash).HasMaxLength(64);
        b.Property(t => t.Type).HasMaxLength(16);
        b.Property(t => t.OwnerDirection).HasMaxLength(3);
        b.Property(t => t.Currency).HasMaxLength(3);
        b.Property(t => t.Status).HasMaxLength(20);
        b.Property(t => t.ReasonCode).HasMaxLength(32);
        b.Property(t => t.CounterpartyName).HasMaxLength(128);
        b.Property(t => t.OwnerName).HasMaxLength(128);
        b.Property(t => t.Memo).HasMaxLength(140);
        b.HasIndex(t => new { t.AccountId, t.CreatedAt });
        b.HasIndex(t => new { t.CounterpartyAccountId, t.CreatedAt });
        b.HasIndex(t => new { t.Status, t.ExpectedSettlementAt });
        b.HasIndex(t => t.OriginalTransactionId);
    }

    public void Configure(EntityTypeBuilder<JournalEntry> b)
    {
        b.ToTable("wallet_journal");
        b.HasKey(e => e.Id);
        b.Property(e => e.Currency).HasMaxLength(3);
        b.HasIndex(e => e.TransactionId);
        b.HasIndex(e => e.BookId);
    }

    public void Configure(EntityTypeBuilder<RefSecurityEvent> b)
    {
        b.ToTable("wallet_security_events");
        b.HasKey(e => e.Id);
        b.Property(e => e.Kind).HasMaxLength(32);
        b.Property(e => e.DeviceName).HasMaxLength(100);
        b.Property(e => e.Location).HasMaxLength(100);
        b.HasIndex(e => new { e.AccountId, e.At });
    }

    public void Configure(EntityTypeBuilder<RefStepUpChallenge> b)
    {
        b.ToTable("wallet_step_up_challenges");
        b.HasKey(c => c.Id);
        b.Property(c => c.Purpose).HasMaxLength(32);
        b.Property(c => c.CodeHash).HasMaxLength(64);
        b.Property(c => c.ConsumedBy).HasMaxLength(100);
        b.HasIndex(c => new { c.AccountId, c.CreatedAt });
    }

    public void Configure(EntityTypeBuilder<RefDevicePush> b)
    {
        b.ToTable("wallet_device_pushes");
        b.HasKey(p => p.Id);
        b.Property(p => p.Body).HasMaxLength(500);
        b.HasIndex(p => new { p.AccountId, p.CreatedAt });
    }

    public void Configure(EntityTypeBuilder<RefActionRecord> b)
    {
        b.ToTable("wallet_ref_actions");
        b.HasKey(a => a.IdempotencyKey);
        b.Property(a => a.IdempotencyKey).HasMaxLength(100);
        b.Property(a => a.Kind).HasMaxLength(32);
        b.Property(a => a.Outcome).HasMaxLength(16);
        b.Property(a => a.Code).HasMaxLength(32);
        b.Property(a => a.TransactionReference).HasMaxLength(20);
        b.Property(a => a.AccountStatus).HasMaxLength(16);
    }
}
