using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Features.Customers;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Features.Wallet.Ledger;

namespace WalletDesk.Server.Features.Wallet;

/// <summary>A support action refused or failed; endpoints turn it into an RFC 9457 problem.</summary>
public sealed class SupportActionException(int status, string code, string title, string detail, string? field = null) : Exception(detail)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string Title { get; } = title;
    public string? Field { get; } = field;
}

/// <summary>What a staff member asks for.</summary>
public sealed record SupportActionInput(string? Kind, string? IdempotencyKey, string? Transaction, long? AmountMinor, string? Reason, long? TicketId = null);

/// <summary>
/// Support actions on a customer's wallet with the rules around them: role permissions and monetary limits,
/// maker-checker above the approval threshold (never self-approved), a fresh in-app step-up for control changes,
/// idempotency (the key is stored before the wallet is called; a retry queries instead of acting twice),
/// cooling-off after control changes, and an audit entry, a timeline note and a customer notification for each.
/// </summary>
public sealed partial class WalletSupportService(
    IDbContextFactory<AppDbContext> contexts,
    IWalletGateway gateway,
    AuditService audit,
    TimeProvider time,
    IOptions<WalletOptions> options,
    IServiceScopeFactory scopes,
    ILogger<WalletSupportService> logger)
{
    private WalletOptions Options => options.Value;

    /// <summary>Which actions each role may start. Supervisors and admins may do everything.</summary>
    private static readonly IReadOnlySet<string> AgentActions = new HashSet<string>(StringComparer.Ordinal)
    {
        WalletActionKinds.Lock, WalletActionKinds.FreezeOutgoing, WalletActionKinds.Unlock, WalletActionKinds.Refund,
        WalletActionKinds.ResendVerificationCode, WalletActionKinds.FlagDispute,
    };

    public static bool RoleMay(string role, string kind) =>
        StaffRoles.Rank(role) >= StaffRoles.Rank(StaffRoles.Supervisor) ? WalletActionKinds.All.Contains(kind) : StaffRoles.Rank(role) >= 1 && AgentActions.Contains(kind);

    /// <summary>The customer and their wallet account, or a 404 (the same for unknown and not visible).</summary>
    public async Task<(Customer Customer, WalletAccount Account)> ResolveAsync(Guid customerId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == customerId, ct) ?? throw NotFound("The customer");
        var account = await Gateway(() => gateway.FindAccountAsync(customer.ExternalId, ct)) ?? throw NotFound("The customer");
        return (customer, account);
    }

    public async Task<StepUpChallenge> StartStepUpAsync(StaffActor actor, Guid customerId, string purpose, CancellationToken ct)
    {
        var (customer, account) = await ResolveAsync(customerId, ct);
        var challenge = await Gateway(() => gateway.StartStepUpAsync(account.AccountId, purpose, ct));
        await AuditAsync(actor, "wallet.step-up.requested", AuditOutcomes.Success, "customer", customerId.ToString(), $"purpose={purpose}; challenge={challenge.ChallengeId}", ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.CustomerTimeline.Add(Note(customer.Id, "wallet.step-up", $"{actor.Name} asked the customer to confirm it is them in the wallet app ({purpose}).", actor.Name, challenge.ChallengeId));
        await db.SaveChangesAsync(ct);
        return challenge;
    }

    public async Task<SupportAction> RequestAsync(StaffActor actor, Guid customerId, SupportActionInput input, CancellationToken ct)
    {
        var (kind, key, reason) = Validate(input);
        var hash = LedgerService.Hash(customerId, kind, input.Transaction?.Trim(), input.AmountMinor, reason);
        if (await FindByKeyAsync(key, ct) is { } existing)
        {
            return await ReplayAsync(existing, actor, hash, ct);
        }

        var (customer, account) = await ResolveAsync(customerId, ct);
        if (input.TicketId is { } ticketId && !await TicketsAsync(t => t.IsCustomersTicketAsync(ticketId, customerId, ct)))
        {
            throw Invalid("ticketId", "No ticket of this customer has that id.");
        }

        if (!RoleMay(actor.Role, kind))
        {
            await AuditAsync(actor, $"wallet.action.{kind}", AuditOutcomes.Denied, "customer", customerId.ToString(), "role may not start this action", ct);
            throw new SupportActionException(403, "not_permitted", "Not permitted for your role", $"The {actor.Role} role cannot {kind.Replace('_', ' ')}; ask a supervisor.");
        }

        var now = time.GetUtcNow();
        WalletTransaction? tx = null;
        long? amount = null;
        if (WalletActionKinds.NeedsTransaction(kind))
        {
            tx = await Gateway(() => gateway.GetTransactionAsync(account.AccountId, input.Transaction!.Trim(), ct)) ?? throw NotFound("The transaction");
            amount = CheckAmount(kind, tx, input.AmountMinor);
        }

        string? stepUp = null;
        if (WalletActionKinds.ChangesControl(kind))
        {
            var fresh = await Gateway(() => gateway.FindFreshStepUpAsync(account.AccountId, now.AddMinutes(-Options.StepUpFreshnessMinutes), ct));
            if (fresh is null)
            {
                await AuditAsync(actor, $"wallet.action.{kind}", AuditOutcomes.Denied, "customer", customerId.ToString(), "no fresh in-app step-up", ct);
                throw new SupportActionException(403, "step_up_required", "Customer verification required",
                    $"The customer must confirm it is them in the wallet app (a code sent to their registered device) within the last {Options.StepUpFreshnessMinutes} minutes. Chat or email answers are not enough. Start one with POST /api/wallet/customers/{customerId}/step-up.");
            }

            stepUp = fresh.ChallengeId;
        }

        var action = new SupportAction
        {
            Id = Guid.CreateVersion7(),
            IdempotencyKey = key,
            RequestHash = hash,
            CustomerId = customer.Id,
            AccountId = account.AccountId,
            Kind = kind,
            TransactionId = tx?.TransactionId,
            TransactionReference = tx?.Reference,
            AmountMinor = amount,
            Currency = tx?.Currency,
            Reason = reason,
            Status = SupportActionStatuses.Executing,
            RequestedById = actor.Id,
            RequestedByName = actor.Name,
            RequestedByRole = actor.Role,
            RequestedAt = now,
            UpdatedAt = now,
            StepUpChallengeId = stepUp,
            TicketId = input.TicketId,
            OpenKey = WalletActionKinds.MovesMoney(kind) ? $"tx:{tx!.TransactionId}" : null,
        };

        // The idempotency key is stored before the wallet hears anything.
        try
        {
            await RecordWithinLimitsAsync(action, actor, ct);
        }
        catch (SupportActionException refused) when (refused.Status == 403)
        {
            await AuditAsync(actor, $"wallet.action.{kind}", AuditOutcomes.Denied, "customer", customerId.ToString(), refused.Code + ": " + refused.Message, ct);
            throw;
        }
        catch (DbUpdateException)
        {
            if (await FindByKeyAsync(key, ct) is { } raced)
            {
                return await ReplayAsync(raced, actor, hash, ct);
            }

            throw new SupportActionException(409, "action_open", "Already in progress",
                "Another refund or reversal of this transaction is already waiting or running; look at the open actions for this customer.");
        }

        var needsApproval = action.Status == SupportActionStatuses.PendingApproval;
        await AuditAsync(actor, $"wallet.action.{kind}.requested", AuditOutcomes.Success, "wallet-action", action.Id.ToString(), Describe(action), ct);
        await RecordOnTicketAsync(action, needsApproval ? SupportActionStatuses.PendingApproval : "requested", $"{actor.Name} asked for a {Describe(action)} ({reason}){(needsApproval ? "; waiting for a second staff member's approval" : "")}.", actor, ct);
        return needsApproval ? action : await ExecuteAsync(action, actor, ct);
    }

    private static readonly SemaphoreSlim SqliteLimitGate = new(1, 1);

    /// <summary>
    /// Checks the limits against everything already asked for and stores the action, as one step per customer and per
    /// staff member: on PostgreSQL under transaction-scoped advisory locks on both, on SQLite (one process) behind a
    /// gate, so two requests at once cannot both see the old totals. Sets the action's status (approval or not).
    /// </summary>
    private async Task RecordWithinLimitsAsync(SupportAction action, StaffActor actor, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var sqlite = db.IsSqlite;
        if (sqlite)
        {
            await SqliteLimitGate.WaitAsync(ct);
        }

        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            if (!sqlite)
            {
                // Customer first, then staff, always: no two requests can wait on each other in a circle.
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LimitLockSpace}, {LockKey(action.CustomerId)})", ct);
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LimitLockSpace + 1}, {LockKey(actor.Id)})", ct);
            }

            if (action.TransactionId is { } transactionId
                && await db.WalletSupportActions.AnyAsync(a => a.AccountId == action.AccountId && a.TransactionId == transactionId && a.Status == SupportActionStatuses.PendingApproval, ct))
            {
                throw new SupportActionException(409, "approval_pending", "Waiting for approval",
                    "An action on this transaction is waiting for a second staff member's approval; nothing else can be done on it until it is decided.");
            }

            if (action.AmountMinor is { } amount)
            {
                action.Status = await CheckCumulativeLimitsAsync(db, action, actor, amount, ct)
                    ? SupportActionStatuses.PendingApproval
                    : SupportActionStatuses.Executing;
            }

            db.WalletSupportActions.Add(action);
            if (action.Status == SupportActionStatuses.PendingApproval)
            {
                db.CustomerTimeline.Add(Note(action.CustomerId, "wallet.action.requested",
                    $"{actor.Name} asked for a {Describe(action)} ({action.Reason}); waiting for a second staff member's approval.", actor.Name, action.Id.ToString()));
            }

            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        finally
        {
            if (sqlite)
            {
                SqliteLimitGate.Release();
            }
        }
    }

    /// <summary>Refuses what goes over the role's limit once earlier requests are counted; answers whether a second person must approve.</summary>
    private async Task<bool> CheckCumulativeLimitsAsync(AppDbContext db, SupportAction action, StaffActor actor, long amount, CancellationToken ct)
    {
        var currency = action.Currency!;
        var since = action.RequestedAt.AddHours(-Options.CumulativeWindowHours);
        var counted = db.WalletSupportActions.Where(a => (a.Kind == WalletActionKinds.Refund || a.Kind == WalletActionKinds.Reversal)
            && a.Currency == currency && a.Status != SupportActionStatuses.Rejected && a.Status != SupportActionStatuses.Failed);
        var onTransaction = await counted.Where(a => a.AccountId == action.AccountId && a.TransactionId == action.TransactionId).SumAsync(a => a.AmountMinor, ct) ?? 0;
        var forCustomer = await counted.Where(a => a.CustomerId == action.CustomerId && a.RequestedAt >= since).SumAsync(a => a.AmountMinor, ct) ?? 0;
        var byStaff = await counted.Where(a => a.RequestedById == actor.Id && a.RequestedAt >= since).SumAsync(a => a.AmountMinor, ct) ?? 0;

        var limit = Options.RoleLimit(actor.Role, currency) ?? 0;
        if (amount > limit)
        {
            throw new SupportActionException(403, "over_role_limit", "Above your limit",
                $"{Money.Format(amount, currency)} is above the {Money.Format(limit, currency)} limit for the {actor.Role} role; ask a supervisor.");
        }

        if (onTransaction + amount > limit || forCustomer + amount > limit)
        {
            var already = Math.Max(onTransaction, forCustomer);
            throw new SupportActionException(403, "over_role_limit", "Above your limit",
                $"With {Money.Format(already, currency)} already refunded or asked for ({(onTransaction >= forCustomer ? "on this transaction" : $"for this customer in the last {Options.CumulativeWindowHours} hours")}), "
                + $"{Money.Format(amount, currency)} more goes over the {Money.Format(limit, currency)} limit for the {actor.Role} role; ask a supervisor.");
        }

        var threshold = Options.ApprovalThreshold(currency) ?? 0;
        var staffLimit = Options.StaffWindowLimit(actor.Role, currency) ?? 0;
        return amount >= threshold || onTransaction + amount >= threshold || forCustomer + amount >= threshold || byStaff + amount > staffLimit;
    }

    private const int LimitLockSpace = 0x57_44_4C; // "WDL"

    private static int LockKey(Guid id) => BitConverter.ToInt32(id.ToByteArray(), 12);

    public async Task<SupportAction> ApproveAsync(StaffActor approver, Guid actionId, CancellationToken ct)
    {
        var action = await FindAsync(actionId, ct) ?? throw NotFound("The action");
        if (action.RequestedById == approver.Id)
        {
            await AuditAsync(approver, "wallet.action.approve", AuditOutcomes.Denied, "wallet-action", actionId.ToString(), "self-approval refused", ct);
            throw new SupportActionException(403, "self_approval", "You cannot approve your own request", "A second staff member must approve this action (four-eyes rule).");
        }

        if (action.Status != SupportActionStatuses.PendingApproval)
        {
            throw new SupportActionException(409, "already_decided", "Already decided", $"This action is {action.Status.Replace('_', ' ')}.");
        }

        if (StaffRoles.Rank(approver.Role) < StaffRoles.Rank(StaffRoles.Supervisor)
            || (action.AmountMinor is { } amount && amount > (Options.RoleLimit(approver.Role, action.Currency!) ?? 0)))
        {
            await AuditAsync(approver, "wallet.action.approve", AuditOutcomes.Denied, "wallet-action", actionId.ToString(), "approver role or limit too low", ct);
            throw new SupportActionException(403, "over_role_limit", "Above your limit", "Your role cannot approve this amount; ask an admin.");
        }

        var now = time.GetUtcNow();
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            // Conditional claim: of two approvers clicking at once, exactly one executes.
            var claimed = await db.WalletSupportActions
                .Where(a => a.Id == actionId && a.Status == SupportActionStatuses.PendingApproval && a.RequestedById != approver.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, SupportActionStatuses.Executing).SetProperty(a => a.ApprovedById, approver.Id)
                    .SetProperty(a => a.ApprovedByName, approver.Name).SetProperty(a => a.DecidedAt, now).SetProperty(a => a.UpdatedAt, now), ct);
            if (claimed == 0)
            {
                throw new SupportActionException(409, "already_decided", "Already decided", "Someone else decided this action a moment ago.");
            }
        }

        await AuditAsync(approver, "wallet.action.approved", AuditOutcomes.Success, "wallet-action", actionId.ToString(), Describe(action), ct);
        await RecordOnTicketAsync(action, "approved", $"{approver.Name} approved the {Describe(action)}.", approver, ct);
        return await ExecuteAsync((await FindAsync(actionId, ct))!, approver, ct);
    }

    public async Task<SupportAction> RejectAsync(StaffActor actor, Guid actionId, string? reason, CancellationToken ct)
    {
        var action = await FindAsync(actionId, ct) ?? throw NotFound("The action");
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var decided = await db.WalletSupportActions.Where(a => a.Id == actionId && a.Status == SupportActionStatuses.PendingApproval)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, SupportActionStatuses.Rejected).SetProperty(a => a.ApprovedById, actor.Id)
                .SetProperty(a => a.ApprovedByName, actor.Name).SetProperty(a => a.DecidedAt, now).SetProperty(a => a.UpdatedAt, now)
                .SetProperty(a => a.OpenKey, (string?)null).SetProperty(a => a.ResultCode, "rejected"), ct);
        if (decided == 0)
        {
            throw new SupportActionException(409, "already_decided", "Already decided", $"This action is {action.Status.Replace('_', ' ')}.");
        }

        db.CustomerTimeline.Add(Note(action.CustomerId, "wallet.action.rejected", $"{actor.Name} declined the {Describe(action)}{(string.IsNullOrWhiteSpace(reason) ? "" : $": {Clip(reason, 300)}")}.", actor.Name, action.Id.ToString()));
        await db.SaveChangesAsync(ct);
        await AuditAsync(actor, "wallet.action.rejected", AuditOutcomes.Success, "wallet-action", actionId.ToString(), Describe(action), ct);
        await RecordOnTicketAsync(action, SupportActionStatuses.Rejected, $"{actor.Name} declined the {Describe(action)}{(string.IsNullOrWhiteSpace(reason) ? "" : $": {Clip(reason, 300)}")}.", actor, ct);
        return (await FindAsync(actionId, ct))!;
    }

    /// <summary>Re-checks an action whose outcome is unknown: asks the wallet by idempotency key, never sends a new request.</summary>
    public async Task<SupportAction> RefreshAsync(StaffActor actor, Guid actionId, CancellationToken ct)
    {
        var action = await FindAsync(actionId, ct) ?? throw NotFound("The action");
        return action.Status is SupportActionStatuses.OutcomeUnknown or SupportActionStatuses.Executing ? await ResolveUnknownAsync(action, actor, ct) : action;
    }

    public async Task<SupportAction?> FindAsync(Guid actionId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.WalletSupportActions.AsNoTracking().SingleOrDefaultAsync(a => a.Id == actionId, ct);
    }

    public static string GatewayKey(SupportAction action) => $"wd-{action.Id:N}";

    private async Task<SupportAction> ReplayAsync(SupportAction existing, StaffActor actor, string hash, CancellationToken ct)
    {
        if (!string.Equals(existing.RequestHash, hash, StringComparison.Ordinal) || existing.RequestedById != actor.Id)
        {
            throw new SupportActionException(409, "idempotency_key_reused", "Idempotency key already used", "This idempotency key belongs to a different request; generate a new key for a new action.", "idempotencyKey");
        }

        return existing.Status switch
        {
            SupportActionStatuses.OutcomeUnknown => await ResolveUnknownAsync(existing, actor, ct),
            SupportActionStatuses.Failed when existing.ResultCode == "wallet_unavailable" => await ExecuteAsync(existing, actor, ct),
            _ => existing,
        };
    }

    private async Task<SupportAction> ResolveUnknownAsync(SupportAction action, StaffActor actor, CancellationToken ct)
    {
        WalletActionResult? result;
        try
        {
            result = await gateway.GetActionAsync(GatewayKey(action), ct);
        }
        catch (WalletUnavailableException)
        {
            return action;
        }

        if (result is not null)
        {
            return await FinishAsync(action, actor, result, ct);
        }

        // The wallet confirms it never saw the request: sending it under the same idempotency key cannot double it.
        return await ExecuteAsync(action, actor, ct);
    }

    private async Task<SupportAction> ExecuteAsync(SupportAction action, StaffActor actor, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var command = new WalletActionCommand(
            GatewayKey(action), action.Kind, action.AccountId, action.TransactionId, action.AmountMinor, action.Currency, action.Reason,
            action.StepUpChallengeId, WalletActionKinds.ChangesControl(action.Kind) && Options.CoolingOffHours > 0 ? now.AddHours(Options.CoolingOffHours) : null,
            action.RequestedByName);
        WalletActionResult result;
        try
        {
            result = await gateway.ExecuteAsync(command, ct);
        }
        catch (WalletUnavailableException ex) when (ex.OutcomeUnknown)
        {
            logger.LogWarning("Wallet action {ActionId} outcome unknown; querying by idempotency key", action.Id);
            await SetStatusAsync(action.Id, SupportActionStatuses.OutcomeUnknown, null, null, keepOpen: true, ct);
            WalletActionResult? found = null;
            try
            {
                found = await gateway.GetActionAsync(command.IdempotencyKey, ct);
            }
            catch (WalletUnavailableException)
            {
                // Still unknown; the next retry or refresh asks again.
            }

            if (found is null)
            {
                await AuditAsync(actor, $"wallet.action.{action.Kind}", "unknown", "wallet-action", action.Id.ToString(), "wallet did not confirm; will query", ct);
                return (await FindAsync(action.Id, ct))!;
            }

            result = found;
        }
        catch (WalletUnavailableException)
        {
            await SetStatusAsync(action.Id, SupportActionStatuses.Failed, "wallet_unavailable", null, keepOpen: false, ct);
            await AuditAsync(actor, $"wallet.action.{action.Kind}", AuditOutcomes.Failure, "wallet-action", action.Id.ToString(), "wallet unavailable", ct);
            throw new SupportActionException(503, "wallet_unavailable", "The wallet is not answering", "Nothing was changed. Try again in a minute with the same idempotency key.");
        }
        catch (LedgerRequestException refused)
        {
            result = new WalletActionResult(command.IdempotencyKey, WalletActionOutcomes.Failed, refused.Code, null, null, null);
        }

        return await FinishAsync(action, actor, result, ct);
    }

    private async Task<SupportAction> FinishAsync(SupportAction action, StaffActor actor, WalletActionResult result, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var ok = result.Outcome != WalletActionOutcomes.Failed;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var finished = await db.WalletSupportActions
            .Where(a => a.Id == action.Id && (a.Status == SupportActionStatuses.Executing || a.Status == SupportActionStatuses.OutcomeUnknown
                || (a.Status == SupportActionStatuses.Failed && a.ResultCode == "wallet_unavailable")))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, ok ? SupportActionStatuses.Completed : SupportActionStatuses.Failed)
                .SetProperty(a => a.ResultCode, ok ? (result.Outcome == WalletActionOutcomes.Pending ? "pending" : null) : result.Code ?? "failed")
                .SetProperty(a => a.ResultTransactionId, result.TransactionId)
                .SetProperty(a => a.CompletedAt, now).SetProperty(a => a.UpdatedAt, now).SetProperty(a => a.OpenKey, (string?)null), ct);
        if (finished == 1)
        {
            var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == action.CustomerId, ct);
            db.CustomerTimeline.Add(Note(action.CustomerId, $"wallet.action.{action.Kind}",
                ok ? $"{actor.Name}: {Describe(action)} done ({action.Reason})." : $"{actor.Name}: {Describe(action)} failed ({Humanise(result.Code)}).",
                actor.Name, action.Id.ToString()));
            if (ok && CustomerNotice(action, customer.Locale) is { } notice)
            {
                db.CustomerNotifications.Add(new CustomerNotification
                {
                    Id = Guid.CreateVersion7(),
                    CustomerId = action.CustomerId,
                    Kind = $"wallet.{action.Kind}",
                    Locale = customer.Locale,
                    Subject = notice.Subject,
                    Body = notice.Body,
                    CreatedAt = now,
                });
            }

            await db.SaveChangesAsync(ct);
            await AuditAsync(actor, $"wallet.action.{action.Kind}", ok ? AuditOutcomes.Success : AuditOutcomes.Failure, "wallet-action", action.Id.ToString(),
                $"{Describe(action)}; customer={action.CustomerId}; result={result.Outcome}{(result.Code is null ? "" : "/" + result.Code)}; approvedBy={action.ApprovedByName ?? "-"}", ct);
            await RecordOnTicketAsync(action, ok ? SupportActionStatuses.Completed : SupportActionStatuses.Failed,
                ok ? $"{Describe(action)} done ({action.Reason})." : $"{Describe(action)} failed ({Humanise(result.Code)}).", actor, ct);
        }

        return (await FindAsync(action.Id, ct))!;
    }

    /// <summary>An action made for a ticket is part of that ticket's history (through the ticket module's service).</summary>
    private async Task RecordOnTicketAsync(SupportAction action, string stage, string text, StaffActor actor, CancellationToken ct)
    {
        if (action.TicketId is { } ticketId)
        {
            await TicketsAsync(t => t.RecordWalletActionAsync(ticketId, action.CustomerId, action.Kind, stage, text,
                new TicketActor(TicketActors.Agent, actor.Id.ToString(), actor.Name), ct));
        }
    }

    private async Task<T> TicketsAsync<T>(Func<TicketService, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<TicketService>());
    }

    private async Task SetStatusAsync(Guid id, string status, string? code, string? txId, bool keepOpen, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.WalletSupportActions.Where(a => a.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.Status, status).SetProperty(a => a.ResultCode, code).SetProperty(a => a.ResultTransactionId, txId)
            .SetProperty(a => a.UpdatedAt, now).SetProperty(a => a.OpenKey, a => keepOpen ? a.OpenKey : null), ct);
    }

    private async Task<SupportAction?> FindByKeyAsync(string key, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.WalletSupportActions.AsNoTracking().SingleOrDefaultAsync(a => a.IdempotencyKey == key, ct);
    }

    private static (string Kind, string Key, string Reason) Validate(SupportActionInput input)
    {
        var kind = input.Kind?.Trim().ToLowerInvariant();
        if (kind is null || !WalletActionKinds.All.Contains(kind))
        {
            throw Invalid("kind", $"kind must be one of: {string.Join(", ", WalletActionKinds.All.Order(StringComparer.Ordinal))}.");
        }

        var key = input.IdempotencyKey?.Trim();
        if (key is null || !KeyPattern().IsMatch(key))
        {
            throw Invalid("idempotencyKey", "idempotencyKey must be 8 to 100 letters, digits, '-', '_', ':' or '.', new for each action (a UUID is ideal).");
        }

        var reason = input.Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length < 3 || reason.Length > 500)
        {
            throw Invalid("reason", "reason is required (3 to 500 characters); it goes to the audit trail and the customer's timeline.");
        }

        if (WalletActionKinds.NeedsTransaction(kind) && string.IsNullOrWhiteSpace(input.Transaction))
        {
            throw Invalid("transaction", "transaction (id or reference) is required for this action.");
        }

        if (input.AmountMinor is { } amount && (amount <= 0 || kind != WalletActionKinds.Refund))
        {
            throw Invalid("amountMinor", kind == WalletActionKinds.Refund ? "amountMinor must be a positive number of minor units." : "amountMinor is only used for refunds.");
        }

        return (kind, key, reason);
    }

    private static long CheckAmount(string kind, WalletTransaction tx, long? requested)
    {
        if (kind == WalletActionKinds.FlagDispute)
        {
            return 0;
        }

        if (kind == WalletActionKinds.Reversal)
        {
            return tx.AmountMinor;
        }

        if (tx.Type is not (TransactionTypes.Payment or TransactionTypes.Transfer) || tx.Direction != LedgerService.Out
            || tx.Status is not (TransactionStatuses.Completed or TransactionStatuses.PartiallyRefunded))
        {
            throw Invalid("transaction", $"Only completed outgoing payments and transfers can be refunded; this is a {tx.Status.Replace('_', ' ')} {tx.Type.Replace('_', ' ')}.");
        }

        var remaining = tx.AmountMinor - tx.RefundedMinor;
        var amount = requested ?? remaining;
        if (amount > remaining)
        {
            throw Invalid("amountMinor", $"At most {Money.Format(remaining, tx.Currency)} can still be refunded (the original {Money.Format(tx.AmountMinor, tx.Currency)} minus earlier refunds).");
        }

        return amount;
    }

    private async Task<T> Gateway<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (WalletUnavailableException ex)
        {
            logger.LogWarning("Wallet gateway unavailable: {Reason}", ex.Message);
            throw new SupportActionException(503, "wallet_unavailable", "The wallet is not answering", "The wallet did not answer; nothing was changed. Try again in a minute.");
        }
        catch (LedgerRequestException ex)
        {
            throw new SupportActionException(404, ex.Code, "Not found", "The item does not exist or you cannot see it.");
        }
    }

    private Task AuditAsync(StaffActor actor, string action, string outcome, string objectType, string objectId, string details, CancellationToken ct) =>
        audit.AppendAsync(new AuditEvent(action, outcome, "staff", actor.Id.ToString(), actor.Name, objectType, objectId, actor.SourceIp, details), ct);

    private CustomerTimelineEntry Note(Guid customerId, string kind, string text, string? actor, string? related) => new()
    {
        Id = Guid.CreateVersion7(),
        CustomerId = customerId,
        At = time.GetUtcNow(),
        Kind = kind,
        Text = Clip(text, 1000)!,
        ActorName = actor,
        RelatedId = related,
    };

    private static string Describe(SupportAction a) =>
        a.Kind.Replace('_', ' ')
        + (a.AmountMinor is { } amount && a.Currency is { } c && amount > 0 ? $" of {Money.Format(amount, c)}" : "")
        + (a.TransactionReference is { } r ? $" on {r}" : "");

    private static string Humanise(string? code) => (code ?? "failed").Replace('_', ' ');

    private (string Subject, string Body)? CustomerNotice(SupportAction a, string locale)
    {
        var zh = locale.StartsWith("zh", StringComparison.OrdinalIgnoreCase);
        var amount = a.AmountMinor is { } m && a.Currency is { } c ? Money.Format(m, c) : "";
        var hold = Options.CoolingOffHours.ToString(CultureInfo.InvariantCulture);
        return a.Kind switch
        {
            WalletActionKinds.Lock => zh ? ("您的账户已被锁定", "为保护您的资金，我们已锁定您的钱包账户。如需解锁，请打开应用完成身份确认后联系客服。") : ("Your account is locked", "To protect your money we have locked your wallet. To unlock it, confirm it is you in the app and contact support."),
            WalletActionKinds.Unlock => zh ? ("您的账户已解锁", $"您的钱包已在应用内身份确认后解锁。为安全起见，接下来 {hold} 小时内的转出将被暂缓。如非本人操作，请立即联系我们。") : ("Your account is unlocked", $"Your wallet was unlocked after you confirmed it was you in the app. For your safety, outgoing payments are held for the next {hold} hours. If this wasn't you, contact us now."),
            WalletActionKinds.FreezeOutgoing => zh ? ("转出已暂停", "我们已暂停您账户的转出功能，转入不受影响。") : ("Outgoing payments paused", "We have paused outgoing payments from your wallet. Incoming money is not affected."),
            WalletActionKinds.UnfreezeOutgoing => zh ? ("转出已恢复", $"您账户的转出功能已恢复，接下来 {hold} 小时内的转出将被暂缓以保障安全。") : ("Outgoing payments resumed", $"Outgoing payments are back on. For your safety they are held for the next {hold} hours."),
            WalletActionKinds.Refund => zh ? ("退款已处理", $"{amount} 已退回您的钱包（交易 {a.TransactionReference}）。") : ("Refund processed", $"{amount} has been refunded to your wallet (transaction {a.TransactionReference})."),
            WalletActionKinds.Reversal => zh ? ("交易已冲正", $"交易 {a.TransactionReference} 已被冲正。") : ("Transaction reversed", $"Transaction {a.TransactionReference} has been reversed."),
            WalletActionKinds.FlagDispute => zh ? ("我们正在调查", $"我们已就交易 {a.TransactionReference} 开启争议处理，会在应用内通知您进展。") : ("We're looking into it", $"We have opened a dispute for transaction {a.TransactionReference} and will update you in the app."),
            _ => null,
        };
    }

    private static SupportActionException Invalid(string field, string message) => new(400, "validation", "The request has invalid fields.", message, field);

    private static SupportActionException NotFound(string what) => new(404, "not_found", "Not found", $"{what} does not exist or you cannot see it.");

    private static string? Clip(string? value, int max) => value is null || value.Length <= max ? value : value[..max];

    [GeneratedRegex("^[A-Za-z0-9_.:-]{8,100}$")]
    private static partial Regex KeyPattern();
}
