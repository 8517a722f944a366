using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Chat;

/// <summary>
/// One customer message the assistant still has to answer (ADR 0012). Written before the customer's ack, run after it
/// by <see cref="AssistantTurnRunner"/> on whichever process claims it first.
/// </summary>
public sealed class ChatBotTurn
{
    public long Id { get; set; }
    public long ConversationId { get; set; }

    /// <summary>The customer message's sequence number: one turn per message (a retried send finds it there).</summary>
    public int Seq { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public Guid? ClaimToken { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? DoneAt { get; set; }
}

/// <summary>
/// The structured part of one of the assistant's chat messages — quick-reply buttons, a help-center article as a link
/// card — keyed by the message's idempotency key, so it exists before the message is broadcast.
/// </summary>
public sealed class ChatMessageActions
{
    public long Id { get; set; }
    public long TicketId { get; set; }
    public required string ClientMessageId { get; set; }

    /// <summary>Button labels, one per line; tapping one sends its text as the customer's message.</summary>
    public string? QuickReplies { get; set; }
    public string? ArticleSlug { get; set; }
}

internal sealed class ChatMessageActionsConfiguration : IEntityTypeConfiguration<ChatMessageActions>
{
    public void Configure(EntityTypeBuilder<ChatMessageActions> builder)
    {
        builder.ToTable("chat_message_actions");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.ClientMessageId).HasMaxLength(100);
        builder.Property(a => a.QuickReplies).HasMaxLength(2000);
        builder.Property(a => a.ArticleSlug).HasMaxLength(200);
        builder.HasOne<Ticket>().WithMany().HasForeignKey(a => a.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => new { a.TicketId, a.ClientMessageId }).IsUnique();
    }
}

internal sealed class ChatBotTurnConfiguration : IEntityTypeConfiguration<ChatBotTurn>
{
    public void Configure(EntityTypeBuilder<ChatBotTurn> builder)
    {
        builder.ToTable("chat_assistant_turns");
        builder.HasKey(t => t.Id);
        builder.HasOne<Ticket>().WithMany().HasForeignKey(t => t.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(t => new { t.ConversationId, t.Seq }).IsUnique();
        builder.HasIndex(t => new { t.DoneAt, t.Id });
    }
}

/// <summary>
/// Runs the assistant's turns after the customer's message is committed and acknowledged, off the customer's path.
/// Woken in-process by every new turn and every few seconds for turns of other processes and expired leases. A turn is
/// claimed with a conditional update (lease + claim token), so with several processes each turn runs on one of them;
/// a conversation's turns run one at a time, in order. Replies carry idempotency keys derived from the turn, so a turn
/// re-run after a crash mid-way adds nothing twice.
/// </summary>
public sealed class AssistantTurnRunner(IServiceScopeFactory scopes, TimeProvider time, ILogger<AssistantTurnRunner> logger) : BackgroundService
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(90);
    public const int MaxAttempts = 3;
    private const int Parallel = 4;

    private readonly SemaphoreSlim wake = new(0);

    /// <summary>A turn was queued on this process: run it now rather than on the next tick.</summary>
    public void Wake()
    {
        if (wake.CurrentCount == 0)
        {
            wake.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(3), time);
        var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RunPendingAsync(stoppingToken) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Assistant turn pass failed with {ExceptionType}; retrying on the next tick", ex.GetType().Name);
            }

            var woken = wake.WaitAsync(stoppingToken);
            if (await Task.WhenAny(woken, tick) == tick)
            {
                if (!await tick)
                {
                    return;
                }

                tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            }
        }
    }

    /// <summary>Claims and runs the turns that are due (at most one per conversation); returns how many ran.</summary>
    public async Task<int> RunPendingAsync(CancellationToken ct)
    {
        List<long> due;
        var now = time.GetUtcNow();
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            due = await Due(db, now)
                .Where(t => !db.ChatBotTurns.Any(e => e.ConversationId == t.ConversationId && e.Id < t.Id && e.DoneAt == null))
                .OrderBy(t => t.Id).Select(t => t.Id).Take(Parallel).ToListAsync(ct);
        }

        var ran = await Task.WhenAll(due.Select(id => RunOneAsync(id, ct)));
        return ran.Count(r => r);
    }

    private static IQueryable<ChatBotTurn> Due(AppDbContext db, DateTimeOffset now) =>
        db.ChatBotTurns.Where(t => t.DoneAt == null && t.Attempts < MaxAttempts && (t.LeaseUntil == null || t.LeaseUntil < now));

    private async Task<bool> RunOneAsync(long id, CancellationToken ct)
    {
        var token = Guid.NewGuid();
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();

        // The claim: only one process's conditional update matches (PostgreSQL re-checks the condition after waiting for
        // a concurrent updater's row lock; SQLite has one writer at a time), as the email outbox claims its messages.
        var claimed = await Due(db, now).Where(t => t.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.ClaimToken, token)
            .SetProperty(t => t.LeaseUntil, now + Lease)
            .SetProperty(t => t.Attempts, t => t.Attempts + 1), ct);
        if (claimed == 0)
        {
            return false;
        }

        var turn = await db.ChatBotTurns.AsNoTracking().SingleAsync(t => t.Id == id, ct);
        try
        {
            await scope.ServiceProvider.GetRequiredService<ChatService>().RunAssistantTurnAsync(turn.ConversationId, turn.Seq, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Left leased: it is tried again when the lease runs out, at most MaxAttempts times.
            logger.LogError(ex, "Assistant turn {TurnId} (conversation {ConversationId}, message {Seq}) failed on attempt {Attempt}", id, turn.ConversationId, turn.Seq, turn.Attempts);
            return true;
        }

        await db.ChatBotTurns.Where(t => t.Id == id && t.ClaimToken == token)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.DoneAt, time.GetUtcNow()).SetProperty(t => t.LeaseUntil, (DateTimeOffset?)null), CancellationToken.None);
        return true;
    }

    public override void Dispose()
    {
        wake.Dispose();
        base.Dispose();
    }
}
