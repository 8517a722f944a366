using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WalletDesk.Server.Features.Customers;

/// <summary>A wallet customer as support knows them, linked to their wallet account.</summary>
public sealed class Customer
{
    public Guid Id { get; set; }

    /// <summary>The wallet's own id for this customer (the <c>sub</c> of customer tokens).</summary>
    public required string ExternalId { get; set; }
    public required string DisplayName { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }

    /// <summary><c>en</c> or <c>zh</c>.</summary>
    public string Locale { get; set; } = "en";
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class CustomerConfiguration : IEntityTypeConfiguration<Customer>
{
    public void Configure(EntityTypeBuilder<Customer> builder)
    {
        builder.ToTable("customers");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.ExternalId).HasMaxLength(128);
        builder.HasIndex(c => c.ExternalId).IsUnique();
        builder.Property(c => c.DisplayName).HasMaxLength(128);
        builder.Property(c => c.Email).HasMaxLength(256);
        builder.Property(c => c.Phone).HasMaxLength(32);
        builder.Property(c => c.Locale).HasMaxLength(8);
    }
}
