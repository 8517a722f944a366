using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>
/// Chat transcripts by email (Features/Chat/ChatTranscripts.cs): every code and transcript mailed, so a visitor's address
/// is proven by a code before anything of theirs is sent there, and mail is rate-limited per conversation and per address.
/// </summary>
public abstract class M0018_ChatTranscriptMail : Migration
{
    public const string Id = "20261123001800_ChatTranscriptMail";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        mb.CreateTable(
            name: "chat_transcript_mail",
            columns: t => new
            {
                Id = t.Identity(mb),
                ConversationId = t.Column<long>(nullable: false),
                Address = t.Column<string>(maxLength: 254, nullable: false),
                Kind = t.Column<string>(maxLength: 16, nullable: false),
                CodeHash = t.Column<string>(maxLength: 64, nullable: true),
                Attempts = t.Column<int>(nullable: false),
                ExpiresAt = t.Timestamp(mb, nullable: true),
                ConfirmedAt = t.Timestamp(mb, nullable: true),
                CreatedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_chat_transcript_mail", x => x.Id));
        mb.CreateIndex("IX_chat_transcript_mail_ConversationId_CreatedAt", "chat_transcript_mail", ["ConversationId", "CreatedAt"]);
        mb.CreateIndex("IX_chat_transcript_mail_Address_CreatedAt", "chat_transcript_mail", ["Address", "CreatedAt"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable("chat_transcript_mail");
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0018_ChatTranscriptMail_Sqlite : M0018_ChatTranscriptMail;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0018_ChatTranscriptMail_Postgres : M0018_ChatTranscriptMail;
