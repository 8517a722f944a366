using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;

namespace WalletDesk.Server.Features.Wallet.Ledger;

/// <summary>The outcome of a ledger operation; <see cref="Replayed"/> when the idempotency key had been used before.</summary>
public sealed record LedgerResult(LedgerTransaction Transaction, bool Replayed);

/// <summary>A request the ledger refuses outright (nothing is recorded): unknown account, bad amount, key reused for another request.</summary>
public sealed class LedgerRequestException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>Data for opening an account in the reference ledger.</summary>
public sealed record OpenAccountRequest(string CustomerExternalId, string DisplayName, string? Phone, string TimeZone, int KycTier, string KycState, IReadOnlyList<string> Currencies);

/// <summary>
/// The reference ledger: a double-entry journal in the same database. Every operation carries an idempotency key
/// (unique per account), every posting sums to zero per currency, and customer books never go below zero.
/// Concurrency: conditional single-statement updates (balance guard, status transitions) make each step safe on
/// PostgreSQL under read committed; locks are always taken account row → transaction row → books in id order.
/// On SQLite, writers in this process queue on one gate (SQLite has a single writer anyway).
/// </summary>
public sealed class LedgerService(IDbContextFactory<AppDbContext> contexts, TimeProvider time, IOptions<WalletOptions> options)
{
    public const string Out = "out";
    public const string In = "in";
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> SqliteGates = new(StringComparer.Ordinal);
    private static readonly string[] OutgoingTypes = [TransactionTypes.Transfer, TransactionTypes.Payment, TransactionTypes.Withdrawal];
    private readonly ConcurrentDictionary<string, long> _systemBooks = new(StringComparer.Ordinal);
    private WalletOptions Options => options.Value;

    public static string CustomerBookCode(Guid accountId, string currency) => $"c:{accountId:N}:{currency}";

    public static string SystemBookCode(string kind, string currency) => $"s:{kind}:{currency}";

    // ---------------------------------------------------------------- accounts and sources

    public async Task<RefAccount> OpenAccountAsync(OpenAccountRequest request, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        using var gate = await EnterAsync(db, ct);
        var now = time.GetUtcNow();
        var account = new RefAccount
        {
            Id = Guid.CreateVersion7(),
            CustomerExternalId = request.CustomerExternalId,
            DisplayName = request.DisplayName,
            Phone = request.Phone,
            TimeZone = request.TimeZone,
            KycTier = Math.Clamp(request.KycTier, 0, 3),
            KycState = request.KycState,
            CreatedAt = now,
        };
        db.WalletAccounts.Add(account);
        foreach (var currency in request.Currencies.Distinct(StringComparer.Ordinal))
        {
            db.WalletBooks.Add(NewCustomerBook(account.Id, currency));
        }

        await db.SaveChangesAsync(ct);
        return account;
    }

    public static LedgerBook NewCustomerBook(Guid accountId, string currency) => new()
    {
        Code = CustomerBookCode(accountId, currency),
        AccountId = accountId,
        Currency = currency,
        Kind = BookKinds.Customer,
        AllowNegative = false,
    };

