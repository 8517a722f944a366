using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Redaction;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Features.Wallet;

namespace WalletDesk.Server.Features.Phone;

/// <summary>A field-level problem with a phone request; nothing was written.</summary>
public sealed class PhoneValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>A request that cannot be done in the callback's or call's current state (HTTP 409 or 422).</summary>
public sealed class PhoneStateException(string title, string message, int status = StatusCodes.Status409Conflict) : Exception(message)
{
    public string Title { get; } = title;
    public int Status { get; } = status;
}

/// <summary>What a customer asks for. There is no phone number field: the number is always the one on the wallet profile.</summary>
public sealed record NewCallback(DateTimeOffset? WindowStart, DateTimeOffset? WindowEnd, string? Topic, long? TicketId, string? ClientRequestId);

public sealed record CallbackResult(CallbackRequest Callback, bool Duplicate, RedactionNotice? Notice);

/// <summary>Customers request and cancel callbacks; agents claim (one agent per callback, enforced by a conditional update), release and complete them.</summary>
public sealed class CallbackService(AppDbContext db, TicketService tickets, CallLogService calls, IWalletGateway wallet, TicketIntake intake, TimeProvider time, IOptions<PhoneOptions> options)
{
    public const int MaxTopicLength = 500;

    /// <summary>Null when <see cref="NewCallback.TicketId"/> names a ticket that is not the customer's.</summary>
    public async Task<CallbackResult?> RequestAsync(Guid customerId, string? customerName, NewCallback request, CancellationToken ct)
    {
        var limits = options.Value;
        var clientRequestId = request.ClientRequestId;
        if (clientRequestId is not null && (clientRequestId.Length is 0 or > 100 || clientRequestId.Any(char.IsControl)))
        {
            throw new PhoneValidationException("clientRequestId", "The clientRequestId must be 1 to 100 printable characters.");
        }

        if (clientRequestId is not null && await db.CallbackRequests.AsNoTracking().SingleOrDefaultAsync(c => c.CustomerId == customerId && c.ClientRequestId == clientRequestId, ct) is { } existing)
        {
            return new CallbackResult(existing, true, null);
        }

        if (string.IsNullOrWhiteSpace(request.Topic))
        {
            throw new PhoneValidationException("topic", "Tell us briefly what the call is about.");
        }

        if (request.Topic.Length > MaxTopicLength)
        {
            throw new PhoneValidationException("topic", $"The topic is {request.Topic.Length:N0} characters; the limit is {MaxTopicLength}.");
        }

        var now = time.GetUtcNow();
        var (start, end) = (request.WindowStart ?? throw new PhoneValidationException("windowStart", "Choose when the call window starts."),
            request.WindowEnd ?? throw new PhoneValidationException("windowEnd", "Choose when the call window ends."));
        if (start < now.AddMinutes(-5))
        {
            throw new PhoneValidationException("windowStart", "The window starts in the past.");
        }

        if (start > now.AddDays(limits.MaxDaysAhead))
        {
            throw new PhoneValidationException("windowStart", $"Choose a window within the next {limits.MaxDaysAhead} days.");
        }

        if (end - start < TimeSpan.FromMinutes(limits.MinWindowMinutes) || end - start > TimeSpan.FromHours(limits.MaxWindowHours))
        {
            throw new PhoneValidationException("windowEnd", $"The window must be between {limits.MinWindowMinutes} minutes and {limits.MaxWindowHours} hours long, ending after it starts.");
        }

        if (request.TicketId is { } ticketId && !await db.Tickets.AnyAsync(t => t.Id == ticketId && t.CustomerId == customerId, ct))
        {
            return null;
        }

        var open = await db.CallbackRequests.CountAsync(c => c.CustomerId == customerId && (c.Status == CallbackStatuses.Requested || c.Status == CallbackStatuses.Claimed), ct);
        if (open >= limits.MaxOpenCallbacksPerCustomer)
        {
            throw new PhoneStateException("Too many callbacks", $"You already have {open} callbacks waiting; cancel one or wait for our call.");
        }

        var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == customerId, ct);
        var account = await wallet.FindAccountAsync(customer.ExternalId, ct);
        if (account?.MaskedPhone is null)
        {
            throw new PhoneStateException("No phone number on file", "Your wallet profile has no phone number. Add one in the app, then ask for a callback again.", StatusCodes.Status422UnprocessableEntity);
        }

