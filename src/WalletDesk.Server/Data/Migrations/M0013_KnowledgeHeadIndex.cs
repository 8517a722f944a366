using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>
/// PostgreSQL knowledge search: a small title-and-tags tsvector (<c>head</c>) with its own GIN index, so a query made
/// of common words ranks title matches on a vector that fits in the row instead of detoasting every matching
/// article's full tsvector (`walletdesk bench kb`, docs/knowledge.md). SQLite's FTS5 index needs nothing.
/// </summary>
public abstract class M0013_KnowledgeHeadIndex : Migration
{
    public const string Id = "20261123001300_KnowledgeHeadIndex";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        if (migrationBuilder.IsSqlite())
        {
            return;
        }

        migrationBuilder.Sql("""
            ALTER TABLE kb_search_index ADD COLUMN head tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('simple', title), 'A') ||
                setweight(to_tsvector('simple', tags), 'B')) STORED;
            """);
        migrationBuilder.Sql("CREATE INDEX ix_kb_search_index_head ON kb_search_index USING GIN (head);");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        if (migrationBuilder.IsSqlite())
        {
            return;
        }

        migrationBuilder.Sql("DROP INDEX IF EXISTS ix_kb_search_index_head;");
        migrationBuilder.Sql("ALTER TABLE kb_search_index DROP COLUMN IF EXISTS head;");
    }
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0013_KnowledgeHeadIndex_Sqlite : M0013_KnowledgeHeadIndex;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0013_KnowledgeHeadIndex_Postgres : M0013_KnowledgeHeadIndex;
