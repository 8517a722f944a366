using System.Text.Json;
using WalletDesk.HubClient;

namespace WalletDesk.Server.Tests.Realtime;

/// <summary>
/// How a hub client connection ends and stays alive: closing by either side, pings both ways, server timeout, the
/// handshake, and records split or packed across WebSocket frames. The <c>/raw</c> endpoint plays the server where a real
/// hub cannot be made to misbehave on demand.
/// </summary>
public sealed class HubConnectionLifetimeTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private TestHubServer _server = null!;

    public async Task InitializeAsync() => _server = await TestHubServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Dispose_ClosesGracefully_ServerSeesACleanDisconnect()
    {
        var connection = _server.Connect();
        HubClosedEventArgs? raised = null;
        connection.Closed += (_, e) => raised = e;
        await connection.StartAsync();
        var id = connection.ConnectionId;

        await connection.DisposeAsync();

        var (disconnected, error) = await _server.Events.Disconnected.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        disconnected.ShouldBe(id);
        error.ShouldBeNull("a WebSocket close is a clean disconnect for the server");
        raised.ShouldNotBeNull().InitiatedByClient.ShouldBeTrue();
        connection.State.ShouldBe(HubConnectionState.Closed);
        await Should.ThrowAsync<HubConnectionException>(() => connection.InvokeAsync<int>("Add", 1, 2));
    }

    [Fact]
    public async Task ServerAbortsTheConnection_ClosedRaisedAndPendingCallFails()
    {
        await using var connection = _server.Connect();
        var raised = new TaskCompletionSource<HubClosedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += (_, e) => raised.TrySetResult(e);
        await connection.StartAsync();
        var pending = connection.InvokeAsync<int>("WaitForRelease");
        await _server.Events.Waiting.Task.WaitAsync(Patience);

        _server.Events.Connections[connection.ConnectionId!].Abort();

        var closed = await raised.Task.WaitAsync(Patience);
        closed.InitiatedByClient.ShouldBeFalse();
        closed.Reason.ShouldNotBeNullOrWhiteSpace();
        (await connection.WhenClosed).ShouldBeSameAs(closed);
        var failure = await Should.ThrowAsync<HubConnectionException>(() => pending);
        failure.Message.ShouldContain("WaitForRelease");
    }

    [Fact]
    public async Task ServerRefusesInOnConnected_ClosedCarriesTheServersError()
    {
        await using var connection = _server.Connect("/hubs/test?refuse=1");

        await connection.StartAsync(); // the handshake succeeds; the hub then closes with an error
        var closed = await connection.WhenClosed.WaitAsync(Patience);

        closed.ServerError.ShouldNotBeNull().ShouldContain("Go away, you are not welcome.");
        closed.Reason.ShouldContain("Go away");
        closed.InitiatedByClient.ShouldBeFalse();
    }

    [Fact]
    public async Task IdleClient_SendsPings_AndServerPingsKeepItOpen()
    {
        var clientPings = 0;
        var seenEnough = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.RawScript = async peer =>
        {
            await peer.AcceptHandshakeAsync();
            using var stop = new CancellationTokenSource();
            var serverPings = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
                while (await timer.WaitForNextTickAsync(stop.Token))
                {
                    await peer.SendAsync("{\"type\":6}\u001e");
                }
            });
            while (await peer.ReadRecordAsync() is { } record)
            {
                if (record == """{"type":6}""" && ++clientPings == 15)
                {
                    seenEnough.TrySetResult(clientPings);
                }
            }

            await stop.CancelAsync();
            await serverPings.ContinueWith(_ => { }, TaskScheduler.Default);
        };
        await using var connection = _server.Connect("/raw", o =>
        {
            o.KeepAliveInterval = TimeSpan.FromMilliseconds(100);
            o.ServerTimeout = TimeSpan.FromSeconds(1);
        });
        string? closedReason = null;
        connection.Closed += (_, e) => closedReason = e.Reason;
        await connection.StartAsync();

        (await seenEnough.Task.WaitAsync(Patience)).ShouldBe(15);

        // 15 client pings at 100 ms spacing span more than the 1 s server timeout: only the server's pings kept it open.
        connection.State.ShouldBe(HubConnectionState.Connected, closedReason);
    }

    [Fact]
    public async Task SilentServer_ServerTimeoutClosesTheConnection()
    {
        _server.RawScript = peer => peer.AcceptHandshakeAsync(); // then says nothing, not even pings
        await using var connection = _server.Connect("/raw", o => o.ServerTimeout = TimeSpan.FromMilliseconds(300));
        await connection.StartAsync();

        var closed = await connection.WhenClosed.WaitAsync(Patience);

        closed.Reason.ShouldContain("server timeout");
        closed.Exception.ShouldBeOfType<TimeoutException>();
        closed.InitiatedByClient.ShouldBeFalse();
    }

    [Fact]
    public async Task ServerCloseMessage_ClosedCarriesErrorAndAllowReconnect_PendingCallFails()
    {
        var invoked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.RawScript = async peer =>
        {
            await peer.AcceptHandshakeAsync();
            var invocation = await peer.ReadRecordAsync();
            invocation.ShouldNotBeNull().ShouldContain("\"target\":\"Anything\"");
            invoked.SetResult();
            await peer.SendAsync("""{"type":7,"error":"Server is shutting down.","allowReconnect":true}""" + "\u001e");
        };
        await using var connection = _server.Connect("/raw");
        await connection.StartAsync();

        var pending = connection.InvokeAsync<int>("Anything");
        var closed = await connection.WhenClosed.WaitAsync(Patience);

        closed.ServerError.ShouldBe("Server is shutting down.");
        closed.AllowReconnect.ShouldBeTrue();
        closed.Reason.ShouldBe("The server closed the connection: Server is shutting down.");
        (await Should.ThrowAsync<HubConnectionException>(() => pending)).Message.ShouldContain("Server is shutting down.");
    }

    [Fact]
    public async Task HandshakeRefused_StartThrowsWithTheServersError()
    {
        _server.RawScript = async peer =>
        {
            await peer.ReadRecordAsync();
            await peer.SendAsync("""{"error":"Requested protocol 'json' is not available."}""" + "\u001e");
        };
        await using var connection = _server.Connect("/raw");

        var error = await Should.ThrowAsync<HubConnectionException>(() => connection.StartAsync());

        error.Message.ShouldContain("Requested protocol 'json' is not available.");
        connection.State.ShouldBe(HubConnectionState.Closed);
    }

    [Fact]
    public async Task RecordsPackedAndSplitAcrossFrames_AllArriveInOrder()
    {
        var big = new string('z', 100_000);
        _server.RawScript = async peer =>
        {
            await peer.ReadRecordAsync();
            // The handshake answer and two events in one frame, then one event cut in three frames.
            await peer.SendAsync("{}\u001e" + Event("a") + Event("b"));
            var split = Event(big);
            await peer.SendAsync(split[..10]);
            await peer.SendAsync(split[10..50_000]);
            await peer.SendAsync(split[50_000..] + Event("c"));
        };
        var seen = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var connection = _server.Connect("/raw");
        connection.On<string>("letter", text =>
        {
            seen.Add(text);
            if (text == "c")
            {
                done.TrySetResult();
            }
        });
        await connection.StartAsync();

        await done.Task.WaitAsync(Patience);

        seen.ShouldBe(["a", "b", big, "c"]);

        static string Event(string text) => JsonSerializer.Serialize(new { type = 1, target = "letter", arguments = new[] { text } }) + "\u001e";
    }

    [Fact]
    public async Task ServerAsksForAClientResult_ClientAnswersWithAnError()
    {
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.RawScript = async peer =>
        {
            await peer.AcceptHandshakeAsync();
            await peer.SendAsync("""{"type":1,"invocationId":"s1","target":"GetLocation","arguments":[]}""" + "\u001e");
            answer.SetResult(await peer.ReadRecordAsync());
        };
        await using var connection = _server.Connect("/raw");
        await connection.StartAsync();

        var record = await answer.Task.WaitAsync(Patience);

        record.ShouldBe("""{"type":3,"invocationId":"s1","error":"Client did not provide a result."}""");
    }
}
