using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Knowledge;
using WalletDesk.Server.Features.Knowledge.Search;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Knowledge;

/// <summary>PostgreSQL-only properties of the search index that keep searches fast (docs/benchmarks.md, M0015).</summary>
public sealed class SearchIndexOnPostgresTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task PublishedArticles_GoStraightIntoTheGinIndexes_NotIntoAPendingList()
    {
        if (!TestPostgres.IsAvailable)
        {
            return; // CI provides PostgreSQL; locally export WALLETDESK_TEST_POSTGRES to run this.
        }

        var app = await fixture.For(Providers.Postgres);
        await KbTestData.EnsureAsync(app);

        // gin_clean_pending_list returns the pending-list pages it had to merge: every search would have scanned them.
        var pending = await app.WithDbAsync(db => db.Database
            .SqlQueryRaw<long>("SELECT gin_clean_pending_list('ix_kb_search_index_tsv'::regclass) + gin_clean_pending_list('ix_kb_search_index_head'::regclass) AS \"Value\"")
            .SingleAsync());

        pending.ShouldBe(0);
    }

    [Fact]
    public async Task Search_KeepsItsPlannerSettingInsideItsOwnTransaction()
    {
        if (!TestPostgres.IsAvailable)
        {
            return;
        }

        var app = await fixture.For(Providers.Postgres);
        await KbTestData.EnsureAsync(app);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var search = scope.ServiceProvider.GetRequiredService<KnowledgeSearch>();
        await db.Database.OpenConnectionAsync();
        var before = await ShowRandomPageCostAsync(db);

        (await search.SearchAsync(new SearchRequest("refunds", KbLanguages.English, false))).Hits.Select(h => h.Slug).ShouldContain("kbt-refund");

        (await ShowRandomPageCostAsync(db)).ShouldBe(before, "the setting is transaction-local and must not outlive the search on a pooled connection");
        before.ShouldNotBe("1.1");

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            (await search.SearchAsync(new SearchRequest("refunds", KbLanguages.English, false))).Hits.Select(h => h.Slug).ShouldContain("kbt-refund");
            (await ShowRandomPageCostAsync(db)).ShouldBe("1.1", "inside the caller's transaction the setting lasts until that transaction ends");
            await transaction.RollbackAsync();
        }

        (await ShowRandomPageCostAsync(db)).ShouldBe(before);
    }

    private static Task<string> ShowRandomPageCostAsync(AppDbContext db) =>
        db.Database.SqlQueryRaw<string>("SELECT current_setting('random_page_cost') AS \"Value\"").SingleAsync();
}
