using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;

namespace WalletDesk.HubClient;

/// <summary>
/// A client connection to an ASP.NET Core SignalR hub over WebSockets with the JSON hub protocol (version 1): negotiate,
/// handshake, invocations with completions, fire-and-forget sends, server events, pings and close.
/// Register handlers with <see cref="On{T}(string, Action{T})"/> before <see cref="StartAsync"/> so no early event is missed.
/// </summary>
/// <remarks>
/// Sends are safe from any thread. Event handlers run one at a time, in the order the server sent the events, on the
/// connection's receive loop: a handler that blocks also holds back completions, so keep them short.
/// No automatic reconnect: a closed connection stays closed (<see cref="Closed"/> says why).
/// </remarks>
public sealed class HubConnection : IAsyncDisposable
{
    private static readonly HttpMessageInvoker SharedHttp = new(new SocketsHttpHandler
    {
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    });

    private static readonly byte[] HandshakeRequest = "{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray();
    private static readonly byte[] PingRecord = "{\"type\":6}\u001e"u8.ToArray();

    private readonly HubConnectionOptions _options;
    private readonly ConcurrentDictionary<string, PendingCall> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Handler[]> _handlers = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource<HubClosedEventArgs> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClientWebSocket? _socket;
    private Task _receiveLoop = Task.CompletedTask;
    private Task _keepAliveLoop = Task.CompletedTask;
    private long _nextInvocationId;
    private long _lastSentTicks;
    private long _lastReceivedTicks;
    private int _state = (int)HubConnectionState.Created;
    private HubClosedEventArgs? _closeCause;

