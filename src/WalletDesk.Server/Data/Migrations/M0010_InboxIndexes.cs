using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>
/// Partial indexes for the active inbox (`walletdesk bench tickets` found every view sorting all active tickets):
/// the views filter on the four active statuses and sort by update time or SLA due.
/// </summary>
public abstract class M0010_InboxIndexes : Migration
{
    public const string Id = "20261123001000_InboxIndexes";
    private const string Active = "\"Status\" IN ('new', 'open', 'pending_customer', 'on_hold')";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateIndex("IX_tickets_Active_UpdatedAt_Id", "tickets", ["UpdatedAt", "Id"], descending: [true, true], filter: Active);
        migrationBuilder.CreateIndex("IX_tickets_Active_Assignee_UpdatedAt_Id", "tickets", ["AssigneeId", "UpdatedAt", "Id"], descending: [false, true, true], filter: Active);
        migrationBuilder.CreateIndex("IX_tickets_Active_NextSlaDueAt_Id", "tickets", ["NextSlaDueAt", "Id"], filter: Active + " AND \"NextSlaDueAt\" IS NOT NULL");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex("IX_tickets_Active_NextSlaDueAt_Id", "tickets");
        migrationBuilder.DropIndex("IX_tickets_Active_Assignee_UpdatedAt_Id", "tickets");
        migrationBuilder.DropIndex("IX_tickets_Active_UpdatedAt_Id", "tickets");
    }
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0010_InboxIndexes_Sqlite : M0010_InboxIndexes;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0010_InboxIndexes_Postgres : M0010_InboxIndexes;
