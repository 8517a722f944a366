using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WalletDesk.Server.Features.Audit;

/// <summary>One link of the append-only, SHA-256 hash-chained audit trail.</summary>
public sealed class AuditEntry
{
    /// <summary>Gap-free sequence number assigned under the append lock.</summary>
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string ActorType { get; set; }
    public string? ActorId { get; set; }
    public string? ActorName { get; set; }
    public required string Action { get; set; }
    public string? ObjectType { get; set; }
    public string? ObjectId { get; set; }
    public required string Outcome { get; set; }
    public string? SourceIp { get; set; }
    public string? Details { get; set; }
    public required string PreviousHash { get; set; }
    public required string Hash { get; set; }
}

/// <summary>The chain's head, so that removing the newest entries is detected too.</summary>
public sealed class AuditHead
{
    public int Id { get; set; }
    public long LastId { get; set; }
    public required string LastHash { get; set; }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("audit_entries");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.ActorType).HasMaxLength(32);
        builder.Property(e => e.ActorId).HasMaxLength(64);
        builder.Property(e => e.ActorName).HasMaxLength(128);
        builder.Property(e => e.Action).HasMaxLength(64);
        builder.Property(e => e.ObjectType).HasMaxLength(64);
        builder.Property(e => e.ObjectId).HasMaxLength(128);
        builder.Property(e => e.Outcome).HasMaxLength(32);
        builder.Property(e => e.SourceIp).HasMaxLength(64);
        builder.Property(e => e.Details).HasMaxLength(4000);
        builder.Property(e => e.PreviousHash).HasMaxLength(64);
        builder.Property(e => e.Hash).HasMaxLength(64);
        builder.HasIndex(e => e.At);
        builder.HasIndex(e => new { e.ActorId, e.At });
        builder.HasIndex(e => new { e.ObjectType, e.ObjectId });
    }
}

internal sealed class AuditHeadConfiguration : IEntityTypeConfiguration<AuditHead>
{
    public void Configure(EntityTypeBuilder<AuditHead> builder)
    {
        builder.ToTable("audit_head");
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Id).ValueGeneratedNever();
        builder.Property(h => h.LastHash).HasMaxLength(64);
    }
}
