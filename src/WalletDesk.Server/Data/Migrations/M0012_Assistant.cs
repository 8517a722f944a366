using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>The assistant: model versions, operator and agent examples, operator intents, per-conversation state and predictions.</summary>
public abstract class M0012_Assistant : Migration
{
    public const string Id = "20261123001200_Assistant";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        mb.CreateTable(
            name: "assistant_models",
            columns: t => new
            {
                Id = t.Column<string>(maxLength: 80, nullable: false),
                CreatedAt = t.Timestamp(mb),
                Status = t.Column<string>(maxLength: 16, nullable: false),
                IsActive = t.Column<bool>(nullable: false),
                TrainingRows = t.Column<int>(nullable: false),
                DataHash = t.Column<string>(maxLength: 64, nullable: false),
                MaxExampleId = t.Column<long>(nullable: false),
                EvalOpenSetAccuracy = t.Column<double>(nullable: true),
                EvalAccuracy = t.Column<double>(nullable: true),
                EvalMacroF1 = t.Column<double>(nullable: true),
                BaselineOpenSetAccuracy = t.Column<double>(nullable: true),
                Decision = t.Column<string>(maxLength: 400, nullable: false),
                CreatedBy = t.Column<string>(maxLength: 128, nullable: true),
                ActivatedAt = t.Timestamp(mb, nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_assistant_models", x => x.Id));

        mb.CreateTable(
            name: "assistant_examples",
            columns: t => new
            {
                Id = t.Identity(mb),
                Text = t.Column<string>(maxLength: 2000, nullable: false),
                Label = t.Column<string>(maxLength: 64, nullable: false),
                Source = t.Column<string>(maxLength: 32, nullable: false),
                ConversationId = t.Column<long>(nullable: true),
                Seq = t.Column<int>(nullable: true),
                CreatedBy = t.Column<string>(maxLength: 128, nullable: true),
                CreatedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_assistant_examples", x => x.Id));

        mb.CreateTable(
            name: "assistant_intents",
            columns: t => new
            {
                Key = t.Column<string>(maxLength: 64, nullable: false),
                Description = t.Column<string>(maxLength: 400, nullable: false),
                ArticleSlug = t.Column<string>(maxLength: 128, nullable: true),
                Group = t.Column<string>(maxLength: 32, nullable: false),
                CreatedBy = t.Column<string>(maxLength: 128, nullable: true),
                CreatedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_assistant_intents", x => x.Key));

        mb.CreateTable(
            name: "assistant_conversations",
            columns: t => new
            {
                ConversationId = t.Column<long>(nullable: false),
                CustomerId = t.Column<Guid>(nullable: false),
                IsVisitor = t.Column<bool>(nullable: false),
                Language = t.Column<string>(maxLength: 8, nullable: false),
                State = t.Column<string>(nullable: false),
                LastSeq = t.Column<int>(nullable: false),
                LastOutcome = t.Column<string>(nullable: true),
                Turns = t.Column<int>(nullable: false),
                HandedOff = t.Column<bool>(nullable: false),
                HandoffReason = t.Column<string>(maxLength: 32, nullable: true),
                HandoffIntent = t.Column<string>(maxLength: 64, nullable: true),
                HandedOffAt = t.Timestamp(mb, nullable: true),
                Resolved = t.Column<bool>(nullable: false),
                ResolvedAt = t.Timestamp(mb, nullable: true),
                CreatedAt = t.Timestamp(mb),
                LastMessageAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_assistant_conversations", x => x.ConversationId));
        mb.CreateIndex("IX_assistant_conversations_CreatedAt", "assistant_conversations", "CreatedAt");

        mb.CreateTable(
            name: "assistant_turns",
            columns: t => new
            {
                Id = t.Identity(mb),
                ConversationId = t.Column<long>(nullable: false),
                Seq = t.Column<int>(nullable: false),
                At = t.Timestamp(mb),
                Text = t.Column<string>(maxLength: 4000, nullable: false),
                Intent = t.Column<string>(maxLength: 64, nullable: true),
                TopCandidate = t.Column<string>(maxLength: 64, nullable: true),
                Confidence = t.Column<double>(nullable: false),
                ModelVersion = t.Column<string>(maxLength: 80, nullable: false),
                Action = t.Column<string>(maxLength: 400, nullable: false),
                HandoffReason = t.Column<string>(maxLength: 32, nullable: true),
                CorrectedIntent = t.Column<string>(maxLength: 64, nullable: true),
                CorrectedBy = t.Column<string>(maxLength: 128, nullable: true),
                CorrectedAt = t.Timestamp(mb, nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_assistant_turns", x => x.Id));
        mb.CreateIndex("IX_assistant_turns_ConversationId_Seq", "assistant_turns", ["ConversationId", "Seq"], unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("assistant_turns");
        migrationBuilder.DropTable("assistant_conversations");
        migrationBuilder.DropTable("assistant_intents");
        migrationBuilder.DropTable("assistant_examples");
        migrationBuilder.DropTable("assistant_models");
    }
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0012_Assistant_Sqlite : M0012_Assistant;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0012_Assistant_Postgres : M0012_Assistant;
