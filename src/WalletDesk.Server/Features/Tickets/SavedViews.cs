using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WalletDesk.Server.Features.Tickets;

/// <summary>An agent's saved inbox filter (the query string of the inbox), private to them unless shared.</summary>
public sealed class SavedView
{
    public int Id { get; set; }
    public Guid OwnerId { get; set; }
    public required string Name { get; set; }

    /// <summary>The inbox query string, validated against <see cref="TicketQuery"/>'s allowlists when saved.</summary>
    public required string Query { get; set; }
    public bool Shared { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class SavedViewConfiguration : IEntityTypeConfiguration<SavedView>
{
    public void Configure(EntityTypeBuilder<SavedView> builder)
    {
        builder.ToTable("saved_views");
        builder.HasKey(v => v.Id);
        builder.Property(v => v.Name).HasMaxLength(80);
        builder.Property(v => v.Query).HasMaxLength(1000);
        builder.HasIndex(v => v.OwnerId);
    }
}