        var topic = intake.Inbound(request.Topic);
        var actor = new TicketActor(TicketActors.Customer, customerId.ToString(), customerName);
        var id = request.TicketId;
        if (id is null)
        {
            var subject = "Callback request: " + topic.Text;
            var created = await tickets.CreateAsync(customerId, new NewTicket(
                subject[..Math.Min(subject.Length, TicketIntake.MaxSubjectLength)], topic.Text, null, TicketChannels.Phone, customer.Locale,
                clientRequestId is null ? null : "callback:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(clientRequestId)))[..32]), actor, ct);
            id = created.Ticket.Id;
        }

        var callback = new CallbackRequest
        {
            Id = Guid.NewGuid(),
            CustomerId = customerId,
            TicketId = id.Value,
            WalletAccountId = account.AccountId,
            MaskedPhone = account.MaskedPhone,
            TimeZone = account.TimeZone,
            Topic = topic.Text,
            Redactions = topic.RemovedLabel,
            WindowStart = start,
            WindowEnd = end,
            Status = CallbackStatuses.Requested,
            ClientRequestId = clientRequestId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.CallbackRequests.Add(callback);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (clientRequestId is not null)
        {
            db.ChangeTracker.Clear();
            var winner = await db.CallbackRequests.AsNoTracking().SingleAsync(c => c.CustomerId == customerId && c.ClientRequestId == clientRequestId, ct);
            return new CallbackResult(winner, true, null);
        }

        await tickets.AddAgentMessageAsync(callback.TicketId,
            string.Create(CultureInfo.InvariantCulture, $"Callback requested for {start:yyyy-MM-dd HH:mm}–{end:HH:mm} UTC (customer time zone {account.TimeZone}) on the number in the wallet profile ({account.MaskedPhone}). Topic: {topic.Text}"),
            isInternal: true, clientMessageId: "callback:" + callback.Id.ToString("N"), new TicketActor(TicketActors.System, null, "Phone"), ct: ct);
        return new CallbackResult(callback, false, topic.Notice);
    }

    public Task<List<CallbackRequest>> ListForCustomerAsync(Guid customerId, CancellationToken ct) =>
        db.CallbackRequests.AsNoTracking().Where(c => c.CustomerId == customerId).OrderByDescending(c => c.CreatedAt).Take(100).ToListAsync(ct);

    /// <summary>Null when the callback is not the customer's.</summary>
    public async Task<CallbackRequest?> CancelAsync(Guid customerId, Guid id, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var changed = await db.CallbackRequests
            .Where(c => c.Id == id && c.CustomerId == customerId && (c.Status == CallbackStatuses.Requested || c.Status == CallbackStatuses.Claimed))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CallbackStatuses.Cancelled).SetProperty(c => c.UpdatedAt, now), ct);
        var callback = await db.CallbackRequests.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && c.CustomerId == customerId, ct);
        if (callback is not null && changed == 0 && callback.Status != CallbackStatuses.Cancelled)
        {
            throw new PhoneStateException("Already done", "This callback has already taken place.");
        }

