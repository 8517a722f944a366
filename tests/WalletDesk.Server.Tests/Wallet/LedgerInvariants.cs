using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Features.Wallet.Ledger;

namespace WalletDesk.Server.Tests.Wallet;

/// <summary>
/// Checks the whole reference ledger: every posting balances per currency, every book equals its journal, customer books
/// are never negative, totals are conserved (all books sum to zero per currency), and every transaction's own postings
/// are exactly what its final status implies (so nothing was applied twice or half-applied).
/// </summary>
public static class LedgerInvariants
{
    public static async Task<IReadOnlyList<string>> CheckAsync(AppDbContext db)
    {
        var problems = new List<string>();
        var books = await db.WalletBooks.AsNoTracking().ToDictionaryAsync(b => b.Id);
        var entries = await db.WalletJournal.AsNoTracking().ToListAsync();
        var transactions = await db.WalletTransactions.AsNoTracking().ToListAsync();

        foreach (var posting in entries.GroupBy(e => e.PostingId))
        {
            if (posting.GroupBy(e => e.Currency).Any(c => c.Sum(e => e.Amount) != 0) || posting.Select(e => e.TransactionId).Distinct().Count() != 1)
            {
                problems.Add($"posting {posting.Key} does not balance");
            }
        }

        foreach (var currency in books.Values.GroupBy(b => b.Currency))
        {
            if (currency.Sum(b => b.Balance) != 0)
            {
                problems.Add($"books in {currency.Key} sum to {currency.Sum(b => b.Balance)}, not zero");
            }
        }

        var journalByBook = entries.GroupBy(e => e.BookId).ToDictionary(g => g.Key, g => g.Sum(e => e.Amount));
        foreach (var book in books.Values)
        {
            if (journalByBook.GetValueOrDefault(book.Id) != book.Balance)
            {
                problems.Add($"book {book.Code} holds {book.Balance} but its journal sums to {journalByBook.GetValueOrDefault(book.Id)}");
            }

            if (!book.AllowNegative && book.Balance < 0)
            {
                problems.Add($"customer book {book.Code} is negative ({book.Balance})");
            }
        }

        long Book(Guid account, string currency) => books.Values.Single(b => b.Code == LedgerService.CustomerBookCode(account, currency)).Id;
        long System(string kind, string currency) => books.Values.Single(b => b.Code == LedgerService.SystemBookCode(kind, currency)).Id;
        var byTransaction = entries.GroupBy(e => e.TransactionId).ToDictionary(g => g.Key, g => Net(g));
        var byId = transactions.ToDictionary(t => t.Id);
        var reversals = transactions.Where(t => t.Type == TransactionTypes.Reversal && t.Status == TransactionStatuses.Completed && t.OriginalTransactionId is not null).ToLookup(t => t.OriginalTransactionId!.Value);

        foreach (var t in transactions)
        {
            var actual = byTransaction.GetValueOrDefault(t.Id) ?? [];
            Dictionary<long, long>? expected = null;
            long Payee() => t.CounterpartyAccountId is { } c ? Book(c, t.Currency) : System(BookKinds.Merchant, t.Currency);
            var held = t.Status == TransactionStatuses.Pending && t.FundsHeld;
            switch (t.Type)
            {
                case TransactionTypes.TopUp:
                    expected = t.Status == TransactionStatuses.Completed || (t.Status == TransactionStatuses.Reversed && t.SettledAt is not null)
                        ? Legs((System(BookKinds.Funding, t.Currency), -t.Amount), (Book(t.AccountId, t.Currency), t.Amount))
                        : [];
                    break;
                case TransactionTypes.Transfer or TransactionTypes.Payment:
                    if (held || (t.Status == TransactionStatuses.Reversed && t.SettledAt is null && t.ExpectedSettlementAt is not null))
                    {
                        expected = Legs((Book(t.AccountId, t.Currency), -t.Amount), (System(BookKinds.Suspense, t.Currency), t.Amount));
                    }
                    else if (t.Status is TransactionStatuses.Completed or TransactionStatuses.Refunded or TransactionStatuses.PartiallyRefunded || t.Status == TransactionStatuses.Reversed)
                    {
                        expected = Legs((Book(t.AccountId, t.Currency), -t.Amount), (t.Type == TransactionTypes.Transfer ? Book(t.CounterpartyAccountId!.Value, t.Currency) : System(BookKinds.Merchant, t.Currency), t.Amount));
                    }
                    else
                    {
                        expected = [];
                    }

                    break;
                case TransactionTypes.Withdrawal:
                    expected = held || (t.Status == TransactionStatuses.Reversed)
                        ? Legs((Book(t.AccountId, t.Currency), -t.Amount), (System(BookKinds.Suspense, t.Currency), t.Amount))
                        : t.Status == TransactionStatuses.Completed
                            ? Legs((Book(t.AccountId, t.Currency), -t.Amount), (System(BookKinds.Payout, t.Currency), t.Amount))
                            : [];
                    break;
                case TransactionTypes.Refund:
                    var original = byId[t.OriginalTransactionId!.Value];
                    long RefundPayee() => original.CounterpartyAccountId is { } c ? Book(c, t.Currency) : System(BookKinds.Merchant, t.Currency);
                    expected = held
                        ? Legs((RefundPayee(), -t.Amount), (System(BookKinds.Suspense, t.Currency), t.Amount))
                        : t.Status == TransactionStatuses.Completed ? Legs((RefundPayee(), -t.Amount), (Book(t.AccountId, t.Currency), t.Amount)) : [];
                    _ = Payee();
                    break;
                case TransactionTypes.Reversal:
                    // Checked together with the original below.
                    continue;
            }

            if (t.Status == TransactionStatuses.Reversed)
            {
                // The original's own legs plus its reversal's legs must cancel out exactly.
                var undo = reversals[t.Id].ToList();
                if (undo.Count != 1)
                {
                    problems.Add($"{t.Reference} is reversed with {undo.Count} reversal transactions");
                    continue;
                }

                var combined = Combine(actual, byTransaction.GetValueOrDefault(undo[0].Id) ?? []);
                if (combined.Count != 0)
                {
                    problems.Add($"{t.Reference} and its reversal do not cancel out");
                }
            }

            if (expected is not null && !Same(expected, actual))
            {
                problems.Add($"{t.Type} {t.Reference} ({t.Status}) has postings {Show(actual)}, expected {Show(expected)}");
            }

            if (t.Type is TransactionTypes.Transfer or TransactionTypes.Payment)
            {
                var refunded = transactions.Where(r => r.Type == TransactionTypes.Refund && r.OriginalTransactionId == t.Id && r.Status is TransactionStatuses.Completed or TransactionStatuses.Pending).Sum(r => r.Amount);
                if (refunded != t.RefundedAmount || t.RefundedAmount > t.Amount)
                {
                    problems.Add($"{t.Reference} records {t.RefundedAmount} refunded of {t.Amount}, refunds sum to {refunded}");
                }
            }
        }

        return problems;
    }

    private static Dictionary<long, long> Net(IEnumerable<JournalEntry> entries) =>
        entries.GroupBy(e => e.BookId).Select(g => (g.Key, g.Sum(e => e.Amount))).Where(x => x.Item2 != 0).ToDictionary(x => x.Key, x => x.Item2);

    private static Dictionary<long, long> Legs(params (long Book, long Amount)[] legs) =>
        legs.GroupBy(l => l.Book).Select(g => (g.Key, g.Sum(l => l.Amount))).Where(x => x.Item2 != 0).ToDictionary(x => x.Key, x => x.Item2);

    private static Dictionary<long, long> Combine(Dictionary<long, long> a, Dictionary<long, long> b) =>
        a.Concat(b).GroupBy(kv => kv.Key).Select(g => (g.Key, g.Sum(kv => kv.Value))).Where(x => x.Item2 != 0).ToDictionary(x => x.Key, x => x.Item2);

    private static bool Same(Dictionary<long, long> a, Dictionary<long, long> b) => a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static string Show(Dictionary<long, long> legs) => "{" + string.Join(", ", legs.OrderBy(l => l.Key).Select(l => $"{l.Key}:{l.Value}")) + "}";
}
