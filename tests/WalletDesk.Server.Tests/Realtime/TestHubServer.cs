using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using WalletDesk.HubClient;

namespace WalletDesk.Server.Tests.Realtime;

/// <summary>
/// A throwaway Kestrel server on 127.0.0.1 with a small SignalR hub (<c>/hubs/test</c>, and <c>/hubs/secure</c> which
/// wants the token "good"), plus <c>/raw</c>: a hand-written hub endpoint whose behaviour each test scripts, for what a
/// real hub will not do on demand (stay silent, split records, refuse the handshake).
/// </summary>
internal sealed class TestHubServer : IAsyncDisposable
{
    public const string ForeignOrigin = "https://evil.example";

    private readonly WebApplication _app;

    private TestHubServer(WebApplication app, HubEvents events)
    {
        _app = app;
        Events = events;
    }

    public HubEvents Events { get; }

    public string BaseUrl { get; private set; } = "";

    /// <summary>What <c>/raw</c> does after the WebSocket is accepted (the handshake is up to the script).</summary>
    public Func<RawPeer, Task> RawScript { get; set; } = peer => peer.AcceptHandshakeAsync();

    public ConcurrentQueue<string> NegotiateAuthorizations { get; } = new();

    public static async Task<TestHubServer> StartAsync(TimeSpan? serverKeepAlive = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSignalR(o =>
        {
            o.MaximumParallelInvocationsPerClient = 4;
            o.MaximumReceiveMessageSize = 1024 * 1024;
            if (serverKeepAlive is { } keepAlive)
            {
                o.KeepAliveInterval = keepAlive;
            }
        });
        var events = new HubEvents();
        builder.Services.AddSingleton(events);
        var app = builder.Build();
        var server = new TestHubServer(app, events);
        app.UseWebSockets();
        app.Use(server.GuardAsync);
        app.MapHub<TestHub>("/hubs/test");
        app.MapHub<TestHub>("/hubs/secure");
        app.MapPost("/raw/negotiate", () => Results.Text(
            """{"negotiateVersion":1,"connectionId":"raw-1","connectionToken":"raw-token","availableTransports":[{"transport":"WebSockets","transferFormats":["Text","Binary"]}]}""",
            "application/json"));
        app.Map("/raw", server.RunRawAsync);
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
    }

    public HubConnection Connect(string path = "/hubs/test", Action<HubConnectionOptions>? configure = null)
    {
        var options = new HubConnectionOptions(new Uri(BaseUrl + path)) { HandshakeTimeout = TimeSpan.FromSeconds(20) };
        configure?.Invoke(options);
        return new HubConnection(options);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Stands in for an origin check and for authentication: what the real server does before a hub sees the connection.</summary>
    private async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        if (context.WebSockets.IsWebSocketRequest && context.Request.Headers.Origin == ForeignOrigin)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        if (context.Request.Path.StartsWithSegments("/hubs/secure"))
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            if (context.Request.Path.Value!.EndsWith("/negotiate", StringComparison.Ordinal))
            {
                NegotiateAuthorizations.Enqueue(authorization);
            }

            if (authorization != "Bearer good" && context.Request.Query["access_token"] != "good")
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }
        }

        await next(context);
    }

    private async Task RunRawAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest || context.Request.Query["id"] != "raw-token")
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var peer = new RawPeer(socket);
        try
        {
            await RawScript(peer);
            await peer.WaitForClientToCloseAsync();
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away mid-script; the test reads what happened from the client side.
        }
    }
}

/// <summary>What the hub saw, for tests to await instead of sleeping.</summary>
internal sealed class HubEvents
{
    public ConcurrentDictionary<string, HubCallerContext> Connections { get; } = new();

    public Channel<string> Recorded { get; } = Channel.CreateUnbounded<string>();

    public Channel<(string ConnectionId, Exception? Error)> Disconnected { get; } = Channel.CreateUnbounded<(string, Exception?)>();

    public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<int> Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal sealed record Person(string Name, int Age);

internal sealed record Greeting(string Message, int NextAge, DateTimeOffset? When = null);

internal sealed record Echoed(string Text, int Length);

internal sealed class TestHub(HubEvents events) : Hub
{
    public int Add(int a, int b) => a + b;

    public Greeting Greet(Person person) => new($"Hello {person.Name}", person.Age + 1);

    public void Fail(string message) => throw new HubException(message);

    public void Crash() => throw new InvalidOperationException("connection string Password=hunter2");

    public Task Echo(string text) => Clients.Caller.SendAsync("echoed", new Echoed(text, text.Length));

    public Task Pair(string text, int number) => Clients.Caller.SendAsync("pair", text, number);

    public Task Nothing() => Clients.Caller.SendAsync("nothing");

    public async Task Record(string text) => await events.Recorded.Writer.WriteAsync(text);

    public string WhoAmI()
    {
        var request = Context.GetHttpContext()!.Request;
        return $"origin={request.Headers.Origin}; cookie={request.Headers.Cookie}; token={request.Query["access_token"]}";
    }

    public async Task<int> WaitForRelease()
    {
        events.Waiting.TrySetResult();
        return await events.Release.Task;
    }

    public override Task OnConnectedAsync()
    {
        if (Context.GetHttpContext()!.Request.Query.ContainsKey("refuse"))
        {
            throw new HubException("Go away, you are not welcome.");
        }

        events.Connections[Context.ConnectionId] = Context;
        return Task.CompletedTask;
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        events.Connections.TryRemove(Context.ConnectionId, out _);
        await events.Disconnected.Writer.WriteAsync((Context.ConnectionId, exception));
    }
}

/// <summary>The server side of one <c>/raw</c> WebSocket: read and write hub protocol records by hand.</summary>
internal sealed class RawPeer(WebSocket socket)
{
    private readonly List<byte> _pending = [];

    public WebSocket Socket => socket;

    /// <summary>The next record from the client (without the 0x1E), or null when it closed.</summary>
    public async Task<string?> ReadRecordAsync()
    {
        var buffer = new byte[8192];
        while (true)
        {
            var separator = _pending.IndexOf(0x1e);
            if (separator >= 0)
            {
                var record = Encoding.UTF8.GetString([.. _pending.Take(separator)]);
                _pending.RemoveRange(0, separator + 1);
                return record;
            }

            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            _pending.AddRange(buffer.AsSpan(0, result.Count));
        }
    }

    public async Task AcceptHandshakeAsync()
    {
        var handshake = await ReadRecordAsync();
        handshake.ShouldBe("""{"protocol":"json","version":1}""");
        await SendAsync("{}\u001e");
    }

    /// <summary>Sends text as one WebSocket message (it may hold several records, or part of one).</summary>
    public Task SendAsync(string text) => socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    public async Task WaitForClientToCloseAsync()
    {
        while (socket.State == WebSocketState.Open && await ReadRecordAsync() is not null)
        {
        }

        if (socket.State == WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
    }
}
