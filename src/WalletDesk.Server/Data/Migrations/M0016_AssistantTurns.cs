using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>The assistant's turns as a durable, claimed queue (Features/Chat, ADR 0012), and its messages' buttons and link cards.</summary>
public abstract class M0016_AssistantTurns : Migration
{
    public const string Id = "20261123001600_AssistantTurns";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        mb.CreateTable(
            name: "chat_assistant_turns",
            columns: t => new
            {
                Id = t.Identity(mb),
                ConversationId = t.Column<long>(nullable: false),
                Seq = t.Column<int>(nullable: false),
                CreatedAt = t.Timestamp(mb),
                LeaseUntil = t.Timestamp(mb, nullable: true),
                ClaimToken = t.Column<Guid>(nullable: true),
                Attempts = t.Column<int>(nullable: false),
                DoneAt = t.Timestamp(mb, nullable: true),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_chat_assistant_turns", x => x.Id);
                t.ForeignKey("FK_chat_assistant_turns_tickets_ConversationId", x => x.ConversationId, "tickets", "Id", onDelete: ReferentialAction.Cascade);
            });
        mb.CreateIndex("IX_chat_assistant_turns_ConversationId_Seq", "chat_assistant_turns", ["ConversationId", "Seq"], unique: true);
        mb.CreateIndex("IX_chat_assistant_turns_DoneAt_Id", "chat_assistant_turns", ["DoneAt", "Id"]);

        mb.CreateTable(
            name: "chat_message_actions",
            columns: t => new
            {
                Id = t.Identity(mb),
                TicketId = t.Column<long>(nullable: false),
                ClientMessageId = t.Column<string>(maxLength: 100, nullable: false),
                QuickReplies = t.Column<string>(maxLength: 2000, nullable: true),
                ArticleSlug = t.Column<string>(maxLength: 200, nullable: true),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_chat_message_actions", x => x.Id);
                t.ForeignKey("FK_chat_message_actions_tickets_TicketId", x => x.TicketId, "tickets", "Id", onDelete: ReferentialAction.Cascade);
            });
        mb.CreateIndex("IX_chat_message_actions_TicketId_ClientMessageId", "chat_message_actions", ["TicketId", "ClientMessageId"], unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("chat_message_actions");
        migrationBuilder.DropTable("chat_assistant_turns");
    }
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0016_AssistantTurns_Sqlite : M0016_AssistantTurns;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0016_AssistantTurns_Postgres : M0016_AssistantTurns;
