using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WalletDesk.Server.Features.Email;

/// <summary>One outgoing email in the outbox: what to send, and where its delivery stands.</summary>
public sealed class EmailMessage
{
    public long Id { get; set; }

    /// <summary>What it is (e.g. <c>chat_transcript</c>).</summary>
    public required string Kind { get; set; }

    /// <summary>What it is about (e.g. a conversation or ticket id).</summary>
    public string? Reference { get; set; }
    public required string ToAddress { get; set; }
    public required string Subject { get; set; }
    public required string TextBody { get; set; }
    public string? HtmlBody { get; set; }

    /// <summary>The Reply-To header (a ticket's signed reply address), when the answer should come back to a ticket.</summary>
    public string? ReplyToAddress { get; set; }

    /// <summary>The In-Reply-To header (the customer's message this answers), angle brackets included.</summary>
    public string? InReplyTo { get; set; }

    /// <summary>The References header, space-separated message ids.</summary>
    public string? References { get; set; }

    /// <summary>The left part of the Message-ID; fixed at enqueue so a re-send after a crash carries the same id.</summary>
    public Guid MessageKey { get; set; }
    public string Status { get; set; } = EmailStatuses.Queued;

    /// <summary>Delivery attempts started (a claim counts as one, even if the process died during it).</summary>
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>While <see cref="EmailStatuses.Sending"/>: when the claim lapses and another sender may take the row over.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>Which claim holds the row; a sender only records the outcome of its own claim.</summary>
    public Guid? ClaimToken { get; set; }

    /// <summary>The last failure as the SMTP client reported it, scrubbed; never credentials or the body.</summary>
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}

public static class EmailStatuses
{
    public const string Queued = "queued";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Queued, Sending, Sent, Failed];
}

internal sealed class EmailMessageConfiguration : IEntityTypeConfiguration<EmailMessage>
{
    public void Configure(EntityTypeBuilder<EmailMessage> builder)
    {
        builder.ToTable("email_outbox");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Kind).HasMaxLength(EmailLimits.Kind);
        builder.Property(m => m.Reference).HasMaxLength(EmailLimits.Reference);
        builder.Property(m => m.ToAddress).HasMaxLength(EmailLimits.Address);
        builder.Property(m => m.Subject).HasMaxLength(EmailLimits.Subject);
        builder.Property(m => m.Status).HasMaxLength(16);
        builder.Property(m => m.LastError).HasMaxLength(EmailLimits.Error);
        builder.Property(m => m.ReplyToAddress).HasMaxLength(EmailLimits.Address);
        builder.Property(m => m.InReplyTo).HasMaxLength(EmailLimits.MessageId);
        builder.Property(m => m.References).HasMaxLength(EmailLimits.References);
        builder.HasIndex(m => new { m.Status, m.NextAttemptAt });
    }
}

internal static class EmailLimits
{
    public const int Kind = 64;
    public const int Reference = 200;
    public const int Address = 254;
    public const int Subject = 300;
    public const int Body = 512 * 1024;
    public const int Error = 500;
    public const int MessageId = 500;
    public const int References = 2000;
}
