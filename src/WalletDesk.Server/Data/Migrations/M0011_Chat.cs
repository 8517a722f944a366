using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>Live chat: the live state of chat tickets and agents' chat profiles.</summary>
public abstract class M0011_Chat : Migration
{
    public const string Id = "20261123001100_Chat";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        mb.CreateTable(
            name: "chat_conversations",
            columns: t => new
            {
                TicketId = t.Column<long>(nullable: false),
                CustomerId = t.Column<Guid>(nullable: false),
                IsVisitor = t.Column<bool>(nullable: false),
                Status = t.Column<string>(maxLength: 16, nullable: false),
                Queue = t.Column<string>(maxLength: 64, nullable: false),
                Language = t.Column<string>(maxLength: 8, nullable: false),
                PriorityRank = t.Column<int>(nullable: false),
                Origin = t.Column<string>(maxLength: 16, nullable: false),
                StartedAt = t.Timestamp(mb),
                QueuedAt = t.Timestamp(mb, nullable: true),
                AcceptedAt = t.Timestamp(mb, nullable: true),
                ClosedAt = t.Timestamp(mb, nullable: true),
                UpdatedAt = t.Timestamp(mb),
                AgentId = t.Column<Guid>(nullable: true),
                AgentName = t.Column<string>(maxLength: 128, nullable: true),
                SupervisorId = t.Column<Guid>(nullable: true),
                Disposition = t.Column<string>(maxLength: 64, nullable: true),
                HandoffReason = t.Column<string>(maxLength: 32, nullable: true),
                Escalated = t.Column<bool>(nullable: false),
                CustomerReadSeq = t.Column<int>(nullable: false),
                AgentReadSeq = t.Column<int>(nullable: false),
                ContactEmail = t.Column<string>(maxLength: 256, nullable: true),
                ContactPhone = t.Column<string>(maxLength: 32, nullable: true),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_chat_conversations", x => x.TicketId);
                t.ForeignKey("FK_chat_conversations_tickets_TicketId", x => x.TicketId, "tickets", "Id", onDelete: ReferentialAction.Cascade);
            });
        mb.CreateIndex("IX_chat_conversations_CustomerId_Status", "chat_conversations", ["CustomerId", "Status"]);
        mb.CreateIndex("IX_chat_conversations_Status_Queue_PriorityRank_QueuedAt", "chat_conversations", ["Status", "Queue", "PriorityRank", "QueuedAt"]);
        mb.CreateIndex("IX_chat_conversations_AgentId_Status", "chat_conversations", ["AgentId", "Status"]);

        mb.CreateTable(
            name: "chat_agents",
            columns: t => new
            {
                StaffId = t.Column<Guid>(nullable: false),
                DisplayName = t.Column<string>(maxLength: 128, nullable: false),
                Status = t.Column<string>(maxLength: 16, nullable: false),
                Capacity = t.Column<int>(nullable: false),
                Groups = t.Column<string>(maxLength: 1000, nullable: false),
                Languages = t.Column<string>(maxLength: 100, nullable: false),
                LastAssignedAt = t.Timestamp(mb, nullable: true),
                LastSeenAt = t.Timestamp(mb, nullable: true),
                UpdatedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_chat_agents", x => x.StaffId));
        mb.CreateIndex("IX_chat_agents_Status", "chat_agents", "Status");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("chat_agents");
        migrationBuilder.DropTable("chat_conversations");
    }
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0011_Chat_Sqlite : M0011_Chat;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0011_Chat_Postgres : M0011_Chat;
