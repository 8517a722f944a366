using Xunit.Abstractions;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Wallet;

public sealed class WalletDemoSeedTests(ITestOutputHelper output)
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task DemoSeed_IsBalanced_Deterministic_AndHasTheInterestingCases(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider, WalletFixture.Settings);
        var stopwatch = Stopwatch.StartNew();
        await using (var scope = app.Scope())
        {
            (await scope.ServiceProvider.GetRequiredService<WalletDemoSeeder>().SeedAsync()).ShouldBeTrue();
        }

        var elapsed = stopwatch.Elapsed;
        output.WriteLine($"{provider}: seeded {WalletDemoSeeder.DefaultCustomers} wallets in {elapsed.TotalSeconds:0.00} s");
        // Speed is checked by `walletdesk bench`, never by a timed test; the time is printed for information only.

        await using (var scope = app.Scope())
        {
            (await scope.ServiceProvider.GetRequiredService<WalletDemoSeeder>().SeedAsync()).ShouldBeFalse("seeding twice does nothing");
        }

        (await app.WithDbAsync(LedgerInvariants.CheckAsync)).ShouldBeEmpty();
        var summary = await app.WithDbAsync(async db => new
        {
            Customers = await db.WalletAccounts.CountAsync(),
            Currencies = await db.WalletTransactions.Select(t => t.Currency).Distinct().ToListAsync(),
            Statuses = await db.WalletTransactions.GroupBy(t => t.Type + "/" + t.Status).Select(g => g.Key).ToListAsync(),
            Locked = await db.WalletAccounts.Where(a => a.LockedAt != null).Select(a => a.CustomerExternalId).ToListAsync(),
            Suspicious = await db.WalletSecurityEvents.Where(e => e.Suspicious && e.Kind == SecurityEventKinds.NewDevice).CountAsync(),
            PendingRefunds = await db.WalletTransactions.CountAsync(t => t.Type == TransactionTypes.Refund && t.Status == TransactionStatuses.Pending),
            Linked = await db.Customers.CountAsync(c => db.WalletAccounts.Any(a => a.CustomerExternalId == c.ExternalId)),
        });

        summary.Customers.ShouldBe(WalletDemoSeeder.DefaultCustomers);
        summary.Linked.ShouldBe(WalletDemoSeeder.DefaultCustomers);
        summary.Currencies.ShouldBe(["CNY", "USD"], ignoreOrder: true);
        summary.Statuses.ShouldContain("top_up/completed");
        summary.Statuses.ShouldContain("top_up/failed");
        summary.Statuses.ShouldContain("top_up/pending");
        summary.Statuses.ShouldContain("transfer/completed");
        summary.Statuses.ShouldContain("transfer/failed");
        summary.Statuses.ShouldContain("transfer/pending");
        summary.Statuses.ShouldContain("payment/partially_refunded");
        summary.Locked.ShouldBe([WalletDemoSeeder.LockedCustomerExternalId]);
        summary.Suspicious.ShouldBe(2);
        summary.PendingRefunds.ShouldBeGreaterThan(0);

        // Pending items settle through the ordinary job path and the books stay balanced.
        app.Clock.Advance(TimeSpan.FromDays(3));
        (await app.Ledger().SettleDueAsync(1000)).ShouldBeGreaterThan(0);
        (await app.WithDbAsync(LedgerInvariants.CheckAsync)).ShouldBeEmpty();

        // Same seed, same people and amounts.
        await using var again = await WalletDeskFactory.CreateAsync(Providers.Sqlite, WalletFixture.Settings);
        await using (var scope = again.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<WalletDemoSeeder>().SeedAsync();
        }

        static async Task<List<string>> Fingerprint(AppDbContext db) =>
            (await db.WalletTransactions.Select(t => t.Reference + ":" + t.Amount + ":" + t.Type).ToListAsync()).Order(StringComparer.Ordinal).ToList();
        (await again.WithDbAsync(Fingerprint)).ShouldBe(await app.WithDbAsync(Fingerprint));
    }
}