    public async Task<RefFundingSource> AddFundingSourceAsync(Guid accountId, string kind, string brand, string last4, string behaviour = FundingBehaviours.Approve, CancellationToken ct = default)
    {
        if (last4.Length != 4 || !last4.All(char.IsAsciiDigit))
        {
            throw new LedgerRequestException("invalid_source", "Only the last four digits of a card or account are kept.");
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        using var gate = await EnterAsync(db, ct);
        var source = new RefFundingSource { Id = Guid.CreateVersion7(), AccountId = accountId, Kind = kind, Brand = brand, Last4 = last4, Behaviour = behaviour, CreatedAt = time.GetUtcNow() };
        db.WalletFundingSources.Add(source);
        await db.SaveChangesAsync(ct);
        return source;
    }

    public async Task SetFundingBehaviourAsync(Guid sourceId, string behaviour, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        using var gate = await EnterAsync(db, ct);
        await db.WalletFundingSources.Where(f => f.Id == sourceId).ExecuteUpdateAsync(s => s.SetProperty(f => f.Behaviour, behaviour), ct);
    }

    // ---------------------------------------------------------------- operations

    /// <summary>Adds money from a linked card (immediate unless the issuer declines or times out) or bank account (settles later).</summary>
    public Task<LedgerResult> TopUpAsync(Guid accountId, Guid fundingSourceId, long amount, string currency, string idempotencyKey, CancellationToken ct = default)
    {
        ValidateAmount(amount, currency);
        var hash = Hash("top_up", accountId, fundingSourceId, amount, currency);
        return RunAsync(accountId, idempotencyKey, hash, async (db, now, draft) =>
        {
            var account = await LoadAccountAsync(db, accountId, ct);
            var source = await db.WalletFundingSources.SingleOrDefaultAsync(f => f.Id == fundingSourceId && f.AccountId == accountId, ct)
                ?? throw new LedgerRequestException("unknown_source", "The funding source does not belong to this account.");
            var tx = draft.Start(NewTransaction(account, idempotencyKey, hash, TransactionTypes.TopUp, In, amount, currency, now));
            tx.FundingSourceId = source.Id;
            tx.CounterpartyName = $"{source.Brand} ····{source.Last4}";
            if (account.ClosedAt is not null || account.LockedAt is not null)
            {
                return Fail(tx, ReasonCodes.AccountLocked);
            }

            if (source.Behaviour == FundingBehaviours.Decline || source.Status != "active")
            {
                return Fail(tx, ReasonCodes.SourceDeclined);
            }

            var dayStart = LocalDayStart(account.TimeZone, now);
            var toppedUp = await db.WalletTransactions
                .Where(t => t.AccountId == accountId && t.Currency == currency && t.Type == TransactionTypes.TopUp && t.Status != TransactionStatuses.Failed && t.CreatedAt >= dayStart)
                .SumAsync(t => t.Amount, ct);
            if (toppedUp + amount > DailyLimit(account))
            {
                return Fail(tx, ReasonCodes.DailyLimitExceeded);
            }

            if (source.Behaviour == FundingBehaviours.Timeout)
            {
                return Pend(tx, ReasonCodes.NetworkTimeout, now.AddMinutes(5));
            }

            if (source.Kind == FundingKinds.BankAccount)
            {
                var cutoff = BankCutoffSettlement(account.TimeZone, now);
                return cutoff is { } next ? Pend(tx, ReasonCodes.BankCutoff, next) : Pend(tx, ReasonCodes.BankProcessing, now.AddHours(2));
            }

            var book = await CustomerBookIdAsync(db, accountId, currency, ct);
            await PostAsync(db, tx, now, ct, (await SystemBookIdAsync(db, BookKinds.Funding, currency, ct), -amount), (book, amount));
            return Complete(tx, now);
        }, ct);
    }

    /// <summary>Sends money from one wallet to another (P2P).</summary>
    public Task<LedgerResult> TransferAsync(Guid fromAccountId, Guid toAccountId, long amount, string currency, string idempotencyKey, string? memo = null, CancellationToken ct = default)
    {
        ValidateAmount(amount, currency);
        if (fromAccountId == toAccountId)
        {
            throw new LedgerRequestException("same_account", "A transfer needs two different accounts.");
        }

        var hash = Hash("transfer", fromAccountId, toAccountId, amount, currency, memo);
        return RunAsync(fromAccountId, idempotencyKey, hash, async (db, now, draft) =>
        {
            var account = await LockAccountAsync(db, fromAccountId, ct);
            var recipient = await db.WalletAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == toAccountId, ct)
                ?? throw new LedgerRequestException("unknown_recipient", "The recipient account does not exist.");
            var tx = draft.Start(NewTransaction(account, idempotencyKey, hash, TransactionTypes.Transfer, Out, amount, currency, now));
            tx.CounterpartyAccountId = recipient.Id;
            tx.CounterpartyName = recipient.DisplayName;
            tx.Memo = memo is { Length: > 140 } ? memo[..140] : memo;
            if (recipient.ClosedAt is not null)
            {
                return Fail(tx, ReasonCodes.RecipientUnavailable);
            }

            return await MoveOutAsync(db, account, tx, await CustomerBookIdAsync(db, toAccountId, currency, ct), now, ct);
        }, ct);
    }

    /// <summary>Pays a merchant from the wallet balance.</summary>
    public Task<LedgerResult> PayAsync(Guid accountId, string merchant, long amount, string currency, string idempotencyKey, CancellationToken ct = default)
    {
        ValidateAmount(amount, currency);
        var hash = Hash("payment", accountId, merchant, amount, currency);
        return RunAsync(accountId, idempotencyKey, hash, async (db, now, draft) =>
        {
            var account = await LockAccountAsync(db, accountId, ct);
            var tx = draft.Start(NewTransaction(account, idempotencyKey, hash, TransactionTypes.Payment, Out, amount, currency, now));
            tx.CounterpartyName = merchant.Length > 128 ? merchant[..128] : merchant;
            return await MoveOutAsync(db, account, tx, await SystemBookIdAsync(db, BookKinds.Merchant, currency, ct), now, ct);
        }, ct);
    }

