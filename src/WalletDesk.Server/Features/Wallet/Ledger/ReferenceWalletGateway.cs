using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;

namespace WalletDesk.Server.Features.Wallet.Ledger;

/// <summary><see cref="IWalletGateway"/> over the reference ledger in the same database.</summary>
public sealed class ReferenceWalletGateway(IDbContextFactory<AppDbContext> contexts, LedgerService ledger, TimeProvider time, IOptions<WalletOptions> options) : IWalletGateway
{
    private const int MaxStepUpAttempts = 5;

    public async Task<WalletAccount?> FindAccountAsync(string customerExternalId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var account = await db.WalletAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.CustomerExternalId == customerExternalId, cancellationToken);
        if (account is null)
        {
            return null;
        }

        var devices = await db.WalletDevices.AsNoTracking().Where(d => d.AccountId == account.Id).OrderByDescending(d => d.LastSeenAt).ToListAsync(cancellationToken);
        var sources = await db.WalletFundingSources.AsNoTracking().Where(f => f.AccountId == account.Id).OrderBy(f => f.CreatedAt).ToListAsync(cancellationToken);
        return new WalletAccount(
            account.Id.ToString("N"),
            account.CustomerExternalId,
            account.Status,
            account.KycTier,
            account.KycState,
            Money.MaskPhone(account.Phone),
            account.TimeZone,
            account.OutboundHoldUntil,
            account.CreatedAt,
            devices.Select(d => new WalletDevice(d.Id.ToString("N"), d.Name, d.Platform, d.FirstSeenAt, d.LastSeenAt, d.IsRegistered)).ToList(),
            sources.Select(ToView).ToList());
    }

    public async Task<IReadOnlyList<WalletBalance>> GetBalancesAsync(string accountId, CancellationToken cancellationToken = default)
    {
        if (!TryParse(accountId, out var id))
        {
            return [];
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var books = await db.WalletBooks.AsNoTracking().Where(b => b.AccountId == id && b.Kind == BookKinds.Customer).OrderBy(b => b.Currency).ToListAsync(cancellationToken);
        var held = await db.WalletTransactions.AsNoTracking()
            .Where(t => t.AccountId == id && t.Status == TransactionStatuses.Pending && t.FundsHeld && t.OwnerDirection == LedgerService.Out)
            .GroupBy(t => t.Currency).Select(g => new { Currency = g.Key, Amount = g.Sum(t => t.Amount) }).ToListAsync(cancellationToken);
        return books.Select(b => new WalletBalance(b.Currency, b.Balance, held.FirstOrDefault(h => h.Currency == b.Currency)?.Amount ?? 0)).ToList();
    }

    public async Task<WalletTransactionPage> ListTransactionsAsync(string accountId, WalletTransactionQuery query, CancellationToken cancellationToken = default)
    {
        if (!TryParse(accountId, out var id))
        {
            return new WalletTransactionPage([], null);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var q = Visible(db, id);
        if (query.Status is { } status)
        {
            q = q.Where(t => t.Status == status);
        }

        if (query.Type is { } type)
        {
            q = q.Where(t => t.Type == type);
        }

        if (query.Currency is { } currency)
        {
            q = q.Where(t => t.Currency == currency);
        }

        if (query.From is { } from)
        {
            q = q.Where(t => t.CreatedAt >= from);
        }

        if (query.To is { } to)
        {
            q = q.Where(t => t.CreatedAt < to);
        }

        if (query.MinAmountMinor is { } min)
        {
            q = q.Where(t => t.Amount >= min);
        }

        if (query.MaxAmountMinor is { } max)
        {
            q = q.Where(t => t.Amount <= max);
        }

        if (DecodeCursor(query.Cursor) is { } cursor)
        {
            var (at, reference) = cursor;
            q = q.Where(t => t.CreatedAt < at || (t.CreatedAt == at && string.Compare(t.Reference, reference) < 0));
        }

        var limit = Math.Clamp(query.Limit, 1, 200);
        var rows = await q.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Reference).Take(limit + 1).ToListAsync(cancellationToken);
        var page = rows.Take(limit).ToList();
        var items = await ToViewsAsync(db, id, page, cancellationToken);
        return new WalletTransactionPage(items, rows.Count > limit ? EncodeCursor(page[^1]) : null);
    }

    public async Task<WalletTransaction?> GetTransactionAsync(string accountId, string idOrReference, CancellationToken cancellationToken = default)
    {
        if (!TryParse(accountId, out var id) || string.IsNullOrWhiteSpace(idOrReference) || idOrReference.Length > 64)
        {
            return null;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var q = Visible(db, id);
        var reference = idOrReference.Trim().ToUpperInvariant();
        var row = Guid.TryParse(idOrReference, out var txId)
            ? await q.SingleOrDefaultAsync(t => t.Id == txId, cancellationToken)
            : await q.SingleOrDefaultAsync(t => t.Reference == reference, cancellationToken);
        return row is null ? null : (await ToViewsAsync(db, id, [row], cancellationToken))[0];
    }

    public async Task<IReadOnlyList<WalletSecurityEvent>> ListSecurityEventsAsync(string accountId, int limit, CancellationToken cancellationToken = default)
    {
        if (!TryParse(accountId, out var id))
        {
            return [];
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.WalletSecurityEvents.AsNoTracking().Where(e => e.AccountId == id).OrderByDescending(e => e.At).Take(Math.Clamp(limit, 1, 200))
            .Select(e => new WalletSecurityEvent(e.Id.ToString("N"), e.Kind, e.At, e.DeviceName, e.Location, e.Suspicious))
            .ToListAsync(cancellationToken);
    }

    public async Task<StepUpChallenge> StartStepUpAsync(string accountId, string purpose, CancellationToken cancellationToken = default)
    {
        if (!TryParse(accountId, out var id))
        {
            throw new LedgerRequestException("unknown_account", "The account does not exist.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        var challenge = new RefStepUpChallenge
        {
            Id = Guid.CreateVersion7(),
            AccountId = id,
            Purpose = purpose,
            CodeHash = "",
            CreatedAt = now,
            ExpiresAt = now.AddMinutes(options.Value.StepUpCodeMinutes),
        };
        challenge.CodeHash = CodeHash(challenge.Id, code);
        db.WalletStepUpChallenges.Add(challenge);

        // The push to the registered device; only the customer's own app (customer token) can read it.
        db.WalletDevicePushes.Add(new RefDevicePush
        {
            Id = Guid.CreateVersion7(),
            AccountId = id,
            Body = $"Your security code is {code}. Enter it in the app to confirm it is you. Our staff will never ask you for this code. / 您的安全验证码是 {code}，请在应用内输入。工作人员绝不会向您索要此验证码。",
            CreatedAt = now,
            ExpiresAt = challenge.ExpiresAt,
        });
        await LedgerService.ExclusiveAsync(db, () => db.SaveChangesAsync(cancellationToken), cancellationToken);
        return ToView(challenge);
    }

    public async Task<StepUpOutcome> CompleteStepUpAsync(string accountId, string challengeId, string code, CancellationToken cancellationToken = default)
    {
        if (!TryParse(accountId, out var id) || !Guid.TryParse(challengeId, out var cid))
        {
            return StepUpOutcome.NotFound;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await LedgerService.ExclusiveAsync(db, async () =>
        {
            var now = time.GetUtcNow();
            var challenge = await db.WalletStepUpChallenges.SingleOrDefaultAsync(c => c.Id == cid && c.AccountId == id, cancellationToken);
            if (challenge is null)
            {
                return StepUpOutcome.NotFound;
            }

            if (challenge.PassedAt is not null)
            {
                return StepUpOutcome.Passed;
            }

            if (challenge.ExpiresAt <= now)
            {
                return StepUpOutcome.Expired;
            }

            // Count the attempt atomically before comparing, so parallel guesses cannot exceed the limit.
            var counted = await db.WalletStepUpChallenges.Where(c => c.Id == cid && c.Attempts < MaxStepUpAttempts && c.PassedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Attempts, c => c.Attempts + 1), cancellationToken);
            if (counted == 0)
            {
                return StepUpOutcome.TooManyAttempts;
            }

            var presented = Encoding.ASCII.GetBytes(CodeHash(cid, (code ?? "").Trim()));
            var expected = Encoding.ASCII.GetBytes(challenge.CodeHash);
            var passed = CryptographicOperations.FixedTimeEquals(presented, expected);
            if (passed)
            {
                await db.WalletStepUpChallenges.Where(c => c.Id == cid).ExecuteUpdateAsync(s => s.SetProperty(c => c.PassedAt, now), cancellationToken);
            }

            db.WalletSecurityEvents.Add(new RefSecurityEvent
            {
                Id = Guid.CreateVersion7(),
                AccountId = id,
                Kind = passed ? SecurityEventKinds.StepUpPassed : SecurityEventKinds.VerificationFailed,
                At = now,
                DeviceName = "wallet app",
            });
            await db.SaveChangesAsync(cancellationToken);
            return passed ? StepUpOutcome.Passed : StepUpOutcome.WrongCode;
        }, cancellationToken);
    }

    public async Task<StepUpChallenge?> FindFreshStepUpAsync(string accountId, DateTimeOffset passedSince, CancellationToken cancellationToken = default)
    {
        if (!TryParse(accountId, out var id))
        {
            return null;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var challenge = await db.WalletStepUpChallenges.AsNoTracking()
            .Where(c => c.AccountId == id && c.PassedAt != null && c.PassedAt >= passedSince && c.ConsumedAt == null)
            .OrderByDescending(c => c.PassedAt).FirstOrDefaultAsync(cancellationToken);
        return challenge is null ? null : ToView(challenge);
    }

    /// <summary>Customer-side read of the simulated device pushes (the phone's notification tray in the reference wallet).</summary>
    public async Task<IReadOnlyList<string>> ReadDevicePushesAsync(string accountId, CancellationToken cancellationToken = default)
    {
        if (!TryParse(accountId, out var id))
        {
            return [];
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        return await db.WalletDevicePushes.AsNoTracking().Where(p => p.AccountId == id && p.ExpiresAt > now)
            .OrderByDescending(p => p.CreatedAt).Take(10).Select(p => p.Body).ToListAsync(cancellationToken);
    }

    public async Task<WalletActionResult?> GetActionAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var record = await db.WalletRefActions.AsNoTracking().SingleOrDefaultAsync(a => a.IdempotencyKey == idempotencyKey, cancellationToken);
        return record is null ? null : ToResult(record);
    }

    public async Task<WalletActionResult> ExecuteAsync(WalletActionCommand command, CancellationToken cancellationToken = default)
    {
        if (await GetActionAsync(command.IdempotencyKey, cancellationToken) is { } earlier)
        {
            return earlier;
        }

        if (!TryParse(command.AccountId, out var accountId))
        {
            throw new LedgerRequestException("unknown_account", "The account does not exist.");
        }

        var record = command.Kind switch
        {
            WalletActionKinds.Refund or WalletActionKinds.Reversal => await MoveMoneyAsync(command, accountId, cancellationToken),
            _ => await ChangeAccountAsync(command, accountId, cancellationToken),
        };

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await LedgerService.ExclusiveAsync(db, async () =>
        {
            db.WalletRefActions.Add(record);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return ToResult(record);
            }
            catch (DbUpdateException)
            {
                // The same key ran concurrently; the ledger's own idempotency made both runs one effect. Report the first.
                db.ChangeTracker.Clear();
                return ToResult(await db.WalletRefActions.AsNoTracking().SingleAsync(a => a.IdempotencyKey == command.IdempotencyKey, cancellationToken));
            }
        }, cancellationToken);
    }

    private async Task<RefActionRecord> MoveMoneyAsync(WalletActionCommand command, Guid accountId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        LedgerTransaction? original;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            original = command.TransactionId is { } tid && Guid.TryParse(tid, out var txId)
                ? await db.WalletTransactions.AsNoTracking().SingleOrDefaultAsync(t => t.Id == txId && (t.AccountId == accountId || t.CounterpartyAccountId == accountId), ct)
                : null;
        }

        if (original is null)
        {
            throw new LedgerRequestException("unknown_transaction", "The transaction does not exist for this account.");
        }

        try
        {
            var result = command.Kind == WalletActionKinds.Refund
                ? await ledger.RefundAsync(original.Id, command.AmountMinor ?? original.Amount - original.RefundedAmount, command.IdempotencyKey, ReasonCodes.RefundedBySupport, ct)
                : await ledger.ReverseAsync(original.Id, command.IdempotencyKey, ct);
            var tx = result.Transaction;
            var outcome = tx.Status switch
            {
                TransactionStatuses.Failed => WalletActionOutcomes.Failed,
                TransactionStatuses.Pending => WalletActionOutcomes.Pending,
                _ => WalletActionOutcomes.Completed,
            };
            return Record(command, accountId, outcome, tx.Status == TransactionStatuses.Failed ? tx.ReasonCode : null, tx.Id, tx.Reference, null, now);
        }
        catch (LedgerRequestException refused)
        {
            return Record(command, accountId, WalletActionOutcomes.Failed, refused.Code, null, null, null, now);
        }
    }

    private async Task<RefActionRecord> ChangeAccountAsync(WalletActionCommand command, Guid accountId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await LedgerService.ExclusiveAsync(db, async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var now = time.GetUtcNow();
            await db.WalletAccounts.Where(a => a.Id == accountId).ExecuteUpdateAsync(s => s.SetProperty(a => a.Version, a => a.Version + 1), ct);
            var account = await db.WalletAccounts.SingleOrDefaultAsync(a => a.Id == accountId, ct)
                ?? throw new LedgerRequestException("unknown_account", "The account does not exist.");
            string? failure = null;
            switch (command.Kind)
            {
                case WalletActionKinds.Lock:
                    if (account.LockedAt is null)
                    {
                        account.LockedAt = now;
                        account.LockReason = Clip(command.Reason, 200);
                        AddEvent(db, accountId, SecurityEventKinds.AccountLocked, now);
                    }

                    break;
                case WalletActionKinds.FreezeOutgoing:
                    account.OutgoingFrozenAt ??= now;
                    break;
                case WalletActionKinds.Unlock or WalletActionKinds.UnfreezeOutgoing:
                    failure = await ConsumeStepUpAsync(db, accountId, command, now, ct);
                    if (failure is null)
                    {
                        if (command.Kind == WalletActionKinds.Unlock && account.LockedAt is not null)
                        {
                            account.LockedAt = null;
                            account.LockReason = null;
                            AddEvent(db, accountId, SecurityEventKinds.AccountUnlocked, now);
                        }

                        if (command.Kind == WalletActionKinds.UnfreezeOutgoing)
                        {
                            account.OutgoingFrozenAt = null;
                        }

                        if (command.HoldOutboundUntil is { } hold && (account.OutboundHoldUntil is null || account.OutboundHoldUntil < hold))
                        {
                            account.OutboundHoldUntil = hold;
                        }
                    }

                    break;
                case WalletActionKinds.ResendVerificationCode:
                    var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
                    db.WalletDevicePushes.Add(new RefDevicePush
                    {
                        Id = Guid.CreateVersion7(),
                        AccountId = accountId,
                        Body = $"Your verification code is {code}. / 您的验证码是 {code}。",
                        CreatedAt = now,
                        ExpiresAt = now.AddMinutes(options.Value.StepUpCodeMinutes),
                    });
                    AddEvent(db, accountId, SecurityEventKinds.VerificationCodeSent, now);
                    break;
                case WalletActionKinds.FlagDispute:
                    var flagged = command.TransactionId is { } tid && Guid.TryParse(tid, out var txId)
                        ? await db.WalletTransactions.Where(t => t.Id == txId && (t.AccountId == accountId || t.CounterpartyAccountId == accountId))
                            .ExecuteUpdateAsync(s => s.SetProperty(t => t.DisputeOpenedAt, t => t.DisputeOpenedAt ?? now), ct)
                        : 0;
                    if (flagged == 0)
                    {
                        throw new LedgerRequestException("unknown_transaction", "The transaction does not exist for this account.");
                    }

                    break;
                default:
                    throw new LedgerRequestException("unknown_action", $"Unknown action '{command.Kind}'.");
            }

            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return Record(command, accountId, failure is null ? WalletActionOutcomes.Completed : WalletActionOutcomes.Failed, failure, null, null, account.Status, now);
        }, ct);
    }

    /// <summary>The gateway itself checks the step-up: passed, fresh, for this account, and used only once.</summary>
    private async Task<string?> ConsumeStepUpAsync(AppDbContext db, Guid accountId, WalletActionCommand command, DateTimeOffset now, CancellationToken ct)
    {
        if (command.StepUpChallengeId is null || !Guid.TryParse(command.StepUpChallengeId, out var challengeId))
        {
            return "step_up_required";
        }

        var freshSince = now.AddMinutes(-options.Value.StepUpFreshnessMinutes);
        var consumed = await db.WalletStepUpChallenges
            .Where(c => c.Id == challengeId && c.AccountId == accountId && c.PassedAt != null && c.PassedAt >= freshSince && c.ConsumedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.ConsumedAt, now).SetProperty(c => c.ConsumedBy, command.IdempotencyKey), ct);
        return consumed == 1 ? null : "step_up_required";
    }

    private static void AddEvent(AppDbContext db, Guid accountId, string kind, DateTimeOffset now) =>
        db.WalletSecurityEvents.Add(new RefSecurityEvent { Id = Guid.CreateVersion7(), AccountId = accountId, Kind = kind, At = now, DeviceName = "support" });

    private static RefActionRecord Record(WalletActionCommand command, Guid accountId, string outcome, string? code, Guid? txId, string? reference, string? status, DateTimeOffset now) => new()
    {
        IdempotencyKey = command.IdempotencyKey,
        Kind = command.Kind,
        AccountId = accountId,
        Outcome = outcome,
        Code = code,
        TransactionId = txId,
        TransactionReference = reference,
        AccountStatus = status,
        CreatedAt = now,
    };

    private static WalletActionResult ToResult(RefActionRecord r) =>
        new(r.IdempotencyKey, r.Outcome, r.Code, r.TransactionId?.ToString("N"), r.TransactionReference, r.AccountStatus);

    private static IQueryable<LedgerTransaction> Visible(AppDbContext db, Guid id) =>
        db.WalletTransactions.AsNoTracking().Where(t => t.AccountId == id || (t.CounterpartyAccountId == id && t.Status != TransactionStatuses.Failed));

    private static async Task<List<WalletTransaction>> ToViewsAsync(AppDbContext db, Guid viewer, List<LedgerTransaction> rows, CancellationToken ct)
    {
        var sourceIds = rows.Where(r => r.AccountId == viewer && r.FundingSourceId is not null).Select(r => r.FundingSourceId!.Value).Distinct().ToList();
        var sources = sourceIds.Count == 0
            ? []
            : await db.WalletFundingSources.AsNoTracking().Where(f => sourceIds.Contains(f.Id)).ToDictionaryAsync(f => f.Id, ct);
        return rows.Select(t =>
        {
            var own = t.AccountId == viewer;
            var direction = own ? t.OwnerDirection : t.OwnerDirection == LedgerService.Out ? LedgerService.In : LedgerService.Out;
            var source = own && t.FundingSourceId is { } sid && sources.TryGetValue(sid, out var s) ? ToView(s) : null;
            return new WalletTransaction(
                t.Id.ToString("N"), t.Reference, t.Type, direction, t.Amount, t.Currency, t.Status, t.ReasonCode,
                own ? t.CounterpartyName : t.OwnerName, source, t.CreatedAt, t.UpdatedAt, t.ExpectedSettlementAt, t.RefundedAmount,
                t.OriginalTransactionId?.ToString("N"), t.DisputeOpenedAt is not null);
        }).ToList();
    }

    private static WalletFundingSource ToView(RefFundingSource f) => new(f.Id.ToString("N"), f.Kind, f.Brand, f.Last4, f.Status);

    private static StepUpChallenge ToView(RefStepUpChallenge c) => new(c.Id.ToString("N"), c.Purpose, c.CreatedAt, c.ExpiresAt, c.PassedAt);

    private static string CodeHash(Guid challengeId, string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{challengeId:N}:{code}")));

    private static bool TryParse(string? accountId, out Guid id) => Guid.TryParseExact(accountId, "N", out id);

    private static string? Clip(string? value, int max) => value is null || value.Length <= max ? value : value[..max];

    private static string EncodeCursor(LedgerTransaction t) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{t.CreatedAt.UtcTicks}|{t.Reference}")));

    private static (DateTimeOffset At, string Reference)? DecodeCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor) || cursor.Length > 100)
        {
            return null;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(cursor)).Split('|');
            return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTimeOffset.MaxValue.UtcTicks
                ? (new DateTimeOffset(ticks, TimeSpan.Zero), parts[1])
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
