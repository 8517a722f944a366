using System.Collections.Concurrent;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Features.Wallet.Ledger;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Wallet;

/// <summary>
/// Property-style: thousands of random operations from parallel workers on a handful of accounts (transfers both ways
/// between the same accounts, payments, refunds racing settlements and reversals, duplicate submissions of the same
/// idempotency key at the same moment), then the ledger's invariants must all hold.
/// </summary>
public sealed class ConcurrentLedgerPropertyTests(WalletFixture fixture) : IClassFixture<WalletFixture>
{
    private const int Operations = 2000;
    private const int Workers = 8;

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RandomConcurrentOperations_KeepEveryInvariant(string provider)
    {
        var app = await fixture.For(provider);
        var ledger = app.Ledger();
        var wallets = new List<TestWallet>();
        for (var i = 0; i < 6; i++)
        {
            wallets.Add(await app.CreateCustomerWithWalletAsync("CNY", balance: 3_000_000));
        }

        var done = new ConcurrentBag<LedgerTransaction>();
        var keyToTransaction = new ConcurrentDictionary<string, Guid>();
        var duplicatesChecked = 0;
        var refused = 0;
        var next = -1;
        using var stop = new CancellationTokenSource();

        // Settlement races everything else: the clock moves on and due items settle while workers refund and reverse.
        var settler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                app.Clock.Advance(TimeSpan.FromMinutes(20));
                await ledger.SettleDueAsync(50);
                await Task.Yield();
            }
        });

        async Task Record(string key, Task<LedgerResult> operation)
        {
            try
            {
                var result = await operation;
                done.Add(result.Transaction);
                var first = keyToTransaction.GetOrAdd(key, result.Transaction.Id);
                first.ShouldBe(result.Transaction.Id, $"key {key} produced two transactions");
            }
            catch (LedgerRequestException)
            {
                Interlocked.Increment(ref refused);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(1000 + worker);
            int index;
            while ((index = Interlocked.Increment(ref next)) < Operations)
            {
                var from = wallets[random.Next(wallets.Count)];
                var to = wallets[(wallets.IndexOf(from) + 1 + random.Next(wallets.Count - 1)) % wallets.Count];
                var key = $"op-{index}";
                var roll = random.Next(100);
                if (roll < 35)
                {
                    // Mostly small; now and then large enough for risk review (held, settled later).
                    var amount = random.Next(10) == 0 ? 500_000 + random.Next(100_000) : random.Next(100, 20_000);
                    await Record(key, ledger.TransferAsync(from.Account.Id, to.Account.Id, amount, "CNY", key));
                }
                else if (roll < 50)
                {
                    await Record(key, ledger.PayAsync(from.Account.Id, "Luckin Coffee", random.Next(100, 9_000), "CNY", key));
                }
                else if (roll < 65)
                {
                    var candidates = done.Where(t => t.Type is TransactionTypes.Payment or TransactionTypes.Transfer && t.Status == TransactionStatuses.Completed).ToList();
                    if (candidates.Count > 0)
                    {
                        var original = candidates[random.Next(candidates.Count)];
                        await Record(key, ledger.RefundAsync(original.Id, 1 + random.Next((int)Math.Min(original.Amount, int.MaxValue - 1)), key));
                    }
                }
                else if (roll < 72)
                {
                    var pending = done.Where(t => t.Status == TransactionStatuses.Pending).ToList();
                    if (pending.Count > 0)
                    {
                        await Record(key, ledger.ReverseAsync(pending[random.Next(pending.Count)].Id, key));
                    }
                }
                else if (roll < 80)
                {
                    await Record(key, ledger.TopUpAsync(from.Account.Id, random.Next(3) == 0 ? from.Bank.Id : from.Card.Id, random.Next(1_000, 50_000), "CNY", key));
                }
                else if (roll < 85)
                {
                    await Record(key, ledger.WithdrawAsync(from.Account.Id, from.Bank.Id, random.Next(1_000, 30_000), "CNY", key));
                }
                else
                {
                    // A double click: the same request with the same key twice at the same moment.
                    var amount = random.Next(100, 5_000);
                    await Task.WhenAll(
                        Record(key, ledger.TransferAsync(from.Account.Id, to.Account.Id, amount, "CNY", key)),
                        Record(key, ledger.TransferAsync(from.Account.Id, to.Account.Id, amount, "CNY", key)));
                    Interlocked.Increment(ref duplicatesChecked);
                }
            }
        })));

        await stop.CancelAsync();
        await settler;
        app.Clock.Advance(TimeSpan.FromDays(3));
        while (await ledger.SettleDueAsync(500) > 0)
        {
        }

        var problems = await app.Db(db => LedgerInvariants.CheckAsync(db));
        problems.ShouldBeEmpty();

        var counts = await app.Db(db => Task.FromResult(db.WalletTransactions.Select(t => t.Status).ToList()));
        counts.Count(s => s == TransactionStatuses.Completed).ShouldBeGreaterThan(Operations / 3);
        counts.ShouldContain(TransactionStatuses.Reversed);
        counts.ShouldContain(s => s == TransactionStatuses.Refunded || s == TransactionStatuses.PartiallyRefunded);
        counts.ShouldNotContain(TransactionStatuses.Pending, "everything due has settled");
        duplicatesChecked.ShouldBeGreaterThan(50);
        _ = refused;
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ManyRefundsOfOnePayment_AtOnce_NeverExceedTheOriginal(string provider)
    {
        var app = await fixture.For(provider);
        var ledger = app.Ledger();
        var payer = await app.CreateCustomerWithWalletAsync("USD", balance: 100_000);
        var payment = (await ledger.PayAsync(payer.Account.Id, "Apple Store", 10_000, "USD", "pay-1")).Transaction;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 30).Select(async i => // 30 connections at most
        {
            try
            {
                return (await ledger.RefundAsync(payment.Id, 1_000, $"refund-{i}")).Transaction.Status;
            }
            catch (LedgerRequestException ex)
            {
                return ex.Code;
            }
        }));

        outcomes.Count(o => o == TransactionStatuses.Completed).ShouldBe(10);
        outcomes.Count(o => o == "amount_exceeds_refundable" || o == "not_refundable").ShouldBe(20);
        (await app.BalanceAsync(payer.Account.Id, "USD")).ShouldBe(100_000);
        (await app.Db(db => LedgerInvariants.CheckAsync(db))).ShouldBeEmpty();
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task OppositeTransfers_BetweenTheSameTwoAccounts_DoNotDeadlockOrLoseMoney(string provider)
    {
        var app = await fixture.For(provider);
        var ledger = app.Ledger();
        var a = await app.CreateCustomerWithWalletAsync("CNY", balance: 100_000);
        var b = await app.CreateCustomerWithWalletAsync("CNY", balance: 100_000);

        // 16 at a time (a server bounds its concurrency too); they all queue on the same two account rows.
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, token) =>
            await (i % 2 == 0
                ? ledger.TransferAsync(a.Account.Id, b.Account.Id, 700, "CNY", $"ab-{i}", ct: token)
                : ledger.TransferAsync(b.Account.Id, a.Account.Id, 300, "CNY", $"ba-{i}", ct: token)));

        var total = await app.BalanceAsync(a.Account.Id, "CNY") + await app.BalanceAsync(b.Account.Id, "CNY");
        total.ShouldBe(200_000);
        (await app.BalanceAsync(a.Account.Id, "CNY")).ShouldBe(100_000 - (100 * 700) + (100 * 300));
        (await app.Db(db => LedgerInvariants.CheckAsync(db))).ShouldBeEmpty();
    }
}
