using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WalletDesk.Server.Features.Insights;

/// <summary>
/// The arrivals rollup: tickets opened in one UTC hour for one channel, category and language. Dashboards read this,
/// never the tickets table; <see cref="ArrivalRollup"/> keeps it current and can rebuild and verify it.
/// </summary>
public sealed class HourlyArrivals
{
    public long Id { get; set; }
    public DateTimeOffset HourStart { get; set; }
    public required string Channel { get; set; }
    public required string Category { get; set; }
    public required string Language { get; set; }
    public int Count { get; set; }
}

/// <summary>
/// The same arrivals summed per hour and channel only: at most channels × hours rows whatever the volume, so heatmaps,
/// forecasts and staffing over a year read a few thousand rows (the detailed rollup has a row per category and
/// language too, nearly one per ticket at a small desk).
/// </summary>
public sealed class HourlyChannelArrivals
{
    public long Id { get; set; }
    public DateTimeOffset HourStart { get; set; }
    public required string Channel { get; set; }
    public int Count { get; set; }
}

/// <summary>Where a rollup has got to: every hour before <see cref="CompleteBefore"/> is final.</summary>
public sealed class InsightRollupState
{
    public required string Name { get; set; }
    public DateTimeOffset CompleteBefore { get; set; }
}

/// <summary>A spike the detector found: one series (a category or a channel) in one hour, with the evidence.</summary>
public sealed class InsightAlert
{
    public long Id { get; set; }
    public DateTimeOffset HourStart { get; set; }

    /// <summary><c>category</c> or <c>channel</c>.</summary>
    public required string Dimension { get; set; }
    public required string Key { get; set; }
    public int Observed { get; set; }
    public double Expected { get; set; }
    public double TailProbability { get; set; }

    /// <summary>Space-separated ids of the tickets opened in that hour for that series (the first 50).</summary>
    public string TicketIds { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public Guid? AcknowledgedBy { get; set; }
}

internal sealed class HourlyArrivalsConfiguration : IEntityTypeConfiguration<HourlyArrivals>
{
    public void Configure(EntityTypeBuilder<HourlyArrivals> builder)
    {
        builder.ToTable("insight_hourly_arrivals");
        builder.Property(a => a.Channel).HasMaxLength(32);
        builder.Property(a => a.Category).HasMaxLength(64);
        builder.Property(a => a.Language).HasMaxLength(16);
        builder.HasIndex(a => new { a.HourStart, a.Channel, a.Category, a.Language }).IsUnique();
    }
}

internal sealed class HourlyChannelArrivalsConfiguration : IEntityTypeConfiguration<HourlyChannelArrivals>
{
    public void Configure(EntityTypeBuilder<HourlyChannelArrivals> builder)
    {
        builder.ToTable("insight_hourly_channel_arrivals");
        builder.Property(a => a.Channel).HasMaxLength(32);
        builder.HasIndex(a => new { a.HourStart, a.Channel }).IsUnique();
    }
}

internal sealed class InsightRollupStateConfiguration : IEntityTypeConfiguration<InsightRollupState>
{
    public void Configure(EntityTypeBuilder<InsightRollupState> builder)
    {
        builder.ToTable("insight_rollup_state");
        builder.HasKey(s => s.Name);
        builder.Property(s => s.Name).HasMaxLength(64);
    }
}

internal sealed class InsightAlertConfiguration : IEntityTypeConfiguration<InsightAlert>
{
    public void Configure(EntityTypeBuilder<InsightAlert> builder)
    {
        builder.ToTable("insight_alerts");
        builder.Property(a => a.Dimension).HasMaxLength(16);
        builder.Property(a => a.Key).HasMaxLength(64);
        builder.Property(a => a.TicketIds).HasMaxLength(1000);
        builder.HasIndex(a => new { a.HourStart, a.Dimension, a.Key }).IsUnique();
        builder.HasIndex(a => a.CreatedAt);
    }
}
