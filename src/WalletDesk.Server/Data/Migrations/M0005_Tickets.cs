using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>Tickets, their conversation and history, categories and priority rules (with the shipped defaults).</summary>
public abstract class M0005_Tickets : Migration
{
    public const string Id = "20261123000500_Tickets";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        mb.CreateTable(
            name: "tickets",
            columns: t => new
            {
                Id = t.Identity(mb),
                CustomerId = t.Column<Guid>(nullable: false),
                Subject = t.Column<string>(maxLength: 300, nullable: false),
                Channel = t.Column<string>(maxLength: 16, nullable: false),
                Category = t.Column<string>(maxLength: 64, nullable: false),
                Priority = t.Column<string>(maxLength: 16, nullable: false),
                Status = t.Column<string>(maxLength: 24, nullable: false),
                Group = t.Column<string>(maxLength: 64, nullable: true),
                AssigneeId = t.Column<Guid>(nullable: true),
                Tags = t.Column<string>(maxLength: 1000, nullable: false),
                Language = t.Column<string>(maxLength: 8, nullable: false),
                CreatedAt = t.Timestamp(mb),
                UpdatedAt = t.Timestamp(mb),
                FirstResponseAt = t.Timestamp(mb, nullable: true),
                SolvedAt = t.Timestamp(mb, nullable: true),
                ClosedAt = t.Timestamp(mb, nullable: true),
                LastCustomerMessageAt = t.Timestamp(mb, nullable: true),
                MergedIntoId = t.Column<long>(nullable: true),
                ParentId = t.Column<long>(nullable: true),
                ClientRequestId = t.Column<string>(maxLength: 100, nullable: true),
                NextSlaDueAt = t.Timestamp(mb, nullable: true),
                MessageCount = t.Column<int>(nullable: false),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_tickets", x => x.Id);
                t.ForeignKey("FK_tickets_customers_CustomerId", x => x.CustomerId, "customers", "Id", onDelete: ReferentialAction.Restrict);
            });
        mb.CreateIndex("IX_tickets_CustomerId_ClientRequestId", "tickets", ["CustomerId", "ClientRequestId"], unique: true);
        mb.CreateIndex("IX_tickets_Status_UpdatedAt", "tickets", ["Status", "UpdatedAt"]);
        mb.CreateIndex("IX_tickets_AssigneeId_Status_UpdatedAt", "tickets", ["AssigneeId", "Status", "UpdatedAt"]);
        mb.CreateIndex("IX_tickets_Group_Status_UpdatedAt", "tickets", ["Group", "Status", "UpdatedAt"]);
        mb.CreateIndex("IX_tickets_Category_Status_UpdatedAt", "tickets", ["Category", "Status", "UpdatedAt"]);
        mb.CreateIndex("IX_tickets_Status_NextSlaDueAt", "tickets", ["Status", "NextSlaDueAt"]);
        mb.CreateIndex("IX_tickets_CustomerId_CreatedAt", "tickets", ["CustomerId", "CreatedAt"]);

        mb.CreateTable(
            name: "ticket_messages",
            columns: t => new
            {
                Id = t.Identity(mb),
                TicketId = t.Column<long>(nullable: false),
                Seq = t.Column<int>(nullable: false),
                AuthorType = t.Column<string>(maxLength: 16, nullable: false),
                AuthorId = t.Column<string>(maxLength: 64, nullable: true),
                AuthorName = t.Column<string>(maxLength: 128, nullable: true),
                Visibility = t.Column<string>(maxLength: 16, nullable: false),
                Body = t.Column<string>(maxLength: 20000, nullable: false),
                Channel = t.Column<string>(maxLength: 16, nullable: false),
                Redactions = t.Column<string>(maxLength: 100, nullable: false),
                ClientMessageId = t.Column<string>(maxLength: 100, nullable: true),
                CreatedAt = t.Timestamp(mb),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_ticket_messages", x => x.Id);
                t.ForeignKey("FK_ticket_messages_tickets_TicketId", x => x.TicketId, "tickets", "Id", onDelete: ReferentialAction.Cascade);
            });
        mb.CreateIndex("IX_ticket_messages_TicketId_Seq", "ticket_messages", ["TicketId", "Seq"], unique: true);
        mb.CreateIndex("IX_ticket_messages_TicketId_ClientMessageId", "ticket_messages", ["TicketId", "ClientMessageId"], unique: true);