    public HubConnection(HubConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Raised once when the connection closes, for whatever reason (on a thread-pool thread).</summary>
    public event EventHandler<HubClosedEventArgs>? Closed;

    public HubConnectionState State => (HubConnectionState)Volatile.Read(ref _state);

    /// <summary>The server's id for this connection (from negotiate).</summary>
    public string? ConnectionId { get; private set; }

    /// <summary>Completes when the connection has closed, with the same arguments as <see cref="Closed"/>.</summary>
    public Task<HubClosedEventArgs> WhenClosed => _closed.Task;

    /// <summary>Negotiates, opens the WebSocket and completes the handshake. Throws <see cref="HubConnectionException"/> when refused.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, (int)HubConnectionState.Connecting, (int)HubConnectionState.Created) != (int)HubConnectionState.Created)
        {
            throw new InvalidOperationException("A HubConnection can be started once.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        timeout.CancelAfter(_options.HandshakeTimeout);
        try
        {
            var http = _options.HttpClient ?? SharedHttp;
            var negotiated = await Negotiation.NegotiateAsync(http, _options, timeout.Token);
            ConnectionId = negotiated.ConnectionId;
            _socket = await OpenSocketAsync(http, negotiated, timeout.Token);
            var reader = new RecordReader(_socket, _options.MaximumReceiveMessageSize);
            await _socket.SendAsync(HandshakeRequest, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            ReadHandshakeResponse(await reader.ReadAsync(timeout.Token));

            _lastSentTicks = _lastReceivedTicks = Environment.TickCount64;
            Volatile.Write(ref _state, (int)HubConnectionState.Connected);
            _receiveLoop = Task.Run(() => ReceiveLoopAsync(reader), CancellationToken.None);
            _keepAliveLoop = Task.Run(KeepAliveLoopAsync, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not HubConnectionException)
        {
            var message = timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                ? $"Connecting to {_options.Url} did not complete within {_options.HandshakeTimeout.TotalSeconds:0.#} s."
                : $"Connecting to {_options.Url} failed: {ex.Message}";
            FailStart();
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new HubConnectionException(message, _socket?.HttpStatusCode is { } code and not 0 and not HttpStatusCode.SwitchingProtocols ? code : null, ex);
        }
        catch
        {
            FailStart();
            throw;
        }
    }

    /// <summary>Calls a hub method and returns its result deserialized as <typeparamref name="T"/>. A server error throws <see cref="HubCallException"/>.</summary>
    public Task<T> InvokeAsync<T>(string method, object?[] arguments, CancellationToken cancellationToken = default) =>
        InvokeCoreAsync(method, arguments, new PendingCall<T>(method, (result, options) => result is { } r ? r.Deserialize<T>(options)! : default!), cancellationToken);

    /// <inheritdoc cref="InvokeAsync{T}(string, object?[], CancellationToken)"/>
    public Task<T> InvokeAsync<T>(string method, params object?[] arguments) => InvokeAsync<T>(method, arguments, CancellationToken.None);

    /// <summary>Calls a hub method and waits for it to complete, ignoring any result.</summary>
    public Task InvokeAsync(string method, object?[] arguments, CancellationToken cancellationToken = default) =>
        InvokeCoreAsync(method, arguments, new PendingCall<bool>(method, static (_, _) => true), cancellationToken);

    /// <inheritdoc cref="InvokeAsync(string, object?[], CancellationToken)"/>
    public Task InvokeAsync(string method, params object?[] arguments) => InvokeAsync(method, arguments, CancellationToken.None);

    /// <summary>Sends an invocation without an id: the server sends no completion, and errors are not reported back.</summary>
    public Task SendAsync(string method, object?[] arguments, CancellationToken cancellationToken = default)
    {
        EnsureConnected();
        return SendRecordAsync(Serialize(null, method, arguments), cancellationToken);
    }

    /// <inheritdoc cref="SendAsync(string, object?[], CancellationToken)"/>
    public Task SendAsync(string method, params object?[] arguments) => SendAsync(method, arguments, CancellationToken.None);

    /// <summary>Handles a server event with no arguments, or whose arguments are not needed.</summary>
    public IDisposable On(string method, Action handler) =>
        AddHandler(method, 0, _ =>
        {
            handler();
            return Task.CompletedTask;
        });

    /// <summary>Handles a server event whose first argument is deserialized as <typeparamref name="T"/>.</summary>
    public IDisposable On<T>(string method, Action<T> handler) =>
        AddHandler(method, 1, args =>
        {
            handler(Argument<T>(args[0]));
            return Task.CompletedTask;
        });

    /// <inheritdoc cref="On{T}(string, Action{T})"/>
    public IDisposable On<T>(string method, Func<T, Task> handler) => AddHandler(method, 1, args => handler(Argument<T>(args[0])));

    /// <summary>Handles a server event with two arguments.</summary>
    public IDisposable On<T1, T2>(string method, Action<T1, T2> handler) =>
        AddHandler(method, 2, args =>
        {
            handler(Argument<T1>(args[0]), Argument<T2>(args[1]));
            return Task.CompletedTask;
        });

    /// <summary>Handles a server event with its raw arguments (copies that stay valid after the handler returns).</summary>
    public IDisposable On(string method, Func<JsonElement[], Task> handler) =>
        AddHandler(method, 0, args => handler([.. args.Select(a => a.Clone())]));

    /// <summary>Closes the connection: a WebSocket close, then waits for the server's close up to <see cref="HubConnectionOptions.CloseTimeout"/>.</summary>
    public async Task StopAsync()
    {
        if (State == HubConnectionState.Connected && SetCause(new HubClosedEventArgs("Closed by the client.", null, null, initiatedByClient: true, allowReconnect: false)))
        {
            try
            {
                using var timeout = new CancellationTokenSource(_options.CloseTimeout);
                await _sendLock.WaitAsync(timeout.Token);
                try
                {
                    await _socket!.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                }
                finally
                {
                    _sendLock.Release();
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                _socket!.Abort();
            }
        }

        if (await Task.WhenAny(_receiveLoop, Task.Delay(_options.CloseTimeout)) != _receiveLoop)
        {
            _socket?.Abort();
        }

        await _receiveLoop;
        await _keepAliveLoop;
    }

    public async ValueTask DisposeAsync()
    {
        if (State == HubConnectionState.Created)
        {
            FailStart();
        }

        await StopAsync();
        _socket?.Dispose();
    }

    private async Task<ClientWebSocket> OpenSocketAsync(HttpMessageInvoker http, Negotiation.Result negotiated, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        _socket = socket; // so a refused upgrade can report its status code
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = Timeout.InfiniteTimeSpan; // hub pings do this job
        foreach (var (name, value) in _options.Headers)
        {
            socket.Options.SetRequestHeader(name, value);
        }

        await socket.ConnectAsync(Negotiation.WebSocketUrl(negotiated.Url, negotiated.ConnectionToken, negotiated.AccessToken), http, cancellationToken);
        return socket;
    }

    private void ReadHandshakeResponse(ReadOnlyMemory<byte>? record)
    {
        if (record is not { } bytes)
        {
            throw new HubConnectionException("The server closed the connection during the handshake.");
        }

        using var response = JsonDocument.Parse(bytes);
        if (response.RootElement.TryGetProperty("error", out var error))
        {
            throw new HubConnectionException($"The server refused the handshake: {error.GetString()}");
        }
    }

    private void FailStart()
    {
        Volatile.Write(ref _state, (int)HubConnectionState.Closed);
        _socket?.Abort();
        _lifetime.Cancel();
        var cause = new HubClosedEventArgs("The connection was never established.", null, null, initiatedByClient: true, allowReconnect: false);
        _closeCause ??= cause;
        _closed.TrySetResult(cause);
    }

    private async Task ReceiveLoopAsync(RecordReader reader)
    {
        try
        {
            while (await reader.ReadAsync(_lifetime.Token) is { } record)
            {
                Volatile.Write(ref _lastReceivedTicks, Environment.TickCount64);
                if (!await ProcessAsync(record))
                {
                    break;
                }
            }

            SetCause(new HubClosedEventArgs("The server closed the connection.", null, null, initiatedByClient: false, allowReconnect: false));
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or JsonException or InvalidDataException or IOException)
        {
            SetCause(new HubClosedEventArgs($"The connection was lost: {ex.Message}", null, ex, initiatedByClient: false, allowReconnect: false));
        }

        await FinishAsync();
    }

    /// <returns>False once the server sent its close message.</returns>
    private async ValueTask<bool> ProcessAsync(ReadOnlyMemory<byte> record)
    {
        using var message = JsonDocument.Parse(record);
        var root = message.RootElement;
        switch (root.GetProperty("type").GetInt32())
        {
            case MessageTypes.Invocation:
                await DispatchAsync(root);
                return true;
            case MessageTypes.Completion:
                Complete(root);
                return true;
            case MessageTypes.Close:
                var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                var allowReconnect = root.TryGetProperty("allowReconnect", out var a) && a.ValueKind == JsonValueKind.True;
                SetCause(new HubClosedEventArgs(
                    error is null ? "The server closed the connection." : $"The server closed the connection: {error}", error, null, initiatedByClient: false, allowReconnect));
                return false;
            default:
                // Ping (only proves the server is alive) and the stream and stateful-reconnect messages this client never asks for.
                return true;
        }
    }

    private async Task DispatchAsync(JsonElement invocation)
    {
        var target = invocation.GetProperty("target").GetString()!;
        if (invocation.TryGetProperty("invocationId", out var id) && id.ValueKind == JsonValueKind.String)
        {
            // The server awaits a client result; this client never offers one, so it must say so or the server waits forever.
            _ = SendQuietlyAsync(SerializeCompletionError(id.GetString()!, "Client did not provide a result."));
        }

        Handler[]? handlers;
        lock (_handlers)
        {
            _handlers.TryGetValue(target, out handlers);
        }

        if (handlers is null)
        {
            return;
        }

        var arguments = invocation.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.Array ? [.. a.EnumerateArray()] : Array.Empty<JsonElement>();
        foreach (var handler in handlers)
        {
            try
            {
                if (arguments.Length < handler.ArgumentCount)
                {
                    throw new InvalidDataException($"'{target}' arrived with {arguments.Length} argument(s); the handler needs {handler.ArgumentCount}.");
                }

                await handler.Invoke(arguments);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _options.HandlerError?.Invoke(target, ex);
            }
        }
    }

    private void Complete(JsonElement completion)
    {
        var id = completion.GetProperty("invocationId").GetString()!;
        if (!_pending.TryRemove(id, out var call))
        {
            return; // The caller gave up (cancelled) before the answer came.
        }

        if (completion.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
        {
            call.Fail(new HubCallException(call.Method, error.GetString()!));
            return;
        }

        try
        {
            call.Succeed(completion.TryGetProperty("result", out var result) ? result : null, _options.SerializerOptions);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            call.Fail(new InvalidDataException($"The result of '{call.Method}' could not be read: {ex.Message}", ex));
        }
    }

    private async Task<T> InvokeCoreAsync<T>(string method, object?[] arguments, PendingCall<T> call, CancellationToken cancellationToken)
    {
        EnsureConnected();
        var id = Interlocked.Increment(ref _nextInvocationId).ToString(CultureInfo.InvariantCulture);
        var record = Serialize(id, method, arguments);
        _pending[id] = call;
        if (State != HubConnectionState.Connected)
        {
            // Closed between the check and the registration; FinishAsync may already have swept the pending calls.
            _pending.TryRemove(id, out _);
            throw Disconnected();
        }

        try
        {
            await SendRecordAsync(record, cancellationToken);
        }
        catch
        {
            _pending.TryRemove(id, out _);
            throw;
        }

        if (!cancellationToken.CanBeCanceled)
        {
            return await call.Task;
        }

        await using (cancellationToken.Register(() =>
        {
            if (_pending.TryRemove(id, out var removed))
            {
                removed.Cancel(cancellationToken);
            }
        }))
        {
            return await call.Task;
        }
    }

    private async Task SendQuietlyAsync(ReadOnlyMemory<byte> record)
    {
        try
        {
            await SendRecordAsync(record, CancellationToken.None);
        }
        catch (HubConnectionException)
        {
            // The receive loop reports the loss.
        }
    }

    private async Task SendRecordAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        // The caller's token only limits waiting for the lock: cancelling a WebSocket send would abort the whole socket.
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token) : null;
        try
        {
            await _sendLock.WaitAsync(linked?.Token ?? _lifetime.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Disconnected();
        }

        try
        {
            await _socket!.SendAsync(record, WebSocketMessageType.Text, endOfMessage: true, _lifetime.Token);
            Volatile.Write(ref _lastSentTicks, Environment.TickCount64);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            throw Disconnected(ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task KeepAliveLoopAsync()
    {
        var tick = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 10, Math.Min(_options.KeepAliveInterval.Ticks, _options.ServerTimeout.Ticks) / 4));
        using var timer = new PeriodicTimer(tick);
        try
        {
            while (await timer.WaitForNextTickAsync(_lifetime.Token))
            {
                var now = Environment.TickCount64;
                if (now - Volatile.Read(ref _lastReceivedTicks) > _options.ServerTimeout.TotalMilliseconds)
                {
                    SetCause(new HubClosedEventArgs(
                        $"Nothing arrived from the server within the server timeout ({_options.ServerTimeout.TotalSeconds:0.###} s).", null, new TimeoutException(), initiatedByClient: false, allowReconnect: false));
                    _socket!.Abort();
                    return;
                }

                if (now - Volatile.Read(ref _lastSentTicks) >= _options.KeepAliveInterval.TotalMilliseconds)
                {
                    await SendQuietlyAsync(PingRecord);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Closed.
        }
    }

    private async Task FinishAsync()
    {
        Volatile.Write(ref _state, (int)HubConnectionState.Closed);
        await _lifetime.CancelAsync();
        var cause = _closeCause!;
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var call))
            {
                call.Fail(new HubConnectionException($"The connection closed before '{call.Method}' was answered. {cause.Reason}", null, cause.Exception));
            }
        }

        if (_socket!.State is WebSocketState.CloseReceived or WebSocketState.Open && !cause.InitiatedByClient)
        {
            // Answer the server's close politely; it does not matter if that fails.
            try
            {
                using var timeout = new CancellationTokenSource(_options.CloseTimeout);
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
            {
                _socket.Abort();
            }
        }

        try
        {
            Closed?.Invoke(this, cause);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _options.HandlerError?.Invoke(nameof(Closed), ex);
        }

        _closed.TrySetResult(cause);
    }

    /// <summary>Records the first reason the connection ended; later ones are effects of the first.</summary>
    private bool SetCause(HubClosedEventArgs cause) => Interlocked.CompareExchange(ref _closeCause, cause, null) is null;

    private void EnsureConnected()
    {
        if (State != HubConnectionState.Connected)
        {
            throw Disconnected();
        }
    }

    private HubConnectionException Disconnected(Exception? inner = null) =>
        new(State == HubConnectionState.Closed || _closeCause is not null
            ? $"The connection is closed. {_closeCause?.Reason}"
            : "The connection is not started.", null, inner ?? _closeCause?.Exception);

    private IDisposable AddHandler(string method, int argumentCount, Func<JsonElement[], Task> invoke)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        var handler = new Handler(argumentCount, invoke);
        lock (_handlers)
        {
            _handlers[method] = _handlers.TryGetValue(method, out var existing) ? [.. existing, handler] : [handler];
        }

        return new Subscription(() =>
        {
            lock (_handlers)
            {
                if (_handlers.TryGetValue(method, out var existing))
                {
                    var remaining = existing.Where(h => h != handler).ToArray();
                    if (remaining.Length == 0)
                    {
                        _handlers.Remove(method);
                    }
                    else
                    {
                        _handlers[method] = remaining;
                    }
                }
            }
        });
    }

    private T Argument<T>(JsonElement argument) => argument.Deserialize<T>(_options.SerializerOptions)!;

    private byte[] Serialize(string? invocationId, string method, object?[] arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("type", MessageTypes.Invocation);
            if (invocationId is not null)
            {
                writer.WriteString("invocationId", invocationId);
            }

            writer.WriteString("target", method);
            writer.WriteStartArray("arguments");
            foreach (var argument in arguments ?? [null])
            {
                if (argument is CancellationToken)
                {
                    throw new ArgumentException("A CancellationToken was passed as a hub argument; pass the arguments as an array to give a token.", nameof(arguments));
                }

                JsonSerializer.Serialize(writer, argument, argument?.GetType() ?? typeof(object), _options.SerializerOptions);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return [.. buffer.WrittenSpan, RecordReader.Separator];
    }

    private static byte[] SerializeCompletionError(string invocationId, string error)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("type", MessageTypes.Completion);
            writer.WriteString("invocationId", invocationId);
            writer.WriteString("error", error);
            writer.WriteEndObject();
        }

        return [.. buffer.WrittenSpan, RecordReader.Separator];
    }

    private static class MessageTypes
    {
        public const int Invocation = 1;
        public const int Completion = 3;
        public const int Close = 7;
    }

    private sealed record Handler(int ArgumentCount, Func<JsonElement[], Task> Invoke);

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }

    private abstract class PendingCall(string method)
    {
        public string Method { get; } = method;

        public abstract void Succeed(JsonElement? result, JsonSerializerOptions options);

        public abstract void Fail(Exception exception);

        public abstract void Cancel(CancellationToken cancellationToken);
    }

    private sealed class PendingCall<T>(string method, Func<JsonElement?, JsonSerializerOptions, T> read) : PendingCall(method)
    {
        private readonly TaskCompletionSource<T> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _result.Task;

        public override void Succeed(JsonElement? result, JsonSerializerOptions options) => _result.TrySetResult(read(result, options));

        public override void Fail(Exception exception) => _result.TrySetException(exception);

        public override void Cancel(CancellationToken cancellationToken) => _result.TrySetCanceled(cancellationToken);
    }
}
