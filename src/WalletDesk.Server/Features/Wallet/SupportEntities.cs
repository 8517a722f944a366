using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WalletDesk.Server.Features.Wallet;

public static class SupportActionStatuses
{
    public const string PendingApproval = "pending_approval";
    public const string Executing = "executing";
    public const string OutcomeUnknown = "outcome_unknown";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Rejected = "rejected";
}

/// <summary>
/// A support action as WalletDesk tracks it. The row (with its idempotency key) is written before the wallet is called,
/// so a retry finds it and queries the wallet instead of acting twice.
/// </summary>
public sealed class SupportAction
{
    public Guid Id { get; set; }
    public required string IdempotencyKey { get; set; }
    public required string RequestHash { get; set; }
    public Guid CustomerId { get; set; }
    public required string AccountId { get; set; }
    public required string Kind { get; set; }
    public string? TransactionId { get; set; }
    public string? TransactionReference { get; set; }
    public long? AmountMinor { get; set; }
    public string? Currency { get; set; }
    public required string Reason { get; set; }
    public required string Status { get; set; }
    public string? ResultCode { get; set; }
    public string? ResultTransactionId { get; set; }
    public Guid RequestedById { get; set; }
    public required string RequestedByName { get; set; }
    public required string RequestedByRole { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public Guid? ApprovedById { get; set; }
    public string? ApprovedByName { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? StepUpChallengeId { get; set; }

    /// <summary>The ticket the action was made for; its history records the request and the outcome.</summary>
    public long? TicketId { get; set; }

    /// <summary>Set while a money action is open on a transaction (unique), so two agents cannot refund the same transaction at once.</summary>
    public string? OpenKey { get; set; }
}

/// <summary>A note on the customer's timeline (a simple history the console shows beside the conversation).</summary>
public sealed class CustomerTimelineEntry
{
    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Kind { get; set; }
    public required string Text { get; set; }
    public string? ActorName { get; set; }
    public string? RelatedId { get; set; }
}

/// <summary>A notification to the customer waiting in the outbox; delivery channels pick it up (later issues).</summary>
public sealed class CustomerNotification
{
    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    public required string Kind { get; set; }
    public required string Locale { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public string Status { get; set; } = "pending";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}

internal sealed class SupportConfiguration :
    IEntityTypeConfiguration<SupportAction>, IEntityTypeConfiguration<CustomerTimelineEntry>, IEntityTypeConfiguration<CustomerNotification>
{
    public void Configure(EntityTypeBuilder<SupportAction> b)
    {
        b.ToTable("wallet_support_actions");
        b.HasKey(a => a.Id);
        b.Property(a => a.IdempotencyKey).HasMaxLength(100);
        b.HasIndex(a => a.IdempotencyKey).IsUnique();
        b.HasIndex(a => a.TicketId);
        b.Property(a => a.RequestHash).HasMaxLength(64);
        b.Property(a => a.AccountId).HasMaxLength(64);
        b.Property(a => a.Kind).HasMaxLength(32);
        b.Property(a => a.TransactionId).HasMaxLength(64);
        b.Property(a => a.TransactionReference).HasMaxLength(32);
        b.Property(a => a.Currency).HasMaxLength(3);
        b.Property(a => a.Reason).HasMaxLength(500);
        b.Property(a => a.Status).HasMaxLength(20);
        b.Property(a => a.ResultCode).HasMaxLength(32);
        b.Property(a => a.ResultTransactionId).HasMaxLength(64);
        b.Property(a => a.RequestedByName).HasMaxLength(128);
        b.Property(a => a.RequestedByRole).HasMaxLength(32);
        b.Property(a => a.ApprovedByName).HasMaxLength(128);
        b.Property(a => a.StepUpChallengeId).HasMaxLength(64);
        b.Property(a => a.OpenKey).HasMaxLength(150);
        b.HasIndex(a => a.OpenKey).IsUnique();
        b.HasIndex(a => new { a.CustomerId, a.RequestedAt });
        b.HasIndex(a => new { a.Status, a.RequestedAt });
    }

    public void Configure(EntityTypeBuilder<CustomerTimelineEntry> b)
    {
        b.ToTable("customer_timeline");
        b.HasKey(e => e.Id);
        b.Property(e => e.Kind).HasMaxLength(64);
        b.Property(e => e.Text).HasMaxLength(1000);
        b.Property(e => e.ActorName).HasMaxLength(128);
        b.Property(e => e.RelatedId).HasMaxLength(64);
        b.HasIndex(e => new { e.CustomerId, e.At });
    }

    public void Configure(EntityTypeBuilder<CustomerNotification> b)
    {
        b.ToTable("customer_notifications");
        b.HasKey(n => n.Id);
        b.Property(n => n.Kind).HasMaxLength(64);
        b.Property(n => n.Locale).HasMaxLength(8);
        b.Property(n => n.Subject).HasMaxLength(200);
        b.Property(n => n.Body).HasMaxLength(2000);
        b.Property(n => n.Status).HasMaxLength(16);
        b.HasIndex(n => new { n.Status, n.CreatedAt });
        b.HasIndex(n => n.CustomerId);
    }
}