    /// <summary>Sends money to a linked bank account; it leaves the wallet at once and settles with the bank later.</summary>
    public Task<LedgerResult> WithdrawAsync(Guid accountId, Guid bankSourceId, long amount, string currency, string idempotencyKey, CancellationToken ct = default)
    {
        ValidateAmount(amount, currency);
        var hash = Hash("withdrawal", accountId, bankSourceId, amount, currency);
        return RunAsync(accountId, idempotencyKey, hash, async (db, now, draft) =>
        {
            var account = await LockAccountAsync(db, accountId, ct);
            var source = await db.WalletFundingSources.SingleOrDefaultAsync(f => f.Id == bankSourceId && f.AccountId == accountId && f.Kind == FundingKinds.BankAccount, ct)
                ?? throw new LedgerRequestException("unknown_source", "Withdrawals go to a linked bank account of this account.");
            var tx = draft.Start(NewTransaction(account, idempotencyKey, hash, TransactionTypes.Withdrawal, Out, amount, currency, now));
            tx.FundingSourceId = source.Id;
            tx.CounterpartyName = $"{source.Brand} ····{source.Last4}";
            if (Blocked(account, now) is { } blocked)
            {
                return Fail(tx, blocked);
            }

            if (await OverDailyLimitAsync(db, account, amount, currency, now, ct))
            {
                return Fail(tx, ReasonCodes.DailyLimitExceeded);
            }

            var suspense = await SystemBookIdAsync(db, BookKinds.Suspense, currency, ct);
            await PostAsync(db, tx, now, ct, (await CustomerBookIdAsync(db, accountId, currency, ct), -amount), (suspense, amount));
            tx.FundsHeld = true;
            if (account.OutboundHoldUntil is { } hold && hold > now)
            {
                return Pend(tx, ReasonCodes.CoolingOffHold, hold);
            }

            var cutoff = BankCutoffSettlement(account.TimeZone, now);
            return cutoff is { } next ? Pend(tx, ReasonCodes.BankCutoff, next) : Pend(tx, ReasonCodes.BankProcessing, now.AddHours(2));
        }, ct);
    }