        mb.CreateTable(
            name: "ticket_events",
            columns: t => new
            {
                Id = t.Identity(mb),
                TicketId = t.Column<long>(nullable: false),
                At = t.Timestamp(mb),
                Kind = t.Column<string>(maxLength: 32, nullable: false),
                ActorType = t.Column<string>(maxLength: 16, nullable: false),
                ActorId = t.Column<string>(maxLength: 64, nullable: true),
                ActorName = t.Column<string>(maxLength: 128, nullable: true),
                FromValue = t.Column<string>(maxLength: 200, nullable: true),
                ToValue = t.Column<string>(maxLength: 200, nullable: true),
                Note = t.Column<string>(maxLength: 1000, nullable: true),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_ticket_events", x => x.Id);
                t.ForeignKey("FK_ticket_events_tickets_TicketId", x => x.TicketId, "tickets", "Id", onDelete: ReferentialAction.Cascade);
            });
        mb.CreateIndex("IX_ticket_events_TicketId_Id", "ticket_events", ["TicketId", "Id"]);

        mb.CreateTable(
            name: "ticket_transactions",
            columns: t => new
            {
                TicketId = t.Column<long>(nullable: false),
                TransactionReference = t.Column<string>(maxLength: 64, nullable: false),
                LinkedAt = t.Timestamp(mb),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_ticket_transactions", x => new { x.TicketId, x.TransactionReference });
                t.ForeignKey("FK_ticket_transactions_tickets_TicketId", x => x.TicketId, "tickets", "Id", onDelete: ReferentialAction.Cascade);
            });
        mb.CreateIndex("IX_ticket_transactions_TransactionReference", "ticket_transactions", "TransactionReference");

        mb.CreateTable(
            name: "ticket_categories",
            columns: t => new
            {
                Key = t.Column<string>(maxLength: 64, nullable: false),
                NameEn = t.Column<string>(maxLength: 120, nullable: false),
                NameZh = t.Column<string>(maxLength: 120, nullable: false),
                CustomerLabelEn = t.Column<string>(maxLength: 200, nullable: false),
                CustomerLabelZh = t.Column<string>(maxLength: 200, nullable: false),
                DefaultPriority = t.Column<string>(maxLength: 16, nullable: false),
                DefaultGroup = t.Column<string>(maxLength: 64, nullable: false),
                SortOrder = t.Column<int>(nullable: false),
                IsActive = t.Column<bool>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_ticket_categories", x => x.Key));

        mb.CreateTable(
            name: "priority_rules",
            columns: t => new
            {
                Id = t.Column<int>(nullable: false),
                Order = t.Column<int>(nullable: false),
                Name = t.Column<string>(maxLength: 120, nullable: false),
                Category = t.Column<string>(maxLength: 64, nullable: true),
                Keywords = t.Column<string>(maxLength: 2000, nullable: true),
                SetPriority = t.Column<string>(maxLength: 16, nullable: false),
                SetGroup = t.Column<string>(maxLength: 64, nullable: true),
                IsActive = t.Column<bool>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_priority_rules", x => x.Id));

        string text = mb.TextType(), integer = mb.IntType(), boolean = mb.BoolType();
        foreach (var c in DefaultCategories.All)
        {
            mb.InsertData(
                "ticket_categories",
                ["Key", "NameEn", "NameZh", "CustomerLabelEn", "CustomerLabelZh", "DefaultPriority", "DefaultGroup", "SortOrder", "IsActive"],
                [text, text, text, text, text, text, text, integer, boolean],
                [c.Key, c.NameEn, c.NameZh, c.CustomerLabelEn, c.CustomerLabelZh, c.DefaultPriority, c.DefaultGroup, c.SortOrder, true]);
        }

        foreach (var r in DefaultPriorityRules.All)
        {
            mb.InsertData(
                "priority_rules",
                ["Id", "Order", "Name", "Category", "Keywords", "SetPriority", "SetGroup", "IsActive"],
                [integer, integer, text, text, text, text, text, boolean],
                [r.Id, r.Order, r.Name, r.Category, r.Keywords, r.SetPriority, r.SetGroup, true]);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var table in new[] { "priority_rules", "ticket_categories", "ticket_transactions", "ticket_events", "ticket_messages", "tickets" })
        {
            migrationBuilder.DropTable(table);
        }
    }
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0005_Tickets_Sqlite : M0005_Tickets;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0005_Tickets_Postgres : M0005_Tickets;
