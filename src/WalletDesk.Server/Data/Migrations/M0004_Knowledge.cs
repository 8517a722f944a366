using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>
/// Knowledge base: articles, translations, revisions, feedback, search and deflection events, and the search
/// index (an FTS5 table on SQLite, a weighted tsvector with a GIN index on PostgreSQL). The index holds
/// pre-analysed terms (English stems, CJK bigrams and unigrams) written by <c>KnowledgeIndex</c>, so it is not an EF entity.
/// </summary>
public abstract class M0004_Knowledge : Migration
{
    public const string Id = "20261123000400_Knowledge";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        mb.CreateTable(
            name: "kb_articles",
            columns: t => new
            {
                Id = t.Identity(mb),
                Slug = t.Column<string>(maxLength: 96, nullable: false),
                Category = t.Column<string>(maxLength: 48, nullable: false),
                Section = t.Column<string>(maxLength: 48, nullable: false),
                Visibility = t.Column<string>(maxLength: 16, nullable: false),
                Related = t.Column<string>(maxLength: 1024, nullable: false),
                CreatedAt = t.Timestamp(mb),
                UpdatedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_kb_articles", x => x.Id));
        mb.CreateIndex("IX_kb_articles_Slug", "kb_articles", "Slug", unique: true);
        mb.CreateIndex("IX_kb_articles_Category_Section", "kb_articles", ["Category", "Section"]);

        mb.CreateTable(
            name: "kb_translations",
            columns: t => new
            {
                Id = t.Identity(mb),
                ArticleId = t.Column<long>(nullable: false),
                Lang = t.Column<string>(maxLength: 8, nullable: false),
                Title = t.Column<string>(maxLength: 200, nullable: false),
                Body = t.Column<string>(maxLength: 100_000, nullable: false),
                Tags = t.Column<string>(maxLength: 512, nullable: false),
                Status = t.Column<string>(maxLength: 16, nullable: false),
                Revision = t.Column<int>(nullable: false),
                ReviewedAt = t.Timestamp(mb, nullable: true),
                CreatedAt = t.Timestamp(mb),
                UpdatedAt = t.Timestamp(mb),
                PublishedAt = t.Timestamp(mb, nullable: true),
                UpdatedBy = t.Column<string>(maxLength: 128, nullable: true),
                HelpfulCount = t.Column<int>(nullable: false),
                NotHelpfulCount = t.Column<int>(nullable: false),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_kb_translations", x => x.Id);
                t.ForeignKey("FK_kb_translations_kb_articles_ArticleId", x => x.ArticleId, "kb_articles", "Id", onDelete: ReferentialAction.Cascade);
            });
        mb.CreateIndex("IX_kb_translations_ArticleId_Lang", "kb_translations", ["ArticleId", "Lang"], unique: true);
        mb.CreateIndex("IX_kb_translations_Status_Lang", "kb_translations", ["Status", "Lang"]);

        mb.CreateTable(
            name: "kb_revisions",
            columns: t => new
            {
                Id = t.Identity(mb),
                TranslationId = t.Column<long>(nullable: false),
                Number = t.Column<int>(nullable: false),
                Title = t.Column<string>(maxLength: 200, nullable: false),
                Body = t.Column<string>(maxLength: 100_000, nullable: false),
                Tags = t.Column<string>(maxLength: 512, nullable: false),
                CreatedAt = t.Timestamp(mb),
                Author = t.Column<string>(maxLength: 128, nullable: true),
                Note = t.Column<string>(maxLength: 200, nullable: true),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_kb_revisions", x => x.Id);
                t.ForeignKey("FK_kb_revisions_kb_translations_TranslationId", x => x.TranslationId, "kb_translations", "Id", onDelete: ReferentialAction.Cascade);
            });
        mb.CreateIndex("IX_kb_revisions_TranslationId_Number", "kb_revisions", ["TranslationId", "Number"], unique: true);

        mb.CreateTable(
            name: "kb_feedback",
            columns: t => new
            {
                Id = t.Identity(mb),
                TranslationId = t.Column<long>(nullable: false),
                Helpful = t.Column<bool>(nullable: false),
                Comment = t.Column<string>(maxLength: 1000, nullable: true),
                Source = t.Column<string>(maxLength: 16, nullable: false),
                CreatedAt = t.Timestamp(mb),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_kb_feedback", x => x.Id);
                t.ForeignKey("FK_kb_feedback_kb_translations_TranslationId", x => x.TranslationId, "kb_translations", "Id", onDelete: ReferentialAction.Cascade);
            });
        mb.CreateIndex("IX_kb_feedback_TranslationId_CreatedAt", "kb_feedback", ["TranslationId", "CreatedAt"]);

        mb.CreateTable(
            name: "kb_search_events",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                Query = t.Column<string>(maxLength: 200, nullable: false),
                Lang = t.Column<string>(maxLength: 8, nullable: false),
                Source = t.Column<string>(maxLength: 16, nullable: false),
                ResultCount = t.Column<int>(nullable: false),
                CorrectedQuery = t.Column<string>(maxLength: 200, nullable: true),
                ClickedSlug = t.Column<string>(maxLength: 96, nullable: true),
                CreatedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_kb_search_events", x => x.Id));
        mb.CreateIndex("IX_kb_search_events_CreatedAt", "kb_search_events", "CreatedAt");

        mb.CreateTable(
            name: "kb_deflection_events",
            columns: t => new
            {
                Id = t.Identity(mb),
                Source = t.Column<string>(maxLength: 16, nullable: false),
                Query = t.Column<string>(maxLength: 200, nullable: true),
                ArticleSlug = t.Column<string>(maxLength: 96, nullable: true),
                Outcome = t.Column<string>(maxLength: 24, nullable: false),
                CreatedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_kb_deflection_events", x => x.Id));
        mb.CreateIndex("IX_kb_deflection_events_CreatedAt", "kb_deflection_events", "CreatedAt");

        if (mb.IsSqlite())
        {
            // rowid = kb_translations.Id. Columns: analysed title/tags/body terms; CJK unigrams (so 1-character
            // queries work without inflating the main columns); visibility as an indexed term, so public search
            // filters inside the full-text index (weight 0 in bm25) instead of reading every matching row; then
            // stored-only fields a result needs, so a search never goes back to the article tables: language,
            // article id, slug, category, the title as written and the plain text for snippets.
            mb.Sql("""
                CREATE VIRTUAL TABLE kb_search_fts USING fts5(
                    title, tags, body, uni, vis,
                    lang UNINDEXED, article UNINDEXED, slug UNINDEXED, category UNINDEXED, display UNINDEXED, plain UNINDEXED,
                    tokenize = 'unicode61 remove_diacritics 2');
                """);
            mb.Sql("CREATE VIRTUAL TABLE kb_search_vocab USING fts5vocab('kb_search_fts', 'row');");
        }
        else
        {
            mb.Sql("""
                CREATE TABLE kb_search_index (
                    "TranslationId" bigint PRIMARY KEY REFERENCES kb_translations ("Id") ON DELETE CASCADE,
                    lang varchar(8) NOT NULL,
                    vis varchar(16) NOT NULL,
                    article bigint NOT NULL,
                    slug varchar(96) NOT NULL,
                    category varchar(48) NOT NULL,
                    display text NOT NULL,
                    title text NOT NULL,
                    tags text NOT NULL,
                    body text NOT NULL,
                    uni text NOT NULL,
                    plain text NOT NULL,
                    tsv tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector('simple', title), 'A') ||
                        setweight(to_tsvector('simple', tags), 'B') ||
                        setweight(to_tsvector('simple', body), 'C') ||
                        setweight(to_tsvector('simple', uni), 'D')) STORED);
                """);
            mb.Sql("CREATE INDEX ix_kb_search_index_tsv ON kb_search_index USING GIN (tsv);");
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        if (migrationBuilder.IsSqlite())
        {
            migrationBuilder.Sql("DROP TABLE IF EXISTS kb_search_vocab;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS kb_search_fts;");
        }
        else
        {
            migrationBuilder.Sql("DROP TABLE IF EXISTS kb_search_index;");
        }

        foreach (var table in new[] { "kb_deflection_events", "kb_search_events", "kb_feedback", "kb_revisions", "kb_translations", "kb_articles" })
        {
            migrationBuilder.DropTable(table);
        }
    }
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0004_Knowledge_Sqlite : M0004_Knowledge;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0004_Knowledge_Postgres : M0004_Knowledge;
