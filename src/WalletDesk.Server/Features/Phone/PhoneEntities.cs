using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WalletDesk.Server.Features.Customers;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Phone;

/// <summary>
/// A customer's request to be called back. The number is the one on their wallet profile (kept here masked only, for
/// display); the telephony provider dials by wallet account, so no full number passes through support.
/// </summary>
public sealed class CallbackRequest
{
    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }

    /// <summary>The ticket the call is about (the customer's own, or one opened for the request).</summary>
    public long TicketId { get; set; }
    public required string WalletAccountId { get; set; }
    public required string MaskedPhone { get; set; }

    /// <summary>The customer's IANA time zone from the wallet profile, so agents see the window in local time.</summary>
    public required string TimeZone { get; set; }

    /// <summary>What the customer wants to talk about, after redaction.</summary>
    public required string Topic { get; set; }
    public string Redactions { get; set; } = "";
    public DateTimeOffset WindowStart { get; set; }
    public DateTimeOffset WindowEnd { get; set; }
    public required string Status { get; set; }
    public Guid? ClaimedById { get; set; }
    public string? ClaimedByName { get; set; }
    public DateTimeOffset? ClaimedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? Outcome { get; set; }

    /// <summary>The app's idempotency key, so a retried request makes one callback.</summary>
    public string? ClientRequestId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class CallbackStatuses
{
    public const string Requested = "requested";
    public const string Claimed = "claimed";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";

    public static bool IsOpen(string status) => status is Requested or Claimed;
}

/// <summary>A phone call on a ticket, logged by an agent or reported by the telephony provider.</summary>
public sealed class CallLog
{
    public Guid Id { get; set; }

    /// <summary>Null only for a provider call no customer could be matched to.</summary>
    public long? TicketId { get; set; }
    public Guid? CustomerId { get; set; }
    public Guid? CallbackId { get; set; }

    /// <summary><c>inbound</c> or <c>outbound</c>.</summary>
    public required string Direction { get; set; }

    /// <summary><c>agent</c> (logged by hand) or <c>telephony</c> (provider webhook).</summary>
    public required string Source { get; set; }

    /// <summary><c>in_progress</c> or <c>ended</c>.</summary>
    public required string State { get; set; }
    public string? Outcome { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public int? DurationSeconds { get; set; }

    /// <summary>The other party's number, masked (country prefix and last two digits).</summary>
    public string? MaskedNumber { get; set; }

    /// <summary>After redaction.</summary>
    public string? Notes { get; set; }
    public string Redactions { get; set; } = "";
    public Guid? AgentId { get; set; }
    public string? AgentName { get; set; }

    /// <summary>The provider's call id; every event about one call updates the same log.</summary>
    public string? ProviderCallId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class CallDirections
{
    public const string Inbound = "inbound";
    public const string Outbound = "outbound";
    public static readonly IReadOnlyList<string> All = [Inbound, Outbound];
}

public static class CallOutcomes
{
    public const string Reached = "reached";
    public const string NoAnswer = "no_answer";
    public const string Busy = "busy";
    public const string Voicemail = "voicemail";
    public const string WrongNumber = "wrong_number";
    public const string Failed = "failed";
    public static readonly IReadOnlyList<string> All = [Reached, NoAnswer, Busy, Voicemail, WrongNumber, Failed];
}

/// <summary>A provider event already processed: the key that makes the webhook idempotent.</summary>
public sealed class TelephonyEvent
{
    public required string EventId { get; set; }
    public required string Type { get; set; }
    public string? ProviderCallId { get; set; }
    public Guid? CallLogId { get; set; }

    /// <summary>SHA-256 of the body, to tell a redelivery from a different event reusing an id.</summary>
    public required string PayloadSha256 { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}

internal sealed class CallbackRequestConfiguration : IEntityTypeConfiguration<CallbackRequest>
{
    public void Configure(EntityTypeBuilder<CallbackRequest> builder)
    {
        builder.ToTable("callback_requests");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.WalletAccountId).HasMaxLength(64);
        builder.Property(c => c.MaskedPhone).HasMaxLength(32);
        builder.Property(c => c.TimeZone).HasMaxLength(64);
        builder.Property(c => c.Topic).HasMaxLength(500);
        builder.Property(c => c.Redactions).HasMaxLength(100);
        builder.Property(c => c.Status).HasMaxLength(16);
        builder.Property(c => c.ClaimedByName).HasMaxLength(128);
        builder.Property(c => c.Outcome).HasMaxLength(24);
        builder.Property(c => c.ClientRequestId).HasMaxLength(100);
        builder.HasOne<Customer>().WithMany().HasForeignKey(c => c.CustomerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Ticket>().WithMany().HasForeignKey(c => c.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => new { c.Status, c.WindowStart });
        builder.HasIndex(c => new { c.CustomerId, c.ClientRequestId }).IsUnique();
        builder.HasIndex(c => new { c.CustomerId, c.CreatedAt });
    }
}

internal sealed class CallLogConfiguration : IEntityTypeConfiguration<CallLog>
{
    public void Configure(EntityTypeBuilder<CallLog> builder)
    {
        builder.ToTable("call_logs");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.Direction).HasMaxLength(16);
        builder.Property(c => c.Source).HasMaxLength(16);
        builder.Property(c => c.State).HasMaxLength(16);
        builder.Property(c => c.Outcome).HasMaxLength(24);
        builder.Property(c => c.MaskedNumber).HasMaxLength(32);
        builder.Property(c => c.Notes).HasMaxLength(4000);
        builder.Property(c => c.Redactions).HasMaxLength(100);
        builder.Property(c => c.AgentName).HasMaxLength(128);
        builder.Property(c => c.ProviderCallId).HasMaxLength(100);
        builder.HasOne<Ticket>().WithMany().HasForeignKey(c => c.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Customer>().WithMany().HasForeignKey(c => c.CustomerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<CallbackRequest>().WithMany().HasForeignKey(c => c.CallbackId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(c => c.ProviderCallId).IsUnique();
        builder.HasIndex(c => new { c.TicketId, c.CreatedAt });
        builder.HasIndex(c => c.CallbackId);
    }
}

internal sealed class TelephonyEventConfiguration : IEntityTypeConfiguration<TelephonyEvent>
{
    public void Configure(EntityTypeBuilder<TelephonyEvent> builder)
    {
        builder.ToTable("telephony_events");
        builder.HasKey(e => e.EventId);
        builder.Property(e => e.EventId).HasMaxLength(100);
        builder.Property(e => e.Type).HasMaxLength(32);
        builder.Property(e => e.ProviderCallId).HasMaxLength(100);
        builder.Property(e => e.PayloadSha256).HasMaxLength(64);
    }
}
