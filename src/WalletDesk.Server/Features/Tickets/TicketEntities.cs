using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WalletDesk.Server.Features.Customers;

namespace WalletDesk.Server.Features.Tickets;

/// <summary>A support request: one customer, one conversation of public replies and internal notes, a full history.</summary>
public sealed class Ticket
{
    public long Id { get; set; }
    public Guid CustomerId { get; set; }
    public required string Subject { get; set; }
    public required string Channel { get; set; }
    public required string Category { get; set; }
    public required string Priority { get; set; }
    public required string Status { get; set; }
    public string? Group { get; set; }
    public Guid? AssigneeId { get; set; }

    /// <summary>Space-delimited with a leading and trailing space (" refund vip ") so a tag filter is one LIKE.</summary>
    public string Tags { get; set; } = " ";
    public string Language { get; set; } = "en";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>A person's first public reply: what the first-response SLA counts.</summary>
    public DateTimeOffset? FirstResponseAt { get; set; }

    /// <summary>The assistant's first public reply, recorded apart from <see cref="FirstResponseAt"/> (it meets no SLA).</summary>
    public DateTimeOffset? BotFirstResponseAt { get; set; }

    /// <summary>Who solved it: <see cref="TicketActors.Bot"/> when the assistant resolved the conversation, else the actor type of the solve; null while not solved.</summary>
    public string? SolvedBy { get; set; }
    public DateTimeOffset? SolvedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public DateTimeOffset? LastCustomerMessageAt { get; set; }

    /// <summary>Set when this ticket was merged into another; it is then closed.</summary>
    public long? MergedIntoId { get; set; }

    /// <summary>The ticket this one follows up or was split from.</summary>
    public long? ParentId { get; set; }

    /// <summary>The customer's idempotency key for the request that created it, so a retried create makes one ticket.</summary>
    public string? ClientRequestId { get; set; }

    /// <summary>Denormalised for inbox sorting and the "breaching soon" view; recomputed on every change.</summary>
    public DateTimeOffset? NextSlaDueAt { get; set; }

    /// <summary>When the SLA monitor should look at this ticket again (a warning or breach becomes due).</summary>
    public DateTimeOffset? NextSlaCheckAt { get; set; }

    public int MessageCount { get; set; }
}

/// <summary>One entry of a ticket's conversation. Text is stored only after redaction.</summary>
public sealed class TicketMessage
{
    public long Id { get; set; }
    public long TicketId { get; set; }

    /// <summary>Gap-free order within the ticket; clients resume from the last sequence they saw.</summary>
    public int Seq { get; set; }
    public required string AuthorType { get; set; }
    public string? AuthorId { get; set; }
    public string? AuthorName { get; set; }

    /// <summary><c>public</c> (the customer sees it) or <c>internal</c> (agents only).</summary>
    public required string Visibility { get; set; }
    public required string Body { get; set; }
    public required string Channel { get; set; }

    /// <summary>What the intake removed (e.g. "pan cvv"), empty when nothing.</summary>
    public string Redactions { get; set; } = "";
    public string? ClientMessageId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Everything that happened to a ticket, in order; the customer-facing timeline is derived from it.</summary>
public sealed class TicketEvent
{
    public long Id { get; set; }
    public long TicketId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Kind { get; set; }
    public required string ActorType { get; set; }
    public string? ActorId { get; set; }
    public string? ActorName { get; set; }
    public string? FromValue { get; set; }
    public string? ToValue { get; set; }
    public string? Note { get; set; }
}

/// <summary>A wallet transaction the ticket is about.</summary>
public sealed class TicketTransactionLink
{
    public long TicketId { get; set; }
    public required string TransactionReference { get; set; }
    public DateTimeOffset LinkedAt { get; set; }
}

/// <summary>A category of the wallet taxonomy; operators extend the list.</summary>
public sealed class TicketCategory
{
    public required string Key { get; set; }
    public required string NameEn { get; set; }
    public required string NameZh { get; set; }

    /// <summary>How the customer sees the option in the ticket form.</summary>
    public required string CustomerLabelEn { get; set; }
    public required string CustomerLabelZh { get; set; }
    public required string DefaultPriority { get; set; }
    public required string DefaultGroup { get; set; }
    public int SortOrder { get; set; }
    public bool IsActive { get; set; }
}

/// <summary>An operator-editable rule: when a new ticket matches, it gets this priority (never lowered) and group.</summary>
public sealed class PriorityRule
{
    public int Id { get; set; }
    public int Order { get; set; }
    public required string Name { get; set; }

    /// <summary>Category key to match, or null for any.</summary>
    public string? Category { get; set; }

