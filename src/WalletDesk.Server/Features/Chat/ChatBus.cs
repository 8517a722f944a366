using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using WalletDesk.Server.Data;

namespace WalletDesk.Server.Features.Chat;

/// <summary>Who an event goes to.</summary>
public static class ChatAudiences
{
    /// <summary>The customer and the staff on the conversation.</summary>
    public const string Everyone = "all";
    public const string Staff = "staff";
    public const string Customer = "customer";

    /// <summary>One agent (<see cref="ChatEnvelope.AgentId"/>).</summary>
    public const string Agent = "agent";

    /// <summary>Every connected agent (queue changes).</summary>
    public const string Agents = "agents";
}

/// <summary>
/// One real-time event on its way to the connections that should see it, possibly on another server process.
/// The database already holds whatever the event reports; a lost envelope costs only latency (clients resync by sequence).
/// </summary>
public sealed record ChatEnvelope(
    string Kind,
    string Audience,
    long ConversationId,
    Guid CustomerId,
    Guid? AgentId,
    Guid? SupervisorId,
    JsonElement? Payload,
    int? Seq = null);

/// <summary>Carries chat events to every server process (in-process for SQLite, LISTEN/NOTIFY on PostgreSQL).</summary>
public interface IChatBus
{
    Task PublishAsync(ChatEnvelope envelope, CancellationToken cancellationToken = default);

    /// <summary>Publishes several envelopes in order, in one round trip where the transport allows.</summary>
    Task PublishManyAsync(IReadOnlyList<ChatEnvelope> envelopes, CancellationToken cancellationToken = default);
}

/// <summary>Hub group names; group membership is decided by the server only.</summary>
public static class ChatGroups
{
    public const string Agents = "agents";

    public static string Customer(Guid customerId) => $"c:{customerId:N}";

    public static string Staff(Guid staffId) => $"a:{staffId:N}";

    public static string Watchers(long conversationId) => $"w:{conversationId}";
}

/// <summary>Delivers an envelope to the connections of this process.</summary>
public sealed class ChatFanout(IHubContext<ChatHub> hub, IServiceScopeFactory scopes, ILogger<ChatFanout> logger)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task DeliverAsync(ChatEnvelope envelope, CancellationToken cancellationToken)
    {
        var payload = envelope.Payload;
        if (payload is null && envelope is { Kind: ChatEvents.Message, Seq: { } seq })
        {
            // Too big for a notification: read the message itself.
            await using var scope = scopes.CreateAsyncScope();
            var message = await scope.ServiceProvider.GetRequiredService<ChatService>().LoadMessageAsync(envelope.ConversationId, seq, cancellationToken);
            if (message is null)
            {
                return;
            }

            payload = JsonSerializer.SerializeToElement(message, Json);
        }

        var groups = new List<string>(4);
        switch (envelope.Audience)
        {
            case ChatAudiences.Agents:
                groups.Add(ChatGroups.Agents);
                break;
            case ChatAudiences.Agent when envelope.AgentId is { } agent:
                groups.Add(ChatGroups.Staff(agent));
                break;
            case ChatAudiences.Customer:
                groups.Add(ChatGroups.Customer(envelope.CustomerId));
                break;
            default:
                if (envelope.Audience == ChatAudiences.Everyone)
                {
                    groups.Add(ChatGroups.Customer(envelope.CustomerId));
                }

                groups.Add(ChatGroups.Watchers(envelope.ConversationId));
                if (envelope.AgentId is { } assigned)
                {
                    groups.Add(ChatGroups.Staff(assigned));
                }

                if (envelope.SupervisorId is { } supervisor && supervisor != envelope.AgentId)
                {
                    groups.Add(ChatGroups.Staff(supervisor));
                }

                break;
        }

        try
        {
            await hub.Clients.Groups(groups).SendAsync(envelope.Kind, payload, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Chat fan-out of {Kind} for conversation {ConversationId} failed", envelope.Kind, envelope.ConversationId);
        }
    }

    /// <summary>Tells every client of this process to resume from its last sequence number (events may have been missed).</summary>
    public Task ResyncAllAsync(CancellationToken cancellationToken) => hub.Clients.All.SendAsync(ChatEvents.Resync, new { }, cancellationToken);
}

/// <summary>One process: deliver directly.</summary>
public sealed class LocalChatBus(ChatFanout fanout) : IChatBus
{
    public Task PublishAsync(ChatEnvelope envelope, CancellationToken cancellationToken = default) => fanout.DeliverAsync(envelope, cancellationToken);

