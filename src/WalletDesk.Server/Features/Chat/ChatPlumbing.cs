using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Chat;

public static class ChatPolicies
{
    public const string Participant = "chat-participant";
}

/// <summary>A wallet customer, a web visitor, or staff allowed to chat (2FA done where the role needs it; API tokens with the chat scope).</summary>
public sealed class ChatParticipantRequirement : IAuthorizationRequirement;

internal sealed class ChatParticipantHandler : AuthorizationHandler<ChatParticipantRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ChatParticipantRequirement requirement)
    {
        var user = context.User;
        if (user.CustomerIdOf() is not null || ChatVisitors.VisitorIdOf(user) is not null)
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        if (!user.IsStaff() || user.FindFirst(WalletDeskClaims.Role)?.Value is not { } role)
        {
            return Task.CompletedTask;
        }

        var allowed = user.AuthMethodOf() switch
        {
            WalletDeskClaims.MethodApiToken => user.HasClaim(WalletDeskClaims.Scope, ApiScopes.Chat),
            WalletDeskClaims.MethodCookie => !StaffRoles.RequiresTwoFactor(role) || user.FindFirst(WalletDeskClaims.MfaSatisfied)?.Value == "true",
            _ => false,
        };
        if (allowed)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>This process's live connections, so the monitor can keep agents' presence fresh and cut off revoked staff.</summary>
public sealed class ChatConnections
{
    private readonly ConcurrentDictionary<string, (ChatCaller Caller, HubCallerContext Context)> live = new(StringComparer.Ordinal);

    public int Count => live.Count;

    public void Add(HubCallerContext context, ChatCaller caller) => live[context.ConnectionId] = (caller, context);

    public void Remove(string connectionId) => live.TryRemove(connectionId, out _);

    public IReadOnlyCollection<Guid> StaffIds() => live.Values.Where(v => v.Caller.IsStaff).Select(v => v.Caller.Id).Distinct().ToList();

    public IReadOnlyCollection<Guid> CustomerIds() => live.Values.Where(v => !v.Caller.IsStaff).Select(v => v.Caller.Id).Distinct().ToList();

    /// <summary>Closes every connection of these callers (disabled staff, erased customers).</summary>
    public int Abort(IReadOnlySet<Guid> callerIds)
    {
        var count = 0;
        foreach (var (_, (caller, context)) in live)
        {
            if (callerIds.Contains(caller.Id))
            {
                context.Abort();
                count++;
            }
        }

        return count;
    }
}

/// <summary>
/// Around every hub call: a per-caller token bucket on the methods that write or broadcast, a fresh check that staff
/// are still allowed (a revoked session or disabled account is refused on its next call), and refusals turned into
/// messages the client can show. Anything unexpected is logged and reported without internals.
/// </summary>
public sealed class ChatHubFilter(IOptions<ChatOptions> options, ILogger<ChatHubFilter> logger) : IHubFilter, IDisposable
{
    private static readonly HashSet<string> Limited = new(StringComparer.Ordinal) { "Start", "Send", "Note", "Typing", "LeaveContact", "RequestTranscript" };

    private readonly PartitionedRateLimiter<Guid> limiter = PartitionedRateLimiter.Create<Guid, Guid>(caller =>
        RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.Burst,
            TokensPerPeriod = options.Value.MessagesPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var invocation = invocationContext;
        if (invocation.Context.Items[nameof(ChatCaller)] is not ChatCaller caller)
        {
            throw new HubException("Not signed in.");
        }

        if (Limited.Contains(invocation.HubMethodName))
        {
            using var lease = limiter.AttemptAcquire(caller.Id);
            if (!lease.IsAcquired)
            {
                throw Refused(invocation, "Too many messages at once. Wait a moment and try again.");
            }
        }

        if (caller.IsStaff && !await StillAllowedAsync(invocation))
        {
            // Refused now; the monitor closes the connection on its next pass so broadcasts stop too.
            throw Refused(invocation, "Your session has ended. Sign in again.");
        }

        try
        {
            return await next(invocation);
        }
        catch (ChatException ex)
        {
            throw Refused(invocation, ex.Message);
        }
        catch (TicketValidationException ex)
        {
            throw Refused(invocation, ex.Message);
        }
        catch (HubException ex)
        {
            throw Refused(invocation, ex.Message);
        }
        catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or TimeoutException)
        {
            logger.LogWarning("Chat call {Method} failed with {ExceptionType}", invocation.HubMethodName, ex.GetType().Name);
            throw new HubException("Support is briefly unavailable. Your message was not sent; try again in a moment.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A defect, not a refusal: the one place a hub call is logged as an error, with its stack.
            logger.LogError(ex, "Chat call {Method} failed", invocation.HubMethodName);
            throw new HubException("Something went wrong. Try again in a moment.");
        }
    }

    /// <summary>
    /// A refusal is the hub doing its job (not a member, not allowed, too fast): a Debug line without a stack, since
    /// anyone can cause as many as they like. SignalR's dispatcher would log each as an Error with a stack trace, so
    /// its category is held to Critical in <see cref="ChatModule"/>; every call passes this filter, which logs instead.
    /// </summary>
    private HubException Refused(HubInvocationContext invocation, string message)
    {
        logger.LogDebug("Refused chat call {Method}", invocation.HubMethodName);
        return new HubException(message);
    }

    public void Dispose() => limiter.Dispose();

    private static async Task<bool> StillAllowedAsync(HubInvocationContext invocation)
    {
        var user = invocation.Context.User!;
        var services = invocation.ServiceProvider;
        var db = services.GetRequiredService<AppDbContext>();
        var staffId = user.StaffId();
        switch (user.AuthMethodOf())
        {
            case WalletDeskClaims.MethodCookie:
                var session = user.FindFirst(WalletDeskClaims.SessionId)?.Value;
                return session is not null && await services.GetRequiredService<StaffAuthService>().ValidateSessionAsync(session, invocation.Context.ConnectionAborted) is not null;
            case WalletDeskClaims.MethodApiToken:
                var time = services.GetRequiredService<TimeProvider>().GetUtcNow();
                return Guid.TryParse(user.FindFirst("token_id")?.Value, out var tokenId)
                    && await db.ApiTokens.AnyAsync(t => t.Id == tokenId && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > time), invocation.Context.ConnectionAborted)
                    && await db.StaffUsers.AnyAsync(u => u.Id == staffId && !u.IsDisabled, invocation.Context.ConnectionAborted);
            default:
                return false;
        }
    }
}