    /// <summary>Refunds all or part of a completed payment or transfer back to the payer. Never more than the original minus earlier refunds.</summary>
    public Task<LedgerResult> RefundAsync(Guid originalId, long amount, string idempotencyKey, string? reasonCode = null, CancellationToken ct = default)
    {
        if (amount <= 0)
        {
            throw new LedgerRequestException("invalid_amount", "The refund amount must be positive.");
        }

        return RunForTransactionAsync(originalId, idempotencyKey, Hash("refund", originalId, amount), async (db, now, draft, original, hash) =>
        {
            if (original.Type is not (TransactionTypes.Payment or TransactionTypes.Transfer))
            {
                throw new LedgerRequestException("not_refundable", "Only payments and transfers can be refunded.");
            }

            var tx = draft.Start(NewTransaction(original.AccountId, original.OwnerName, idempotencyKey, hash, TransactionTypes.Refund, In, amount, original.Currency, now));
            tx.OriginalTransactionId = original.Id;
            tx.CounterpartyAccountId = original.CounterpartyAccountId;
            tx.CounterpartyName = original.CounterpartyName;
            tx.ReasonCode = reasonCode;
            var claimed = await db.WalletTransactions
                .Where(t => t.Id == original.Id
                    && (t.Status == TransactionStatuses.Completed || t.Status == TransactionStatuses.PartiallyRefunded)
                    && t.RefundedAmount + amount <= t.Amount)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(t => t.Status, t => t.RefundedAmount + amount == t.Amount ? TransactionStatuses.Refunded : TransactionStatuses.PartiallyRefunded)
                    .SetProperty(t => t.RefundedAmount, t => t.RefundedAmount + amount)
                    .SetProperty(t => t.UpdatedAt, now), ct);
            if (claimed == 0)
            {
                var current = await db.WalletTransactions.AsNoTracking().SingleAsync(t => t.Id == original.Id, ct);
                throw current.Status is TransactionStatuses.Completed or TransactionStatuses.PartiallyRefunded
                    ? new LedgerRequestException("amount_exceeds_refundable", $"At most {Money.Format(current.Amount - current.RefundedAmount, current.Currency)} can still be refunded.")
                    : new LedgerRequestException("not_refundable", $"A {current.Status} transaction cannot be refunded.");
            }

            var payee = original.CounterpartyAccountId is { } counterparty
                ? await CustomerBookIdAsync(db, counterparty, original.Currency, ct)
                : await SystemBookIdAsync(db, BookKinds.Merchant, original.Currency, ct);
            await PostAsync(db, tx, now, ct, (payee, -amount), (await CustomerBookIdAsync(db, original.AccountId, original.Currency, ct), amount));
            return Complete(tx, now);
        }, ct);
    }

    /// <summary>
    /// Reverses a transaction in full: a pending one is cancelled (held money goes back), a completed top-up, transfer
    /// or payment without refunds is undone by the opposite posting.
    /// </summary>
    public Task<LedgerResult> ReverseAsync(Guid originalId, string idempotencyKey, CancellationToken ct = default) =>
        RunForTransactionAsync(originalId, idempotencyKey, Hash("reversal", originalId), async (db, now, draft, original, hash) =>
        {
            var tx = draft.Start(NewTransaction(original.AccountId, original.OwnerName, idempotencyKey, hash, TransactionTypes.Reversal,
                original.OwnerDirection == Out ? In : Out, original.Amount, original.Currency, now));
            tx.OriginalTransactionId = original.Id;
            tx.CounterpartyAccountId = original.CounterpartyAccountId;
            tx.CounterpartyName = original.CounterpartyName;
            tx.ReasonCode = ReasonCodes.ReversedBySupport;
            if (original.Status == TransactionStatuses.Pending)
            {
                var cancelled = await db.WalletTransactions.Where(t => t.Id == original.Id && t.Status == TransactionStatuses.Pending)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TransactionStatuses.Reversed).SetProperty(t => t.ReasonCode, ReasonCodes.ReversedBySupport)
                        .SetProperty(t => t.FundsHeld, false).SetProperty(t => t.UpdatedAt, now), ct);
                if (cancelled == 0)
                {
                    throw new LedgerRequestException("not_reversible", "The transaction settled or changed meanwhile; look at it again.");
                }

                if (original.FundsHeld)
                {
                    await ReleaseHeldAsync(db, original, tx, now, ct);
                }

                if (original.Type == TransactionTypes.Refund && original.OriginalTransactionId is { } refunded)
                {
                    await UndoRefundedAmountAsync(db, refunded, original.Amount, now, ct);
                }

                return Complete(tx, now);
            }

            if (original.Type is not (TransactionTypes.TopUp or TransactionTypes.Transfer or TransactionTypes.Payment))
            {
                throw new LedgerRequestException("not_reversible", $"A completed {original.Type} cannot be reversed.");
            }

            var undone = await db.WalletTransactions.Where(t => t.Id == original.Id && t.Status == TransactionStatuses.Completed && t.RefundedAmount == 0)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TransactionStatuses.Reversed).SetProperty(t => t.ReasonCode, ReasonCodes.ReversedBySupport).SetProperty(t => t.UpdatedAt, now), ct);
            if (undone == 0)
            {
                throw new LedgerRequestException("not_reversible", $"A {original.Status} transaction cannot be reversed; refund what is left instead.");
            }

            var net = await db.WalletJournal.Where(e => e.TransactionId == original.Id).GroupBy(e => e.BookId)
                .Select(g => new { BookId = g.Key, Amount = g.Sum(e => e.Amount) }).ToListAsync(ct);
            await PostAsync(db, tx, now, ct, net.Where(n => n.Amount != 0).Select(n => (n.BookId, -n.Amount)).ToArray());
            return Complete(tx, now);
        }, ct);

    // ---------------------------------------------------------------- settlement

    /// <summary>Moves due pending items on (completed or failed); safe to run on several nodes at once. Returns how many it settled.</summary>
    public async Task<int> SettleDueAsync(int max = 200, CancellationToken ct = default)
    {
        List<Guid> due;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var now = time.GetUtcNow();
            due = await db.WalletTransactions.AsNoTracking()
                .Where(t => t.Status == TransactionStatuses.Pending && t.ExpectedSettlementAt <= now)
                .OrderBy(t => t.ExpectedSettlementAt).Select(t => t.Id).Take(max).ToListAsync(ct);
        }

        var settled = 0;
        foreach (var id in due)
        {
            if (await SettleAsync(id, ct))
            {
                settled++;
            }
        }

        return settled;
    }

    /// <summary>Settles one pending transaction if it is due; false when it was not pending or not due (or another node won).</summary>
    public async Task<bool> SettleAsync(Guid transactionId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        using var gate = await EnterAsync(db, ct);
        return await WithRetriesAsync(db, async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var now = time.GetUtcNow();
            var t = await db.WalletTransactions.AsNoTracking().SingleOrDefaultAsync(x => x.Id == transactionId, ct);
            if (t is null || t.Status != TransactionStatuses.Pending || t.ExpectedSettlementAt > now)
            {
                return false;
            }

            var failure = await SettlementFailureAsync(db, t, ct);
            var status = failure is null ? TransactionStatuses.Completed : TransactionStatuses.Failed;
            var claimed = await db.WalletTransactions.Where(x => x.Id == transactionId && x.Status == TransactionStatuses.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, status).SetProperty(x => x.ReasonCode, failure).SetProperty(x => x.FundsHeld, false)
                    .SetProperty(x => x.SettledAt, now).SetProperty(x => x.UpdatedAt, now).SetProperty(x => x.Attempts, x => x.Attempts + 1), ct);
            if (claimed == 0)
            {
                return false;
            }

            if (failure is null)
            {
                await PostSettlementAsync(db, t, now, ct);
            }
            else if (t.FundsHeld)
            {
                await ReleaseHeldAsync(db, t, t, now, ct);
                if (t.Type == TransactionTypes.Refund && t.OriginalTransactionId is { } refunded)
                {
                    await UndoRefundedAmountAsync(db, refunded, t.Amount, now, ct);
                }
            }

            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return true;
        }, ct);
    }

    private async Task<string?> SettlementFailureAsync(AppDbContext db, LedgerTransaction t, CancellationToken ct)
    {
        switch (t.Type)
        {
            case TransactionTypes.TopUp or TransactionTypes.Withdrawal:
                var source = t.FundingSourceId is { } id ? await db.WalletFundingSources.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, ct) : null;
                return source is null || source.Behaviour == FundingBehaviours.Decline || source.Status != "active" ? ReasonCodes.SourceDeclined : null;
            case TransactionTypes.Transfer:
                var recipient = await db.WalletAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == t.CounterpartyAccountId, ct);
                if (recipient is null || recipient.ClosedAt is not null)
                {
                    return ReasonCodes.RecipientUnavailable;
                }

                return t.ReasonCode == ReasonCodes.RiskReview && t.Amount >= Options.RiskReviewThresholdMinor * 10 ? ReasonCodes.RiskRejected : null;
            case TransactionTypes.Payment:
                return t.ReasonCode == ReasonCodes.RiskReview && t.Amount >= Options.RiskReviewThresholdMinor * 10 ? ReasonCodes.RiskRejected : null;
            default:
                return null;
        }
    }

    private async Task PostSettlementAsync(AppDbContext db, LedgerTransaction t, DateTimeOffset now, CancellationToken ct)
    {
        var suspense = await SystemBookIdAsync(db, BookKinds.Suspense, t.Currency, ct);
        switch (t.Type)
        {
            case TransactionTypes.TopUp:
                await PostAsync(db, t, now, ct, (await SystemBookIdAsync(db, BookKinds.Funding, t.Currency, ct), -t.Amount), (await CustomerBookIdAsync(db, t.AccountId, t.Currency, ct), t.Amount));
                break;
            case TransactionTypes.Withdrawal:
                await PostAsync(db, t, now, ct, (suspense, -t.Amount), (await SystemBookIdAsync(db, BookKinds.Payout, t.Currency, ct), t.Amount));
                break;
            case TransactionTypes.Transfer:
                await PostAsync(db, t, now, ct, (suspense, -t.Amount), (await CustomerBookIdAsync(db, t.CounterpartyAccountId!.Value, t.Currency, ct), t.Amount));
                break;
            case TransactionTypes.Payment:
                await PostAsync(db, t, now, ct, (suspense, -t.Amount), (await SystemBookIdAsync(db, BookKinds.Merchant, t.Currency, ct), t.Amount));
                break;
            case TransactionTypes.Refund:
                await PostAsync(db, t, now, ct, (suspense, -t.Amount), (await CustomerBookIdAsync(db, t.AccountId, t.Currency, ct), t.Amount));
                break;
        }
    }

    // ---------------------------------------------------------------- plumbing

    /// <summary>Holds the transaction an operation is building, so a late decline (insufficient funds) can still be recorded as a failure.</summary>
    private sealed class Draft
    {
        public LedgerTransaction? Transaction { get; private set; }

        public LedgerTransaction Start(LedgerTransaction transaction) => Transaction = transaction;
    }

    private sealed class DeclinedException(string reasonCode) : Exception(reasonCode)
    {
        public string ReasonCode { get; } = reasonCode;
    }

    private Task<LedgerResult> RunForTransactionAsync(Guid originalId, string idempotencyKey, string hash,
        Func<AppDbContext, DateTimeOffset, Draft, LedgerTransaction, string, Task<LedgerTransaction>> body, CancellationToken ct) =>
        RunOnOriginalAsync(originalId, idempotencyKey, hash, body, ct);

    private async Task<LedgerResult> RunOnOriginalAsync(Guid originalId, string idempotencyKey, string hash,
        Func<AppDbContext, DateTimeOffset, Draft, LedgerTransaction, string, Task<LedgerTransaction>> body, CancellationToken ct)
    {
        Guid payer;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            payer = await db.WalletTransactions.Where(t => t.Id == originalId).Select(t => (Guid?)t.AccountId).SingleOrDefaultAsync(ct)
                ?? throw new LedgerRequestException("unknown_transaction", "The transaction does not exist.");
        }

        return await RunAsync(payer, idempotencyKey, hash, async (db, now, draft) =>
        {
            var original = await db.WalletTransactions.AsNoTracking().SingleAsync(t => t.Id == originalId, ct);
            return await body(db, now, draft, original, hash);
        }, ct);
    }

    private async Task<LedgerResult> RunAsync(Guid accountId, string idempotencyKey, string hash, Func<AppDbContext, DateTimeOffset, Draft, Task<LedgerTransaction>> body, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > 100)
        {
            throw new LedgerRequestException("invalid_idempotency_key", "An idempotency key of 1 to 100 characters is required.");
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        using var gate = await EnterAsync(db, ct);
        for (var attempt = 0; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var draft = new Draft();
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var existing = await db.WalletTransactions.AsNoTracking().SingleOrDefaultAsync(t => t.AccountId == accountId && t.IdempotencyKey == idempotencyKey, ct);
                if (existing is not null)
                {
                    return Replay(existing, hash);
                }

                var now = time.GetUtcNow();
                LedgerTransaction result;
                try
                {
                    result = await body(db, now, draft);
                }
                catch (DeclinedException declined) when (draft.Transaction is not null)
                {
                    // Undo whatever this attempt changed, then record the attempt as failed (still under its idempotency key).
                    await transaction.RollbackAsync(ct);
                    db.ChangeTracker.Clear();
                    await using var failedTransaction = await db.Database.BeginTransactionAsync(ct);
                    var failed = draft.Transaction;
                    failed.Status = TransactionStatuses.Failed;
                    failed.ReasonCode = declined.ReasonCode;
                    failed.FundsHeld = false;
                    failed.ExpectedSettlementAt = null;
                    failed.RefundedAmount = 0;
                    db.WalletTransactions.Add(failed);
                    await db.SaveChangesAsync(ct);
                    await failedTransaction.CommitAsync(ct);
                    return new LedgerResult(failed, false);
                }

                if (db.Entry(result).State == EntityState.Detached)
                {
                    db.WalletTransactions.Add(result);
                }

                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                return new LedgerResult(result, false);
            }
            catch (Exception ex) when (attempt < 5 && IsRetryable(ex))
            {
                // A concurrent request with the same key won (unique violation), or PostgreSQL chose this one as a deadlock victim:
                // start over; the next round finds the winner's row or succeeds.
                await Task.Delay(Random.Shared.Next(1, 5 * (attempt + 1)), ct);
            }
        }
    }

    private static async Task<T> WithRetriesAsync<T>(AppDbContext db, Func<Task<T>> work, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            db.ChangeTracker.Clear();
            try
            {
                return await work();
            }
            catch (Exception ex) when (attempt < 5 && IsRetryable(ex))
            {
                await Task.Delay(Random.Shared.Next(1, 5 * (attempt + 1)), ct);
            }
        }
    }

    /// <summary>A unique-key race (the other request's row wins) or a PostgreSQL deadlock/serialization victim: safe to run again from the start.</summary>
    private static bool IsRetryable(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.PostgresException { SqlState: "40001" or "40P01" or "23505" } or Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 })
            {
                return true;
            }
        }

        return ex is DbUpdateException;
    }

    private static LedgerResult Replay(LedgerTransaction existing, string hash)
    {
        if (!string.Equals(existing.RequestHash, hash, StringComparison.Ordinal))
        {
            throw new LedgerRequestException("idempotency_key_reused", "This idempotency key was already used for a different request.");
        }

        return new LedgerResult(existing, true);
    }

    private async Task<LedgerTransaction> MoveOutAsync(AppDbContext db, RefAccount account, LedgerTransaction tx, long payeeBook, DateTimeOffset now, CancellationToken ct)
    {
        if (Blocked(account, now) is { } blocked)
        {
            return Fail(tx, blocked);
        }

        if (await OverDailyLimitAsync(db, account, tx.Amount, tx.Currency, now, ct))
        {
            return Fail(tx, ReasonCodes.DailyLimitExceeded);
        }

        var payer = await CustomerBookIdAsync(db, account.Id, tx.Currency, ct);
        var hold = account.OutboundHoldUntil is { } until && until > now ? until : (DateTimeOffset?)null;
        var review = tx.Amount >= Options.RiskReviewThresholdMinor;
        if (hold is null && !review)
        {
            await PostAsync(db, tx, now, ct, (payer, -tx.Amount), (payeeBook, tx.Amount));
            return Complete(tx, now);
        }

        await PostAsync(db, tx, now, ct, (payer, -tx.Amount), (await SystemBookIdAsync(db, BookKinds.Suspense, tx.Currency, ct), tx.Amount));
        tx.FundsHeld = true;
        return hold is { } h ? Pend(tx, ReasonCodes.CoolingOffHold, h) : Pend(tx, ReasonCodes.RiskReview, now.AddHours(4));
    }

    private static string? Blocked(RefAccount account, DateTimeOffset now) =>
        account.ClosedAt is not null || account.LockedAt is not null ? ReasonCodes.AccountLocked
        : account.OutgoingFrozenAt is not null ? ReasonCodes.OutgoingFrozen
        : null;

    private async Task<bool> OverDailyLimitAsync(AppDbContext db, RefAccount account, long amount, string currency, DateTimeOffset now, CancellationToken ct)
    {
        var dayStart = LocalDayStart(account.TimeZone, now);
        var used = await db.WalletTransactions
            .Where(t => t.AccountId == account.Id && t.Currency == currency && OutgoingTypes.Contains(t.Type)
                && t.Status != TransactionStatuses.Failed && t.Status != TransactionStatuses.Reversed && t.CreatedAt >= dayStart)
            .SumAsync(t => t.Amount, ct);
        return used + amount > DailyLimit(account);
    }

    private long DailyLimit(RefAccount account) => Options.DailyLimitByTier[Math.Clamp(account.KycTier, 0, Options.DailyLimitByTier.Length - 1)];

    /// <summary>Moves money held in suspense for <paramref name="original"/> back to the book it came from.</summary>
    private async Task ReleaseHeldAsync(AppDbContext db, LedgerTransaction original, LedgerTransaction postingFor, DateTimeOffset now, CancellationToken ct)
    {
        var suspense = await SystemBookIdAsync(db, BookKinds.Suspense, original.Currency, ct);
        var source = await db.WalletJournal.Where(e => e.TransactionId == original.Id && e.BookId != suspense && e.Amount < 0)
            .Select(e => (long?)e.BookId).FirstOrDefaultAsync(ct)
            ?? throw new InvalidOperationException($"Held transaction {original.Reference} has no source leg.");
        await PostAsync(db, postingFor, now, ct, (suspense, -original.Amount), (source, original.Amount));
    }

    private static Task UndoRefundedAmountAsync(AppDbContext db, Guid refundedId, long amount, DateTimeOffset now, CancellationToken ct) =>
        db.WalletTransactions.Where(t => t.Id == refundedId && t.RefundedAmount >= amount)
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Status, t => t.RefundedAmount - amount == 0 ? TransactionStatuses.Completed : TransactionStatuses.PartiallyRefunded)
                .SetProperty(t => t.RefundedAmount, t => t.RefundedAmount - amount)
                .SetProperty(t => t.UpdatedAt, now), ct);

    /// <summary>Applies one balanced posting. Books are updated in id order (no deadlocks); a customer book that would go negative declines it.</summary>
    private static async Task PostAsync(AppDbContext db, LedgerTransaction tx, DateTimeOffset now, CancellationToken ct, params (long BookId, long Amount)[] legs)
    {
        if (legs.Length == 0)
        {
            return;
        }

        if (legs.Sum(l => l.Amount) != 0)
        {
            throw new InvalidOperationException($"Unbalanced posting for {tx.Reference}.");
        }

        var posting = Guid.CreateVersion7();
        foreach (var (bookId, amount) in legs.OrderBy(l => l.BookId))
        {
            var updated = await db.WalletBooks.Where(b => b.Id == bookId && (b.AllowNegative || b.Balance + amount >= 0))
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.Balance, b => b.Balance + amount), ct);
            if (updated == 0)
            {
                throw new DeclinedException(ReasonCodes.InsufficientFunds);
            }

            db.WalletJournal.Add(new JournalEntry { PostingId = posting, TransactionId = tx.Id, BookId = bookId, Currency = tx.Currency, Amount = amount, CreatedAt = now });
        }
    }

    private async Task<long> SystemBookIdAsync(AppDbContext db, string kind, string currency, CancellationToken ct)
    {
        var code = SystemBookCode(kind, currency);
        var cacheKey = db.Database.GetConnectionString() + "|" + code;
        if (_systemBooks.TryGetValue(cacheKey, out var cached))
        {
            return cached;
        }

        var id = await db.WalletBooks.Where(b => b.Code == code).Select(b => (long?)b.Id).SingleOrDefaultAsync(ct);
        if (id is null)
        {
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT INTO wallet_books (\"Code\", \"Currency\", \"Kind\", \"Balance\", \"AllowNegative\") VALUES ({code}, {currency}, {kind}, {0L}, {true}) ON CONFLICT (\"Code\") DO NOTHING", ct);
            id = await db.WalletBooks.Where(b => b.Code == code).Select(b => b.Id).SingleAsync(ct);
        }

        _systemBooks[cacheKey] = id.Value;
        return id.Value;
    }

    private static async Task<long> CustomerBookIdAsync(AppDbContext db, Guid accountId, string currency, CancellationToken ct)
    {
        var code = CustomerBookCode(accountId, currency);
        var id = await db.WalletBooks.Where(b => b.Code == code).Select(b => (long?)b.Id).SingleOrDefaultAsync(ct);
        if (id is not null)
        {
            return id.Value;
        }

        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO wallet_books (\"Code\", \"AccountId\", \"Currency\", \"Kind\", \"Balance\", \"AllowNegative\") VALUES ({code}, {accountId}, {currency}, {BookKinds.Customer}, {0L}, {false}) ON CONFLICT (\"Code\") DO NOTHING", ct);
        return await db.WalletBooks.Where(b => b.Code == code).Select(b => b.Id).SingleAsync(ct);
    }

    private static async Task<RefAccount> LoadAccountAsync(AppDbContext db, Guid accountId, CancellationToken ct) =>
        await db.WalletAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == accountId, ct)
            ?? throw new LedgerRequestException("unknown_account", "The account does not exist.");

    /// <summary>Takes the account's row lock first (PostgreSQL), so limit checks and holds see every earlier operation on it.</summary>
    private static async Task<RefAccount> LockAccountAsync(AppDbContext db, Guid accountId, CancellationToken ct)
    {
        await db.WalletAccounts.Where(a => a.Id == accountId).ExecuteUpdateAsync(s => s.SetProperty(a => a.Version, a => a.Version + 1), ct);
        return await LoadAccountAsync(db, accountId, ct);
    }

    private static LedgerTransaction NewTransaction(RefAccount account, string key, string hash, string type, string direction, long amount, string currency, DateTimeOffset now) =>
        NewTransaction(account.Id, account.DisplayName, key, hash, type, direction, amount, currency, now);

    private static LedgerTransaction NewTransaction(Guid accountId, string? ownerName, string key, string hash, string type, string direction, long amount, string currency, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        Reference = NewReference(),
        AccountId = accountId,
        OwnerName = ownerName,
        IdempotencyKey = key,
        RequestHash = hash,
        Type = type,
        OwnerDirection = direction,
        Amount = amount,
        Currency = currency,
        Status = TransactionStatuses.Pending,
        CreatedAt = now,
        UpdatedAt = now,
    };

    private static LedgerTransaction Fail(LedgerTransaction tx, string reason)
    {
        tx.Status = TransactionStatuses.Failed;
        tx.ReasonCode = reason;
        return tx;
    }

    private static LedgerTransaction Pend(LedgerTransaction tx, string reason, DateTimeOffset expected)
    {
        tx.Status = TransactionStatuses.Pending;
        tx.ReasonCode = reason;
        tx.ExpectedSettlementAt = expected;
        return tx;
    }

    private static LedgerTransaction Complete(LedgerTransaction tx, DateTimeOffset now)
    {
        tx.Status = TransactionStatuses.Completed;
        tx.SettledAt = now;
        return tx;
    }

    private const string ReferenceAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>"WT" and ten Crockford base32 characters: short enough to read out on a call, 50 random bits.</summary>
    public static string NewReference()
    {
        Span<char> chars = stackalloc char[12];
        chars[0] = 'W';
        chars[1] = 'T';
        for (var i = 2; i < chars.Length; i++)
        {
            chars[i] = ReferenceAlphabet[RandomNumberGenerator.GetInt32(ReferenceAlphabet.Length)];
        }

        return new string(chars);
    }

    private static void ValidateAmount(long amount, string currency)
    {
        if (amount <= 0 || amount > 1_000_000_000_000)
        {
            throw new LedgerRequestException("invalid_amount", "The amount must be a positive number of minor units.");
        }

        if (!Money.IsCurrency(currency))
        {
            throw new LedgerRequestException("invalid_currency", "The currency must be an ISO 4217 code such as CNY or USD.");
        }
    }

    internal static string Hash(params object?[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|', parts.Select(p => Convert.ToString(p, CultureInfo.InvariantCulture) ?? "\0")))));

    public static TimeZoneInfo Zone(string? id)
    {
        try
        {
            return string.IsNullOrWhiteSpace(id) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.Utc;
        }
    }

    private static DateTimeOffset LocalDayStart(string timeZone, DateTimeOffset now)
    {
        var zone = Zone(timeZone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var midnight = new DateTime(local.Year, local.Month, local.Day, 0, 0, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight)).ToUniversalTime();
    }

    /// <summary>Banks take transfers on working days before 16:00 local time; after that they wait for 09:30 on the next working day.</summary>
    public static DateTimeOffset? BankCutoffSettlement(string timeZone, DateTimeOffset now)
    {
        var zone = Zone(timeZone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var working = local.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
        if (working && local.TimeOfDay < TimeSpan.FromHours(16))
        {
            return null;
        }

        var day = local.Date.AddDays(1);
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            day = day.AddDays(1);
        }

        var opening = DateTime.SpecifyKind(day.AddHours(9.5), DateTimeKind.Unspecified);
        return new DateTimeOffset(opening, zone.GetUtcOffset(opening)).ToUniversalTime();
    }

    private static async Task<IDisposable?> EnterAsync(AppDbContext db, CancellationToken ct)
    {
        if (!db.IsSqlite)
        {
            return null;
        }

        var gate = SqliteGates.GetOrAdd(db.Database.GetConnectionString() ?? "", _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        return new GateRelease(gate);
    }

    /// <summary>Runs <paramref name="work"/> as this process's only SQLite ledger writer (no-op gate on PostgreSQL).</summary>
    internal static async Task<T> ExclusiveAsync<T>(AppDbContext db, Func<Task<T>> work, CancellationToken ct)
    {
        using var gate = await EnterAsync(db, ct);
        return await work();
    }

    private sealed class GateRelease(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
