using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>
/// PostgreSQL knowledge search: the two GIN indexes of <c>kb_search_index</c> (<c>tsv</c>, <c>head</c>) stop using the
/// pending list (<c>fastupdate = off</c>) and the list they hold now is merged. With the pending list, new and changed
/// articles wait unsorted until the list passes 4 MB or (auto)vacuum runs, and every search scans the whole list: after
/// `bench kb`'s load the head index held all 10k rows there and the tsv index ~400 full vectors, which doubled the index
/// cost, tipped the planner to sequential scans and made the 10k p99 swing between runs with autovacuum's timing
/// (docs/benchmarks.md). A help center is read far more than written; an article save pays the index update instead.
/// SQLite's FTS5 index needs nothing.
/// </summary>
public abstract class M0015_KnowledgeGinNoPendingList : Migration
{
    public const string Id = "20261123001500_KnowledgeGinNoPendingList";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        if (migrationBuilder.IsSqlite())
        {
            return;
        }

        migrationBuilder.Sql("ALTER INDEX ix_kb_search_index_tsv SET (fastupdate = off);");
        migrationBuilder.Sql("ALTER INDEX ix_kb_search_index_head SET (fastupdate = off);");
        migrationBuilder.Sql("SELECT gin_clean_pending_list('ix_kb_search_index_tsv'::regclass), gin_clean_pending_list('ix_kb_search_index_head'::regclass);");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        if (migrationBuilder.IsSqlite())
        {
            return;
        }

        migrationBuilder.Sql("ALTER INDEX ix_kb_search_index_tsv RESET (fastupdate);");
        migrationBuilder.Sql("ALTER INDEX ix_kb_search_index_head RESET (fastupdate);");
    }
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0015_KnowledgeGinNoPendingList_Sqlite : M0015_KnowledgeGinNoPendingList;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0015_KnowledgeGinNoPendingList_Postgres : M0015_KnowledgeGinNoPendingList;
