using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>SLA monitoring: when to look at a ticket again, and which SLA events already fired.</summary>
public abstract class M0008_TicketSla : Migration
{
    public const string Id = "20261123000800_TicketSla";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        if (mb.IsSqlite())
        {
            mb.AddColumn<long>("NextSlaCheckAt", "tickets", type: "INTEGER", nullable: true);
        }
        else
        {
            mb.AddColumn<DateTimeOffset>("NextSlaCheckAt", "tickets", type: "timestamp with time zone", nullable: true);
        }

        mb.CreateIndex("IX_tickets_NextSlaCheckAt", "tickets", "NextSlaCheckAt");
        mb.CreateTable(
            name: "ticket_sla_fired",
            columns: t => new
            {
                TicketId = t.Column<long>(nullable: false),
                Key = t.Column<string>(maxLength: 120, nullable: false),
                FiredAt = t.Timestamp(mb),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_ticket_sla_fired", x => new { x.TicketId, x.Key });
                t.ForeignKey("FK_ticket_sla_fired_tickets_TicketId", x => x.TicketId, "tickets", "Id", onDelete: ReferentialAction.Cascade);
            });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("ticket_sla_fired");
        migrationBuilder.DropIndex("IX_tickets_NextSlaCheckAt", "tickets");
        migrationBuilder.DropColumn("NextSlaCheckAt", "tickets");
    }
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0008_TicketSla_Sqlite : M0008_TicketSla;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0008_TicketSla_Postgres : M0008_TicketSla;