        return callback;
    }

    /// <summary>The queue, soonest window first. <paramref name="status"/> is <c>open</c> (default), a status, or <c>mine</c>.</summary>
    public async Task<List<CallbackRequest>> ListQueueAsync(string? status, Guid? staffId, int limit, CancellationToken ct)
    {
        var query = db.CallbackRequests.AsNoTracking();
        query = (status ?? "open") switch
        {
            "open" => query.Where(c => c.Status == CallbackStatuses.Requested || c.Status == CallbackStatuses.Claimed),
            "mine" => query.Where(c => c.Status == CallbackStatuses.Claimed && c.ClaimedById == staffId),
            CallbackStatuses.Requested or CallbackStatuses.Claimed or CallbackStatuses.Completed or CallbackStatuses.Cancelled => query.Where(c => c.Status == status),
            _ => throw new PhoneValidationException("status", "Status must be open, mine, requested, claimed, completed or cancelled."),
        };
        if (limit is < 1 or > 200)
        {
            throw new PhoneValidationException("limit", "The limit must be between 1 and 200.");
        }

        return await query.OrderBy(c => c.WindowStart).ThenBy(c => c.CreatedAt).ThenBy(c => c.Id).Take(limit).ToListAsync(ct);
    }

    public Task<CallbackRequest?> FindAsync(Guid id, CancellationToken ct) => db.CallbackRequests.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);

    /// <summary>
    /// Claims a requested callback. The claim is one conditional UPDATE (status still <c>requested</c>), so of two agents
    /// racing exactly one changes the row; the other gets a conflict. Claiming one's own claim again is a no-op.
    /// </summary>
    public async Task<CallbackRequest?> ClaimAsync(Guid id, Guid staffId, string? staffName, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var changed = await db.CallbackRequests.Where(c => c.Id == id && c.Status == CallbackStatuses.Requested)
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, CallbackStatuses.Claimed)
                .SetProperty(c => c.ClaimedById, staffId)
                .SetProperty(c => c.ClaimedByName, staffName)
                .SetProperty(c => c.ClaimedAt, now)
                .SetProperty(c => c.UpdatedAt, now), ct);
        var callback = await FindAsync(id, ct);
        if (callback is null || changed == 1 || (callback.Status == CallbackStatuses.Claimed && callback.ClaimedById == staffId))
        {
            return callback;
        }

        throw callback.Status == CallbackStatuses.Claimed
            ? new PhoneStateException("Already claimed", $"{callback.ClaimedByName ?? "Another agent"} is already handling this callback.")
            : new PhoneStateException("Not open", $"This callback is {callback.Status}.");
    }

    /// <summary>Puts a claimed callback back in the queue; only the agent holding it can.</summary>
    public async Task<CallbackRequest?> ReleaseAsync(Guid id, Guid staffId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var changed = await db.CallbackRequests.Where(c => c.Id == id && c.Status == CallbackStatuses.Claimed && c.ClaimedById == staffId)
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, CallbackStatuses.Requested)
                .SetProperty(c => c.ClaimedById, (Guid?)null)
                .SetProperty(c => c.ClaimedByName, (string?)null)
                .SetProperty(c => c.ClaimedAt, (DateTimeOffset?)null)
                .SetProperty(c => c.UpdatedAt, now), ct);
        var callback = await FindAsync(id, ct);
        return callback is null || changed == 1 ? callback : throw new PhoneStateException("Not yours", "Only the agent who claimed this callback can release it.");
    }

    /// <summary>Completes a callback the agent holds and logs the call on its ticket, in one transaction.</summary>
    public async Task<(CallbackRequest Callback, CallLog Call)?> CompleteAsync(Guid id, Guid staffId, string? staffName, string? outcome, int? durationSeconds, string? notes, CancellationToken ct)
    {
        CallLogService.ValidateOutcome(outcome);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        var changed = await db.CallbackRequests.Where(c => c.Id == id && c.Status == CallbackStatuses.Claimed && c.ClaimedById == staffId)
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, CallbackStatuses.Completed)
                .SetProperty(c => c.Outcome, outcome)
                .SetProperty(c => c.CompletedAt, now)
                .SetProperty(c => c.UpdatedAt, now), ct);
        var callback = await FindAsync(id, ct);
        if (callback is null)
        {
            return null;
        }

        if (changed == 0)
        {
            throw callback.Status == CallbackStatuses.Claimed
                ? new PhoneStateException("Not yours", "Only the agent who claimed this callback can complete it.")
                : new PhoneStateException("Not claimed", $"This callback is {callback.Status}; claim it before completing it.");
        }

        var call = await calls.AddAsync(new NewCallLog(callback.TicketId, callback.CustomerId, callback.Id, CallDirections.Outbound, outcome, durationSeconds, notes, callback.MaskedPhone, now),
            staffId, staffName, ct);
        await transaction.CommitAsync(ct);
        return (callback, call);
    }
}
