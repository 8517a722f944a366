using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>The email channel in (Features/Email): what arrived and where it went, the quarantine, failing addresses;
/// threading headers on the outbox.</summary>
public abstract class M0021_EmailInbound : Migration
{
    public const string Id = "20261207002100_EmailInbound";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        mb.AddColumn<string>("ReplyToAddress", "email_outbox", maxLength: 254, nullable: true);
        mb.AddColumn<string>("InReplyTo", "email_outbox", maxLength: 500, nullable: true);
        mb.AddColumn<string>("References", "email_outbox", maxLength: 2000, nullable: true);

        mb.CreateTable(
            name: "email_inbound",
            columns: t => new
            {
                Id = t.Identity(mb),
                ContentHash = t.Column<string>(maxLength: 64, nullable: false),
                Source = t.Column<string>(maxLength: 16, nullable: false),
                ProviderId = t.Column<string>(maxLength: 200, nullable: true),
                MessageIdHeader = t.Column<string>(maxLength: 500, nullable: true),
                FromAddress = t.Column<string>(maxLength: 254, nullable: true),
                Outcome = t.Column<string>(maxLength: 24, nullable: false),
                TicketId = t.Column<long>(nullable: true),
                TicketMessageId = t.Column<long>(nullable: true),
                AuthVerdict = t.Column<string>(maxLength: 8, nullable: false),
                AuthSummary = t.Column<string>(maxLength: 300, nullable: true),
                ReceivedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_email_inbound", x => x.Id));
        mb.CreateIndex("IX_email_inbound_ContentHash", "email_inbound", "ContentHash", unique: true);
        mb.CreateIndex("IX_email_inbound_Source_ProviderId", "email_inbound", ["Source", "ProviderId"], unique: true);
        mb.CreateIndex("IX_email_inbound_TicketId_Id", "email_inbound", ["TicketId", "Id"]);

        mb.CreateTable(
            name: "email_quarantine",
            columns: t => new
            {
                Id = t.Identity(mb),
                Raw = t.Column<byte[]>(nullable: false),
                Source = t.Column<string>(maxLength: 16, nullable: false),
                ProviderId = t.Column<string>(maxLength: 200, nullable: true),
                Reason = t.Column<string>(maxLength: 500, nullable: false),
                Status = t.Column<string>(maxLength: 16, nullable: false),
                Attempts = t.Column<int>(nullable: false),
                ReceivedAt = t.Timestamp(mb),
                ResolvedAt = t.Timestamp(mb, nullable: true),
                TicketId = t.Column<long>(nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_email_quarantine", x => x.Id));
        mb.CreateIndex("IX_email_quarantine_Status_Id", "email_quarantine", ["Status", "Id"]);

        mb.CreateTable(
            name: "email_address_health",
            columns: t => new
            {
                Address = t.Column<string>(maxLength: 254, nullable: false),
                Failing = t.Column<bool>(nullable: false),
                LastBounce = t.Column<string>(maxLength: 500, nullable: true),
                UpdatedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_email_address_health", x => x.Address));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("email_address_health");
        migrationBuilder.DropTable("email_quarantine");
        migrationBuilder.DropTable("email_inbound");
        migrationBuilder.DropColumn("References", "email_outbox");
        migrationBuilder.DropColumn("InReplyTo", "email_outbox");
        migrationBuilder.DropColumn("ReplyToAddress", "email_outbox");
    }
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0021_EmailInbound_Sqlite : M0021_EmailInbound;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0021_EmailInbound_Postgres : M0021_EmailInbound;
