using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>Ticket attachments (metadata; the bytes are files under the data folder), callback requests, call logs and processed telephony events.</summary>
public abstract class M0006_PhoneAndAttachments : Migration
{
    public const string Id = "20261123000600_PhoneAndAttachments";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        mb.CreateTable(
            name: "attachments",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                TicketId = t.Column<long>(nullable: false),
                MessageId = t.Column<long>(nullable: true),
                UploaderType = t.Column<string>(maxLength: 16, nullable: false),
                UploaderId = t.Column<string>(maxLength: 64, nullable: true),
                UploaderName = t.Column<string>(maxLength: 128, nullable: true),
                FileName = t.Column<string>(maxLength: 255, nullable: false),
                Kind = t.Column<string>(maxLength: 16, nullable: false),
                ContentType = t.Column<string>(maxLength: 100, nullable: false),
                SizeBytes = t.Column<long>(nullable: false),
                Sha256 = t.Column<string>(maxLength: 64, nullable: false),
                StorageKey = t.Column<string>(maxLength: 80, nullable: false),
                Visibility = t.Column<string>(maxLength: 16, nullable: false),
                Scan = t.Column<string>(maxLength: 16, nullable: false),
                Redactions = t.Column<string>(maxLength: 100, nullable: false),
                CreatedAt = t.Timestamp(mb),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_attachments", x => x.Id);
                t.ForeignKey("FK_attachments_tickets_TicketId", x => x.TicketId, "tickets", "Id", onDelete: ReferentialAction.Cascade);
                t.ForeignKey("FK_attachments_ticket_messages_MessageId", x => x.MessageId, "ticket_messages", "Id", onDelete: ReferentialAction.SetNull);
            });
        mb.CreateIndex("IX_attachments_StorageKey", "attachments", "StorageKey", unique: true);
        mb.CreateIndex("IX_attachments_TicketId_CreatedAt", "attachments", ["TicketId", "CreatedAt"]);
        mb.CreateIndex("IX_attachments_MessageId", "attachments", "MessageId");

        mb.CreateTable(
            name: "callback_requests",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                CustomerId = t.Column<Guid>(nullable: false),
                TicketId = t.Column<long>(nullable: false),
                WalletAccountId = t.Column<string>(maxLength: 64, nullable: false),
                MaskedPhone = t.Column<string>(maxLength: 32, nullable: false),
                TimeZone = t.Column<string>(maxLength: 64, nullable: false),
                Topic = t.Column<string>(maxLength: 500, nullable: false),
                Redactions = t.Column<string>(maxLength: 100, nullable: false),
                WindowStart = t.Timestamp(mb),
                WindowEnd = t.Timestamp(mb),
                Status = t.Column<string>(maxLength: 16, nullable: false),
                ClaimedById = t.Column<Guid>(nullable: true),
                ClaimedByName = t.Column<string>(maxLength: 128, nullable: true),
                ClaimedAt = t.Timestamp(mb, nullable: true),
                CompletedAt = t.Timestamp(mb, nullable: true),
                Outcome = t.Column<string>(maxLength: 24, nullable: true),
                ClientRequestId = t.Column<string>(maxLength: 100, nullable: true),
                CreatedAt = t.Timestamp(mb),
                UpdatedAt = t.Timestamp(mb),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_callback_requests", x => x.Id);
                t.ForeignKey("FK_callback_requests_customers_CustomerId", x => x.CustomerId, "customers", "Id", onDelete: ReferentialAction.Restrict);
                t.ForeignKey("FK_callback_requests_tickets_TicketId", x => x.TicketId, "tickets", "Id", onDelete: ReferentialAction.Cascade);
            });
        mb.CreateIndex("IX_callback_requests_Status_WindowStart", "callback_requests", ["Status", "WindowStart"]);
        mb.CreateIndex("IX_callback_requests_CustomerId_ClientRequestId", "callback_requests", ["CustomerId", "ClientRequestId"], unique: true);
        mb.CreateIndex("IX_callback_requests_CustomerId_CreatedAt", "callback_requests", ["CustomerId", "CreatedAt"]);
        mb.CreateIndex("IX_callback_requests_TicketId", "callback_requests", "TicketId");

        mb.CreateTable(
            name: "call_logs",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                TicketId = t.Column<long>(nullable: true),
                CustomerId = t.Column<Guid>(nullable: true),
                CallbackId = t.Column<Guid>(nullable: true),
                Direction = t.Column<string>(maxLength: 16, nullable: false),
                Source = t.Column<string>(maxLength: 16, nullable: false),
                State = t.Column<string>(maxLength: 16, nullable: false),
                Outcome = t.Column<string>(maxLength: 24, nullable: true),
                StartedAt = t.Timestamp(mb, nullable: true),
                EndedAt = t.Timestamp(mb, nullable: true),
                DurationSeconds = t.Column<int>(nullable: true),
                MaskedNumber = t.Column<string>(maxLength: 32, nullable: true),
                Notes = t.Column<string>(maxLength: 4000, nullable: true),
                Redactions = t.Column<string>(maxLength: 100, nullable: false),
                AgentId = t.Column<Guid>(nullable: true),
                AgentName = t.Column<string>(maxLength: 128, nullable: true),
                ProviderCallId = t.Column<string>(maxLength: 100, nullable: true),
                CreatedAt = t.Timestamp(mb),
                UpdatedAt = t.Timestamp(mb),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_call_logs", x => x.Id);
                t.ForeignKey("FK_call_logs_tickets_TicketId", x => x.TicketId, "tickets", "Id", onDelete: ReferentialAction.Cascade);
                t.ForeignKey("FK_call_logs_customers_CustomerId", x => x.CustomerId, "customers", "Id", onDelete: ReferentialAction.Restrict);
                t.ForeignKey("FK_call_logs_callback_requests_CallbackId", x => x.CallbackId, "callback_requests", "Id", onDelete: ReferentialAction.SetNull);
            });
        mb.CreateIndex("IX_call_logs_ProviderCallId", "call_logs", "ProviderCallId", unique: true);
        mb.CreateIndex("IX_call_logs_TicketId_CreatedAt", "call_logs", ["TicketId", "CreatedAt"]);
        mb.CreateIndex("IX_call_logs_CallbackId", "call_logs", "CallbackId");
        mb.CreateIndex("IX_call_logs_CustomerId", "call_logs", "CustomerId");

        mb.CreateTable(
            name: "telephony_events",
            columns: t => new
            {
                EventId = t.Column<string>(maxLength: 100, nullable: false),
                Type = t.Column<string>(maxLength: 32, nullable: false),
                ProviderCallId = t.Column<string>(maxLength: 100, nullable: true),
                CallLogId = t.Column<Guid>(nullable: true),
                PayloadSha256 = t.Column<string>(maxLength: 64, nullable: false),
                ReceivedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_telephony_events", x => x.EventId));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var table in new[] { "telephony_events", "call_logs", "callback_requests", "attachments" })
        {
            migrationBuilder.DropTable(table);
        }
    }
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0006_PhoneAndAttachments_Sqlite : M0006_PhoneAndAttachments;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0006_PhoneAndAttachments_Postgres : M0006_PhoneAndAttachments;