    public async Task PublishManyAsync(IReadOnlyList<ChatEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        foreach (var envelope in envelopes)
        {
            await fanout.DeliverAsync(envelope, cancellationToken);
        }
    }
}

/// <summary>
/// Several processes on one PostgreSQL: events travel as NOTIFY on <see cref="Channel"/>; every process (the sender too)
/// LISTENs and delivers to its own connections. When the listening connection drops, the process reconnects with backoff,
/// reports itself degraded, and on recovery tells its clients to resync so nothing is silently lost.
/// </summary>
public sealed class PostgresChatBus(ConnectionSettings settings, ChatFanout fanout, ILogger<PostgresChatBus> logger) : BackgroundService, IChatBus, IHealthCheck
{
    public const string Channel = "walletdesk_chat";

    /// <summary>PostgreSQL's limit is 8000 bytes; bigger events go by reference.</summary>
    private const int MaxPayloadBytes = 7800;

    private readonly Lazy<NpgsqlDataSource> source = new(() => NpgsqlDataSource.Create(settings.ConnectionString));
    private readonly Channel<string> received = System.Threading.Channels.Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private volatile bool listening;

    public Task PublishAsync(ChatEnvelope envelope, CancellationToken cancellationToken = default) => PublishManyAsync([envelope], cancellationToken);

    public async Task PublishManyAsync(IReadOnlyList<ChatEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        if (envelopes.Count == 0)
        {
            return;
        }

        try
        {
            // One round trip for the lot; PostgreSQL delivers notifications of one transaction in order.
            await using var batch = dataSource.CreateBatch();
            foreach (var envelope in envelopes)
            {
                var json = JsonSerializer.Serialize(envelope, ChatFanout.Json);
                if (Encoding.UTF8.GetByteCount(json) > MaxPayloadBytes)
                {
                    json = JsonSerializer.Serialize(envelope with { Payload = null }, ChatFanout.Json);
                }

                var command = new NpgsqlBatchCommand("SELECT pg_notify($1, $2)");
                command.Parameters.Add(new NpgsqlParameter { Value = Channel });
                command.Parameters.Add(new NpgsqlParameter { Value = json });
                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            // The messages are committed; receivers catch up through resync when the fan-out comes back.
            logger.LogWarning(ex, "Chat fan-out notify failed for {Count} events (first: {Kind} on conversation {ConversationId})", envelopes.Count, envelopes[0].Kind, envelopes[0].ConversationId);
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(listening || !settings.IsPostgres ? HealthCheckResult.Healthy() : HealthCheckResult.Degraded("Chat fan-out (PostgreSQL LISTEN) is not connected; live updates are delayed."));

    private NpgsqlDataSource dataSource => source.Value;

    public override void Dispose()
    {
        if (source.IsValueCreated)
        {
            source.Value.Dispose();
        }

        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.IsPostgres)
        {
            // One process on SQLite: events are delivered in-process by LocalChatBus.
            return;
        }

        var deliver = DeliverLoopAsync(stoppingToken);
        var delay = TimeSpan.FromMilliseconds(250);
        var hadOutage = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, args) => received.Writer.TryWrite(args.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                listening = true;
                delay = TimeSpan.FromMilliseconds(250);
                if (hadOutage)
                {
                    logger.LogWarning("Chat fan-out reconnected; asking clients to resync");
                    received.Writer.TryWrite("");
                    hadOutage = false;
                }

                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(TimeSpan.FromSeconds(30), stoppingToken);
                    if (!await PingAsync(connection, stoppingToken))
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                if (listening || !hadOutage)
                {
                    logger.LogError(ex, "Chat fan-out lost its PostgreSQL LISTEN connection; live updates between server processes are paused until it returns");
                }

                listening = false;
                hadOutage = true;
                try
                {
                    await Task.Delay(delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 250)), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }

        listening = false;
        received.Writer.TryComplete();
        await deliver;
    }

    private static async Task<bool> PingAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var ping = new NpgsqlCommand("SELECT 1", connection);
        await ping.ExecuteScalarAsync(cancellationToken);
        return true;
    }

    private async Task DeliverLoopAsync(CancellationToken stoppingToken)
    {
        await foreach (var json in received.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                if (json.Length == 0)
                {
                    await fanout.ResyncAllAsync(stoppingToken);
                    continue;
                }

                var envelope = JsonSerializer.Deserialize<ChatEnvelope>(json, ChatFanout.Json);
                if (envelope is not null)
                {
                    await fanout.DeliverAsync(envelope, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                logger.LogWarning(ex, "Ignored a malformed chat notification");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