    /// <summary>Comma-separated words or phrases (English or Chinese); any one found in subject or body matches. Null for any.</summary>
    public string? Keywords { get; set; }
    public required string SetPriority { get; set; }
    public string? SetGroup { get; set; }
    public bool IsActive { get; set; }
}

internal sealed class TicketConfiguration : IEntityTypeConfiguration<Ticket>
{
    public void Configure(EntityTypeBuilder<Ticket> builder)
    {
        builder.ToTable("tickets");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Subject).HasMaxLength(300);
        builder.Property(t => t.Channel).HasMaxLength(16);
        builder.Property(t => t.Category).HasMaxLength(64);
        builder.Property(t => t.Priority).HasMaxLength(16);
        builder.Property(t => t.Status).HasMaxLength(24);
        builder.Property(t => t.Group).HasMaxLength(64);
        builder.Property(t => t.Tags).HasMaxLength(1000);
        builder.Property(t => t.Language).HasMaxLength(8);
        builder.Property(t => t.ClientRequestId).HasMaxLength(100);
        builder.Property(t => t.SolvedBy).HasMaxLength(16);
        builder.HasOne<Customer>().WithMany().HasForeignKey(t => t.CustomerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(t => new { t.CustomerId, t.ClientRequestId }).IsUnique();
        builder.HasIndex(t => new { t.Status, t.UpdatedAt });
        builder.HasIndex(t => new { t.AssigneeId, t.Status, t.UpdatedAt });
        builder.HasIndex(t => new { t.Group, t.Status, t.UpdatedAt });
        builder.HasIndex(t => new { t.Category, t.Status, t.UpdatedAt });
        builder.HasIndex(t => new { t.Status, t.NextSlaDueAt });
        builder.HasIndex(t => new { t.CustomerId, t.CreatedAt });
        builder.HasIndex(t => t.NextSlaCheckAt);
        builder.HasIndex(t => new { t.SolvedBy, t.Status, t.UpdatedAt });
    }
}

internal sealed class TicketMessageConfiguration : IEntityTypeConfiguration<TicketMessage>
{
    public void Configure(EntityTypeBuilder<TicketMessage> builder)
    {
        builder.ToTable("ticket_messages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.AuthorType).HasMaxLength(16);
        builder.Property(m => m.AuthorId).HasMaxLength(64);
        builder.Property(m => m.AuthorName).HasMaxLength(128);
        builder.Property(m => m.Visibility).HasMaxLength(16);
        builder.Property(m => m.Body).HasMaxLength(20000);
        builder.Property(m => m.Channel).HasMaxLength(16);
        builder.Property(m => m.Redactions).HasMaxLength(100);
        builder.Property(m => m.ClientMessageId).HasMaxLength(100);
        builder.HasOne<Ticket>().WithMany().HasForeignKey(m => m.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(m => new { m.TicketId, m.Seq }).IsUnique();
        builder.HasIndex(m => new { m.TicketId, m.ClientMessageId }).IsUnique();
    }
}

internal sealed class TicketEventConfiguration : IEntityTypeConfiguration<TicketEvent>
{
    public void Configure(EntityTypeBuilder<TicketEvent> builder)
    {
        builder.ToTable("ticket_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Kind).HasMaxLength(32);
        builder.Property(e => e.ActorType).HasMaxLength(16);
        builder.Property(e => e.ActorId).HasMaxLength(64);
        builder.Property(e => e.ActorName).HasMaxLength(128);
        builder.Property(e => e.FromValue).HasMaxLength(200);
        builder.Property(e => e.ToValue).HasMaxLength(200);
        builder.Property(e => e.Note).HasMaxLength(1000);
        builder.HasOne<Ticket>().WithMany().HasForeignKey(e => e.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => new { e.TicketId, e.Id });
    }
}

internal sealed class TicketTransactionLinkConfiguration : IEntityTypeConfiguration<TicketTransactionLink>
{
    public void Configure(EntityTypeBuilder<TicketTransactionLink> builder)
    {
        builder.ToTable("ticket_transactions");
        builder.HasKey(l => new { l.TicketId, l.TransactionReference });
        builder.Property(l => l.TransactionReference).HasMaxLength(64);
        builder.HasOne<Ticket>().WithMany().HasForeignKey(l => l.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(l => l.TransactionReference);
    }
}

internal sealed class TicketCategoryConfiguration : IEntityTypeConfiguration<TicketCategory>
{
    public void Configure(EntityTypeBuilder<TicketCategory> builder)
    {
        builder.ToTable("ticket_categories");
        builder.HasKey(c => c.Key);
        builder.Property(c => c.Key).HasMaxLength(64);
        builder.Property(c => c.NameEn).HasMaxLength(120);
        builder.Property(c => c.NameZh).HasMaxLength(120);
        builder.Property(c => c.CustomerLabelEn).HasMaxLength(200);
        builder.Property(c => c.CustomerLabelZh).HasMaxLength(200);
        builder.Property(c => c.DefaultPriority).HasMaxLength(16);
        builder.Property(c => c.DefaultGroup).HasMaxLength(64);
    }
}

internal sealed class PriorityRuleConfiguration : IEntityTypeConfiguration<PriorityRule>
{
    public void Configure(EntityTypeBuilder<PriorityRule> builder)
    {
        builder.ToTable("priority_rules");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Name).HasMaxLength(120);
        builder.Property(r => r.Category).HasMaxLength(64);
        builder.Property(r => r.Keywords).HasMaxLength(2000);
        builder.Property(r => r.SetPriority).HasMaxLength(16);
        builder.Property(r => r.SetGroup).HasMaxLength(64);
    }
}
