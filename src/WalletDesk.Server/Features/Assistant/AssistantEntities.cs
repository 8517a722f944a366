using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WalletDesk.Server.Features.Assistant;

/// <summary>
/// One trained intent model. The weights live in a file under <c>{data}/assistant/models/</c>; training is
/// deterministic for the same rows and seed, so a process that lacks the file rebuilds it from the recorded data.
/// </summary>
public sealed class AssistantModelVersion
{
    public required string Id { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary><see cref="AssistantModelStatuses"/>.</summary>
    public required string Status { get; set; }
    public bool IsActive { get; set; }
    public int TrainingRows { get; set; }
    public required string DataHash { get; set; }

    /// <summary>Operator and agent examples with an id up to this one were part of the training data.</summary>
    public long MaxExampleId { get; set; }

    /// <summary>Open-set accuracy of this training set on the comparison folds (null for the shipped model).</summary>
    public double? EvalOpenSetAccuracy { get; set; }
    public double? EvalAccuracy { get; set; }
    public double? EvalMacroF1 { get; set; }

    /// <summary>The previously active training set measured on the same folds.</summary>
    public double? BaselineOpenSetAccuracy { get; set; }
    public required string Decision { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset? ActivatedAt { get; set; }
}

public static class AssistantModelStatuses
{
    public const string Deployed = "deployed";
    public const string Rejected = "rejected";
    public const string Retired = "retired";
}

/// <summary>A training example added by an operator or by an agent correcting a wrong intent. Append-only.</summary>
public sealed class AssistantExample
{
    public long Id { get; set; }

    /// <summary>Redacted customer text.</summary>
    public required string Text { get; set; }
    public required string Label { get; set; }

    /// <summary><c>operator</c> or <c>agent_correction</c>.</summary>
    public required string Source { get; set; }
    public long? ConversationId { get; set; }
    public int? Seq { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An intent operators added (the shipped ones come from the embedded training data).</summary>
public sealed class AssistantIntent
{
    public required string Key { get; set; }
    public required string Description { get; set; }

    /// <summary>Article the assistant answers with for this intent (else it searches the knowledge base).</summary>
    public string? ArticleSlug { get; set; }

    /// <summary>Queue a handoff for this intent goes to.</summary>
    public required string Group { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The assistant's memory of one chat conversation (one row per chat ticket).</summary>
public sealed class AssistantConversation
{
    public long ConversationId { get; set; }
    public Guid CustomerId { get; set; }
    public bool IsVisitor { get; set; }
    public required string Language { get; set; }

    /// <summary>Dialogue state as JSON (<see cref="DialogueState"/>).</summary>
    public required string State { get; set; }
    public int LastSeq { get; set; }

    /// <summary>The outcome returned for <see cref="LastSeq"/>, JSON, so a repeated call gives the same answer without acting twice.</summary>
    public string? LastOutcome { get; set; }
    public int Turns { get; set; }
    public bool HandedOff { get; set; }
    public string? HandoffReason { get; set; }
    public string? HandoffIntent { get; set; }
    public DateTimeOffset? HandedOffAt { get; set; }
    public bool Resolved { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastMessageAt { get; set; }
}

/// <summary>One customer message as the assistant understood it; agents correct <see cref="CorrectedIntent"/>.</summary>
public sealed class AssistantTurn
{
    public long Id { get; set; }
    public long ConversationId { get; set; }
    public int Seq { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>The customer's words after redaction.</summary>
    public required string Text { get; set; }

    /// <summary>Accepted intent, or null when declined as out of scope.</summary>
    public string? Intent { get; set; }
    public string? TopCandidate { get; set; }
    public double Confidence { get; set; }
    public required string ModelVersion { get; set; }

    /// <summary>What the assistant did (flow and result), for the summary and for review.</summary>
    public required string Action { get; set; }
    public string? HandoffReason { get; set; }
    public string? CorrectedIntent { get; set; }
    public string? CorrectedBy { get; set; }
    public DateTimeOffset? CorrectedAt { get; set; }
}

internal sealed class AssistantConfiguration :
    IEntityTypeConfiguration<AssistantModelVersion>, IEntityTypeConfiguration<AssistantExample>, IEntityTypeConfiguration<AssistantIntent>,
    IEntityTypeConfiguration<AssistantConversation>, IEntityTypeConfiguration<AssistantTurn>
{
    public void Configure(EntityTypeBuilder<AssistantModelVersion> b)
    {
        b.ToTable("assistant_models");
        b.HasKey(m => m.Id);
        b.Property(m => m.Id).HasMaxLength(80);
        b.Property(m => m.Status).HasMaxLength(16);
        b.Property(m => m.DataHash).HasMaxLength(64);
        b.Property(m => m.Decision).HasMaxLength(400);
        b.Property(m => m.CreatedBy).HasMaxLength(128);
    }

    public void Configure(EntityTypeBuilder<AssistantExample> b)
    {
        b.ToTable("assistant_examples");
        b.HasKey(e => e.Id);
        b.Property(e => e.Text).HasMaxLength(2000);
        b.Property(e => e.Label).HasMaxLength(64);
        b.Property(e => e.Source).HasMaxLength(32);
        b.Property(e => e.CreatedBy).HasMaxLength(128);
    }

    public void Configure(EntityTypeBuilder<AssistantIntent> b)
    {
        b.ToTable("assistant_intents");
        b.HasKey(i => i.Key);
        b.Property(i => i.Key).HasMaxLength(64);
        b.Property(i => i.Description).HasMaxLength(400);
        b.Property(i => i.ArticleSlug).HasMaxLength(128);
        b.Property(i => i.Group).HasMaxLength(32);
        b.Property(i => i.CreatedBy).HasMaxLength(128);
    }

    public void Configure(EntityTypeBuilder<AssistantConversation> b)
    {
        b.ToTable("assistant_conversations");
        b.HasKey(c => c.ConversationId);
        b.Property(c => c.ConversationId).ValueGeneratedNever();
        b.Property(c => c.Language).HasMaxLength(8);
        b.Property(c => c.HandoffReason).HasMaxLength(32);
        b.Property(c => c.HandoffIntent).HasMaxLength(64);
        b.HasIndex(c => c.CreatedAt);
    }

    public void Configure(EntityTypeBuilder<AssistantTurn> b)
    {
        b.ToTable("assistant_turns");
        b.HasKey(t => t.Id);
        b.Property(t => t.Text).HasMaxLength(4000);
        b.Property(t => t.Intent).HasMaxLength(64);
        b.Property(t => t.TopCandidate).HasMaxLength(64);
        b.Property(t => t.ModelVersion).HasMaxLength(80);
        b.Property(t => t.Action).HasMaxLength(400);
        b.Property(t => t.HandoffReason).HasMaxLength(32);
        b.Property(t => t.CorrectedIntent).HasMaxLength(64);
        b.Property(t => t.CorrectedBy).HasMaxLength(128);
        b.HasIndex(t => new { t.ConversationId, t.Seq }).IsUnique();
    }
}
