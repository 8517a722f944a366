using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>
/// The conversation lifecycle on the ticket (ADR 0014): who solved it (<c>SolvedBy</c>: <c>bot</c> when the assistant
/// resolved it), when the assistant first answered (<c>BotFirstResponseAt</c>, kept apart from the human first response
/// the SLA counts), and the ticket a wallet support action was made for (<c>wallet_support_actions.TicketId</c>) so the
/// action shows in that ticket's history.
/// </summary>
public abstract class M0017_TicketLifecycle : Migration
{
    public const string Id = "20261207001700_TicketLifecycle";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        if (mb.IsSqlite())
        {
            mb.AddColumn<long>("BotFirstResponseAt", "tickets", type: "INTEGER", nullable: true);
        }
        else
        {
            mb.AddColumn<DateTimeOffset>("BotFirstResponseAt", "tickets", type: "timestamp with time zone", nullable: true);
        }

        mb.AddColumn<string>("SolvedBy", "tickets", maxLength: 16, nullable: true);
        mb.CreateIndex("IX_tickets_SolvedBy_Status_UpdatedAt", "tickets", ["SolvedBy", "Status", "UpdatedAt"]);
        mb.AddColumn<long>("TicketId", "wallet_support_actions", nullable: true);
        mb.CreateIndex("IX_wallet_support_actions_TicketId", "wallet_support_actions", "TicketId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex("IX_wallet_support_actions_TicketId", "wallet_support_actions");
        migrationBuilder.DropColumn("TicketId", "wallet_support_actions");
        migrationBuilder.DropIndex("IX_tickets_SolvedBy_Status_UpdatedAt", "tickets");
        migrationBuilder.DropColumn("SolvedBy", "tickets");
        migrationBuilder.DropColumn("BotFirstResponseAt", "tickets");
    }
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0017_TicketLifecycle_Sqlite : M0017_TicketLifecycle;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0017_TicketLifecycle_Postgres : M0017_TicketLifecycle;
