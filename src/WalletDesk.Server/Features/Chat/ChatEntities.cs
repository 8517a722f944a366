using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Chat;

/// <summary>Where a live conversation stands. The words themselves live on the ticket (<see cref="TicketMessage"/>).</summary>
public static class ChatStatuses
{
    /// <summary>The assistant is answering.</summary>
    public const string Bot = "bot";

    /// <summary>Waiting for a human.</summary>
    public const string Queued = "queued";

    /// <summary>An agent has it.</summary>
    public const string Active = "active";

    /// <summary>Nobody could take it live: it carries on as a ticket, answered by email or in the app.</summary>
    public const string Offline = "offline";
    public const string Closed = "closed";

    public static bool IsOpen(string status) => status is Bot or Queued or Active or Offline;
}

public static class AgentAvailability
{
    public const string Online = "online";
    public const string Away = "away";
    public const string Offline = "offline";

    public static readonly IReadOnlyList<string> All = [Online, Away, Offline];
}

/// <summary>The live side of a chat ticket: queue, routing, who has it, read marks.</summary>
public sealed class ChatConversation
{
    /// <summary>The ticket that holds the conversation (same id as the conversation in the protocol).</summary>
    public long TicketId { get; set; }
    public Guid CustomerId { get; set; }

    /// <summary>An anonymous web visitor rather than a signed-in wallet customer.</summary>
    public bool IsVisitor { get; set; }
    public required string Status { get; set; }

    /// <summary>The group whose agents may take it (general, payments, security, accounts, or an operator's own).</summary>
    public required string Queue { get; set; }
    public string Language { get; set; } = "en";

    /// <summary>Higher is served first: urgent security incidents jump the queue.</summary>
    public int PriorityRank { get; set; }

    /// <summary>widget, in_app, web_view or api: where the customer is talking from.</summary>
    public string Origin { get; set; } = "widget";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? QueuedAt { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public Guid? AgentId { get; set; }
    public string? AgentName { get; set; }
    public Guid? SupervisorId { get; set; }
    public string? Disposition { get; set; }
    public string? HandoffReason { get; set; }
    public bool Escalated { get; set; }
    public int CustomerReadSeq { get; set; }
    public int AgentReadSeq { get; set; }
    public string? ContactEmail { get; set; }
    public string? ContactPhone { get; set; }
}

/// <summary>An agent's live-chat profile: availability, how many chats at once, which queues and languages.</summary>
public sealed class ChatAgent
{
    public Guid StaffId { get; set; }
    public required string DisplayName { get; set; }
    public required string Status { get; set; }
    public int Capacity { get; set; }

    /// <summary>Space-delimited with leading and trailing spaces (" general payments "), like ticket tags.</summary>
    public string Groups { get; set; } = " general payments accounts security ";

    /// <summary>Space-delimited languages the agent chats in (" en zh ").</summary>
    public string Languages { get; set; } = " en zh ";
    public DateTimeOffset? LastAssignedAt { get; set; }

    /// <summary>Refreshed while the agent has a live connection to any server process; stale means gone (set away).</summary>
    public DateTimeOffset? LastSeenAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class ChatConversationConfiguration : IEntityTypeConfiguration<ChatConversation>
{
    public void Configure(EntityTypeBuilder<ChatConversation> builder)
    {
        builder.ToTable("chat_conversations");
        builder.HasKey(c => c.TicketId);
        builder.Property(c => c.TicketId).ValueGeneratedNever();
        builder.Property(c => c.Status).HasMaxLength(16);
        builder.Property(c => c.Queue).HasMaxLength(64);
        builder.Property(c => c.Language).HasMaxLength(8);
        builder.Property(c => c.Origin).HasMaxLength(16);
        builder.Property(c => c.AgentName).HasMaxLength(128);
        builder.Property(c => c.Disposition).HasMaxLength(64);
        builder.Property(c => c.HandoffReason).HasMaxLength(32);
        builder.Property(c => c.ContactEmail).HasMaxLength(256);
        builder.Property(c => c.ContactPhone).HasMaxLength(32);
        builder.HasOne<Ticket>().WithOne().HasForeignKey<ChatConversation>(c => c.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => new { c.CustomerId, c.Status });
        builder.HasIndex(c => new { c.Status, c.Queue, c.PriorityRank, c.QueuedAt });
        builder.HasIndex(c => new { c.AgentId, c.Status });
    }
}

internal sealed class ChatAgentConfiguration : IEntityTypeConfiguration<ChatAgent>
{
    public void Configure(EntityTypeBuilder<ChatAgent> builder)
    {
        builder.ToTable("chat_agents");
        builder.HasKey(a => a.StaffId);
        builder.Property(a => a.DisplayName).HasMaxLength(128);
        builder.Property(a => a.Status).HasMaxLength(16);
        builder.Property(a => a.Groups).HasMaxLength(1000);
        builder.Property(a => a.Languages).HasMaxLength(100);
        builder.HasIndex(a => a.Status);
    }
}
