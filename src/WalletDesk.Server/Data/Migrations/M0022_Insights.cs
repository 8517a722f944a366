using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>Insights (Features/Insights): the hourly arrivals rollups (detailed and per channel), rollup progress, spike alerts; tickets by creation time.</summary>
public abstract class M0022_Insights : Migration
{
    public const string Id = "20261207002200_Insights";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        mb.CreateTable(
            name: "insight_hourly_arrivals",
            columns: t => new
            {
                Id = t.Identity(mb),
                HourStart = t.Timestamp(mb),
                Channel = t.Column<string>(maxLength: 32, nullable: false),
                Category = t.Column<string>(maxLength: 64, nullable: false),
                Language = t.Column<string>(maxLength: 16, nullable: false),
                Count = t.Column<int>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_insight_hourly_arrivals", x => x.Id));
        mb.CreateIndex("IX_insight_hourly_arrivals_HourStart_Channel_Category_Language", "insight_hourly_arrivals", ["HourStart", "Channel", "Category", "Language"], unique: true);

        mb.CreateTable(
            name: "insight_hourly_channel_arrivals",
            columns: t => new
            {
                Id = t.Identity(mb),
                HourStart = t.Timestamp(mb),
                Channel = t.Column<string>(maxLength: 32, nullable: false),
                Count = t.Column<int>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_insight_hourly_channel_arrivals", x => x.Id));
        mb.CreateIndex("IX_insight_hourly_channel_arrivals_HourStart_Channel", "insight_hourly_channel_arrivals", ["HourStart", "Channel"], unique: true);

        mb.CreateTable(
            name: "insight_rollup_state",
            columns: t => new
            {
                Name = t.Column<string>(maxLength: 64, nullable: false),
                CompleteBefore = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_insight_rollup_state", x => x.Name));

        mb.CreateTable(
            name: "insight_alerts",
            columns: t => new
            {
                Id = t.Identity(mb),
                HourStart = t.Timestamp(mb),
                Dimension = t.Column<string>(maxLength: 16, nullable: false),
                Key = t.Column<string>(maxLength: 64, nullable: false),
                Observed = t.Column<int>(nullable: false),
                Expected = t.Column<double>(nullable: false),
                TailProbability = t.Column<double>(nullable: false),
                TicketIds = t.Column<string>(maxLength: 1000, nullable: false),
                CreatedAt = t.Timestamp(mb),
                AcknowledgedAt = t.Timestamp(mb, nullable: true),
                AcknowledgedBy = t.Column<Guid>(nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_insight_alerts", x => x.Id));
        mb.CreateIndex("IX_insight_alerts_HourStart_Dimension_Key", "insight_alerts", ["HourStart", "Dimension", "Key"], unique: true);
        mb.CreateIndex("IX_insight_alerts_CreatedAt", "insight_alerts", "CreatedAt");

        // The rollup reads tickets by creation time in hour and week ranges.
        mb.CreateIndex("IX_tickets_CreatedAt", "tickets", "CreatedAt");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex("IX_tickets_CreatedAt", "tickets");
        migrationBuilder.DropTable("insight_alerts");
        migrationBuilder.DropTable("insight_rollup_state");
        migrationBuilder.DropTable("insight_hourly_channel_arrivals");
        migrationBuilder.DropTable("insight_hourly_arrivals");
    }
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0022_Insights_Sqlite : M0022_Insights;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0022_Insights_Postgres : M0022_Insights;
