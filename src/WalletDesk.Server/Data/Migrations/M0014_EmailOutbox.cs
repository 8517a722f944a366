using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>The outgoing email outbox (Features/Email): durable queue, claims with a lease, retries.</summary>
public abstract class M0014_EmailOutbox : Migration
{
    public const string Id = "20261123001400_EmailOutbox";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        mb.CreateTable(
            name: "email_outbox",
            columns: t => new
            {
                Id = t.Identity(mb),
                Kind = t.Column<string>(maxLength: 64, nullable: false),
                Reference = t.Column<string>(maxLength: 200, nullable: true),
                ToAddress = t.Column<string>(maxLength: 254, nullable: false),
                Subject = t.Column<string>(maxLength: 300, nullable: false),
                TextBody = t.Column<string>(nullable: false),
                HtmlBody = t.Column<string>(nullable: true),
                MessageKey = t.Column<Guid>(nullable: false),
                Status = t.Column<string>(maxLength: 16, nullable: false),
                Attempts = t.Column<int>(nullable: false),
                NextAttemptAt = t.Timestamp(mb),
                LeaseUntil = t.Timestamp(mb, nullable: true),
                ClaimToken = t.Column<Guid>(nullable: true),
                LastError = t.Column<string>(maxLength: 500, nullable: true),
                CreatedAt = t.Timestamp(mb),
                SentAt = t.Timestamp(mb, nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_email_outbox", x => x.Id));
        mb.CreateIndex("IX_email_outbox_Status_NextAttemptAt", "email_outbox", ["Status", "NextAttemptAt"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable("email_outbox");
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0014_EmailOutbox_Sqlite : M0014_EmailOutbox;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0014_EmailOutbox_Postgres : M0014_EmailOutbox;
