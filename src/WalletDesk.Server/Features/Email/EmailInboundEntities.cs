using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WalletDesk.Server.Features.Email;

/// <summary>
/// One inbound message as it was handled: the dedup record (content hash, provider id), where it went (ticket and
/// message) and what the sender check said. Bodies live on the ticket, redacted; nothing unredacted is kept here.
/// </summary>
public sealed class InboundEmail
{
    public long Id { get; set; }

    /// <summary>Lower-case hex SHA-256 of the message without its trace headers; the same message delivered twice hashes alike.</summary>
    public required string ContentHash { get; set; }

    /// <summary>Where it came from: <c>cli</c>, <c>http</c>, <c>imap</c> or <c>quarantine</c>.</summary>
    public required string Source { get; set; }

    /// <summary>The delivering system's id (an IMAP UID, a provider's message id), when it gave one.</summary>
    public string? ProviderId { get; set; }

    /// <summary>The Message-ID header (a hint for threading and for In-Reply-To on our answers, never a dedup key alone).</summary>
    public string? MessageIdHeader { get; set; }
    public string? FromAddress { get; set; }

    /// <summary>See <see cref="InboundOutcomes"/>.</summary>
    public required string Outcome { get; set; }
    public long? TicketId { get; set; }
    public long? TicketMessageId { get; set; }

    /// <summary><c>pass</c>, <c>fail</c> or <c>none</c> (see <see cref="SenderCheck"/>).</summary>
    public string AuthVerdict { get; set; } = SenderVerdicts.None;

    /// <summary>What the receiving server's Authentication-Results said, e.g. <c>spf=pass dkim=pass dmarc=pass</c>.</summary>
    public string? AuthSummary { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}

public static class InboundOutcomes
{
    public const string TicketCreated = "ticket_created";
    public const string Appended = "appended";
    public const string AutoReply = "auto_reply";
    public const string Bounce = "bounce";
}

/// <summary>A message that could not be parsed or stored, kept whole with the reason until an admin reprocesses it.</summary>
public sealed class QuarantinedEmail
{
    public long Id { get; set; }

    /// <summary>The message exactly as it arrived (admins only; see ADR 0022).</summary>
    public required byte[] Raw { get; set; }
    public required string Source { get; set; }
    public string? ProviderId { get; set; }
    public required string Reason { get; set; }

    /// <summary><c>held</c>, <c>reprocessed</c> or <c>discarded</c>.</summary>
    public string Status { get; set; } = QuarantineStatuses.Held;
    public int Attempts { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }

    /// <summary>The ticket the message went to once reprocessed.</summary>
    public long? TicketId { get; set; }
}

public static class QuarantineStatuses
{
    public const string Held = "held";
    public const string Reprocessed = "reprocessed";
}

/// <summary>An address outbound mail should not go to: it bounced.</summary>
public sealed class EmailAddressHealth
{
    /// <summary>Lower-case address.</summary>
    public required string Address { get; set; }
    public bool Failing { get; set; }
    public string? LastBounce { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class InboundEmailConfiguration : IEntityTypeConfiguration<InboundEmail>
{
    public void Configure(EntityTypeBuilder<InboundEmail> builder)
    {
        builder.ToTable("email_inbound");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.ContentHash).HasMaxLength(64);
        builder.Property(m => m.Source).HasMaxLength(16);
        builder.Property(m => m.ProviderId).HasMaxLength(200);
        builder.Property(m => m.MessageIdHeader).HasMaxLength(500);
        builder.Property(m => m.FromAddress).HasMaxLength(EmailLimits.Address);
        builder.Property(m => m.Outcome).HasMaxLength(24);
        builder.Property(m => m.AuthVerdict).HasMaxLength(8);
        builder.Property(m => m.AuthSummary).HasMaxLength(300);
        builder.HasIndex(m => m.ContentHash).IsUnique();
        builder.HasIndex(m => new { m.Source, m.ProviderId }).IsUnique();
        builder.HasIndex(m => new { m.TicketId, m.Id });
    }
}

internal sealed class QuarantinedEmailConfiguration : IEntityTypeConfiguration<QuarantinedEmail>
{
    public void Configure(EntityTypeBuilder<QuarantinedEmail> builder)
    {
        builder.ToTable("email_quarantine");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Source).HasMaxLength(16);
        builder.Property(m => m.ProviderId).HasMaxLength(200);
        builder.Property(m => m.Reason).HasMaxLength(EmailLimits.Error);
        builder.Property(m => m.Status).HasMaxLength(16);
        builder.HasIndex(m => new { m.Status, m.Id });
    }
}

internal sealed class EmailAddressHealthConfiguration : IEntityTypeConfiguration<EmailAddressHealth>
{
    public void Configure(EntityTypeBuilder<EmailAddressHealth> builder)
    {
        builder.ToTable("email_address_health");
        builder.HasKey(m => m.Address);
        builder.Property(m => m.Address).HasMaxLength(EmailLimits.Address);
        builder.Property(m => m.LastBounce).HasMaxLength(EmailLimits.Error);
    }
}