/// <summary>Pushes every committed reply or note on a chat ticket to the people in the conversation, whichever screen wrote it.</summary>
internal sealed class ChatMessageSink(AppDbContext db, IChatBus bus) : ITicketMessageSink
{
    public async Task OnMessageAddedAsync(Ticket ticket, TicketMessage message, CancellationToken cancellationToken)
    {
        if (ticket.Channel != TicketChannels.Chat)
        {
            return;
        }

        var conversation = await db.ChatConversations.AsNoTracking()
            .Where(c => c.TicketId == ticket.Id).Select(c => new { c.CustomerId, c.AgentId, c.SupervisorId }).SingleOrDefaultAsync(cancellationToken);
        if (conversation is null)
        {
            return;
        }

        var previousPublic = message.Visibility == TicketService.Public ? await ChatService.PreviousPublicSeqAsync(db, ticket.Id, message.Seq, cancellationToken) : 0;
        var actions = await ChatService.ActionsAsync(db, ticket.Id, [message], cancellationToken);
        var payload = System.Text.Json.JsonSerializer.SerializeToElement(
            ChatService.ToDto(message, previousPublic, message.ClientMessageId is { } key ? actions.GetValueOrDefault(key) : null), ChatFanout.Json);
        var audience = message.Visibility == TicketService.Public ? ChatAudiences.Everyone : ChatAudiences.Staff;
        await bus.PublishAsync(new ChatEnvelope(ChatEvents.Message, audience, ticket.Id, conversation.CustomerId, conversation.AgentId, conversation.SupervisorId, payload, message.Seq), cancellationToken);
    }
}

/// <summary>
/// Housekeeping on every process (each step is a conditional update, so several processes can run it at once): escalate
/// long waits, route waiting chats, send abandoned queues offline, keep agents' presence fresh, cut off revoked staff.
/// </summary>
public sealed class ChatMonitor(IServiceScopeFactory scopes, ChatConnections connections, TimeProvider time, ILogger<ChatMonitor> logger) : BackgroundService
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(90);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5), time);
        var tick = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(presence: tick++ % 4 == 0, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Chat monitor pass failed with {ExceptionType}; retrying on the next tick", ex.GetType().Name);
            }
        }
    }

    public async Task RunOnceAsync(bool presence, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var chat = scope.ServiceProvider.GetRequiredService<ChatService>();
        if (presence)
        {
            var staff = connections.StaffIds();
            await chat.TouchAgentsAsync(staff, ct);
            await chat.AwayStaleAgentsAsync(StaleAfter, staff, ct);
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var disabled = await db.StaffUsers.AsNoTracking().Where(u => staff.Contains(u.Id) && u.IsDisabled).Select(u => u.Id).ToListAsync(ct);
            if (disabled.Count > 0)
            {
                logger.LogInformation("Closing {Count} chat connections of disabled staff", connections.Abort(disabled.ToHashSet()));
            }
        }

        await chat.EscalateOverdueAsync(ct);
        await chat.RouteWaitingAsync(ct);
        await chat.OfflineAbandonedQueuesAsync(ct);
    }
}
