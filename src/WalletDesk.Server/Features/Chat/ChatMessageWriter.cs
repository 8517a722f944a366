using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Chat;

/// <summary>
/// Group commit for chat messages (ADR 0008): every message sent while the previous batch was being written goes into
/// the next one — one transaction, a fixed handful of round trips, one fan-out round trip — instead of a transaction
/// with a dozen round trips per message. Each sender still waits for the commit that holds its message before it is
/// acknowledged. Membership is checked inside the transaction, against the conversation as it is at that moment.
/// </summary>
public sealed class ChatMessageWriter(IServiceScopeFactory scopes, IChatBus bus, ConnectionSettings settings, ILogger<ChatMessageWriter> logger) : IAsyncDisposable
{
    /// <summary>Upper bound on one batch, so a burst is split into commits of bounded size.</summary>
    public const int MaxBatch = 256;

    /// <summary>
    /// Batches in flight at once. SQLite has one writer, so one. On PostgreSQL most of a batch is waiting for the server,
    /// so a few overlap; they lock tickets in id order and never deadlock each other, and one connection's sends are
    /// still stored in order because the hub runs a connection's calls one after another.
    /// </summary>
    private int Concurrency => settings.IsPostgres ? 3 : 1;

    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock startLock = new();
    private Task? loop;

    /// <summary>
    /// Writes one message in the next batch. Returns the conversation and the stored message (or the earlier copy of a
    /// retried one), or null when the ticket is in a state the batch leaves to the one-by-one path. Throws the refusal
    /// (<see cref="ChatException"/>, <see cref="TicketValidationException"/>) for this message only.
    /// </summary>
    public async Task<(ChatConversation Conversation, TicketWriteResult Written)?> WriteAsync(
        ChatCaller caller, long conversationId, string? clientMessageId, string body, bool internalNote, CancellationToken ct)
    {
        EnsureStarted();
        var pending = new Pending(caller, conversationId, clientMessageId, body, internalNote);
        if (!queue.Writer.TryWrite(pending))
        {
            return null;
        }

        return await pending.Done.Task.WaitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await stopping.CancelAsync();
        if (loop is not null)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        while (queue.Reader.TryRead(out var left))
        {
            left.Done.TrySetResult(null);
        }

        stopping.Dispose();
    }

    private void EnsureStarted()
    {
        if (loop is not null)
        {
            return;
        }

        lock (startLock)
        {
            loop ??= Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(RunAsync)));
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stopping.Token))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && queue.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                await WriteBatchAsync(batch);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            // Whatever was not written is handed back to the one-by-one path (or fails there if the server is going away).
            foreach (var left in batch)
            {
                left.Done.TrySetResult(null);
            }
        }
    }

    private async Task WriteBatchAsync(List<Pending> batch)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var results = new Result[batch.Count];
        var envelopes = new List<ChatEnvelope>(batch.Count);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var tickets = scope.ServiceProvider.GetRequiredService<TicketService>();
            var gate = db.IsSqlite ? TicketService.SqliteWriteGate : null;
            if (gate is not null)
            {
                await gate.WaitAsync(stopping.Token);
            }

            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(stopping.Token);
                var ids = batch.Select(p => p.ConversationId).Distinct().ToArray();
                var conversations = await db.ChatConversations.AsNoTracking().Where(c => EF.Parameter(ids).Contains(c.TicketId)).ToDictionaryAsync(c => c.TicketId, stopping.Token);
                var live = new List<LiveMessage>(batch.Count);
                var positions = new List<int>(batch.Count);
                for (var i = 0; i < batch.Count; i++)
                {
                    var p = batch[i];
                    try
                    {
                        var conversation = ChatService.Authorize(p.Caller, conversations.GetValueOrDefault(p.ConversationId), write: true);
                        ChatService.RefuseClosed(p.Caller, conversation);
                        live.Add(new LiveMessage(p.ConversationId, p.Caller.Actor, p.Caller.IsStaff ? null : p.Caller.Id, p.Body, p.InternalNote, p.ClientMessageId));
                        positions.Add(i);
                    }
                    catch (ChatException ex)
                    {
                        results[i] = new Result(null, null, ex);
                    }
                }

                var outcomes = await tickets.AppendLiveAsync(live, stopping.Token);
                await transaction.CommitAsync(stopping.Token);
                for (var j = 0; j < outcomes.Count; j++)
                {
                    var i = positions[j];
                    var outcome = outcomes[j];
                    var conversation = conversations[batch[i].ConversationId];
                    results[i] = outcome switch
                    {
                        { Written: { } written } => new Result(conversation, written, null),
                        { Error: { } error } => new Result(null, null, error),
                        { NeedsFullPath: true } => default,
                        _ => new Result(null, null, ChatException.NotFound()),
                    };
                    if (outcome.Written is { WasDuplicate: false, Message: var message })
                    {
                        var payload = JsonSerializer.SerializeToElement(ChatService.ToDto(message, outcome.PreviousPublicSeq), ChatFanout.Json);
                        var audience = message.Visibility == TicketService.Public ? ChatAudiences.Everyone : ChatAudiences.Staff;
                        envelopes.Add(new ChatEnvelope(ChatEvents.Message, audience, conversation.TicketId, conversation.CustomerId, conversation.AgentId, conversation.SupervisorId, payload, message.Seq));
                    }
                }
            }
            finally
            {
                gate?.Release();
            }
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            // Nothing of this batch was committed: every message not already refused goes the one-by-one way, which
            // reports its own error to its sender if the database really is unavailable.
            logger.LogWarning(ex, "A chat batch of {Count} messages failed; writing them one by one", batch.Count);
            envelopes.Clear();
            for (var i = 0; i < results.Length; i++)
            {
                if (results[i].Error is not ChatException)
                {
                    results[i] = default;
                }
            }
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var result = results[i];
            if (result.Error is not null)
            {
                batch[i].Done.TrySetException(result.Error);
            }
            else
            {
                batch[i].Done.TrySetResult(result.Written is null ? null : (result.Conversation!, result.Written));
            }
        }

        var writeTime = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        batch.Clear();
        await bus.PublishManyAsync(envelopes, stopping.Token);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.LogDebug("Chat batch: {Count} messages written in {WriteMs:F1} ms, published in {PublishMs:F1} ms", envelopes.Count, writeTime.TotalMilliseconds, (System.Diagnostics.Stopwatch.GetElapsedTime(started) - writeTime).TotalMilliseconds);
        }
    }

    private readonly record struct Result(ChatConversation? Conversation, TicketWriteResult? Written, Exception? Error);

    private sealed record Pending(ChatCaller Caller, long ConversationId, string? ClientMessageId, string Body, bool InternalNote)
    {
        public TaskCompletionSource<(ChatConversation, TicketWriteResult)?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
