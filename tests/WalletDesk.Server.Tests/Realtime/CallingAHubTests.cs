using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using WalletDesk.HubClient;

namespace WalletDesk.Server.Tests.Realtime;

/// <summary>The test/bench hub client against a real ASP.NET Core SignalR hub: calls, results, errors, server events, headers.</summary>
public sealed class CallingAHubTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private TestHubServer _server = null!;

    public async Task InitializeAsync() => _server = await TestHubServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Invoke_MethodWithResult_ReturnsDeserializedResult()
    {
        await using var connection = _server.Connect();
        await connection.StartAsync();

        (await connection.InvokeAsync<int>("Add", 2, 40)).ShouldBe(42);
        var greeting = await connection.InvokeAsync<Greeting>("Greet", new Person("Mei", 30));
        greeting.ShouldBe(new Greeting("Hello Mei", 31));
        connection.ConnectionId.ShouldNotBeNullOrEmpty();
        _server.Events.Connections.ShouldContainKey(connection.ConnectionId!);
    }

    [Fact]
    public async Task Invoke_MethodWithoutResult_CompletesAfterTheServerRanIt()
    {
        await using var connection = _server.Connect();
        await connection.StartAsync();

        await connection.InvokeAsync("Record", "stored");

        _server.Events.Recorded.Reader.TryRead(out var recorded).ShouldBeTrue("the completion arrives only after the method ran");
        recorded.ShouldBe("stored");
    }

    [Fact]
    public async Task Invoke_HubException_ThrowsHubCallExceptionWithTheServersMessage()
    {
        await using var connection = _server.Connect();
        await connection.StartAsync();

        var error = await Should.ThrowAsync<HubCallException>(() => connection.InvokeAsync("Fail", "Conversation not found."));

        error.Method.ShouldBe("Fail");
        error.Message.ShouldContain("Conversation not found.");
        (await connection.InvokeAsync<int>("Add", 1, 1)).ShouldBe(2, "an error answer leaves the connection usable");
    }

    [Fact]
    public async Task Invoke_ServerCrashOrUnknownMethod_ThrowsHubCallExceptionWithoutServerDetail()
    {
        await using var connection = _server.Connect();
        await connection.StartAsync();

        var crash = await Should.ThrowAsync<HubCallException>(() => connection.InvokeAsync("Crash"));
        crash.Message.ShouldNotContain("hunter2");
        crash.Message.ShouldContain("Crash");
        var unknown = await Should.ThrowAsync<HubCallException>(() => connection.InvokeAsync<int>("NoSuchMethod", 1));
        unknown.Method.ShouldBe("NoSuchMethod");
        unknown.Message.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Send_FireAndForget_ServerEventArrivesTyped()
    {
        await using var connection = _server.Connect();
        var echoed = new TaskCompletionSource<Echoed>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pair = new TaskCompletionSource<(string, int)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var nothing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<Echoed>("echoed", e => echoed.TrySetResult(e));
        connection.On<string, int>("PAIR", (text, number) => pair.TrySetResult((text, number)));
        connection.On("nothing", () => nothing.TrySetResult());
        await connection.StartAsync();

        await connection.SendAsync("Echo", "转账还没到");
        await connection.SendAsync("Pair", "seven", 7);
        await connection.SendAsync("Nothing");

        (await echoed.Task.WaitAsync(Patience)).ShouldBe(new Echoed("转账还没到", 5));
        (await pair.Task.WaitAsync(Patience)).ShouldBe(("seven", 7), "event names match case-insensitively, as in SignalR's own clients");
        await nothing.Task.WaitAsync(Patience);
    }

    [Fact]
    public async Task On_RawHandler_GetsArgumentsThatOutliveTheMessage()
    {
        await using var connection = _server.Connect();
        var raw = new TaskCompletionSource<JsonElement[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On("pair", (JsonElement[] args) =>
        {
            raw.TrySetResult(args);
            return Task.CompletedTask;
        });
        await connection.StartAsync();

        await connection.SendAsync("Pair", "x", 3);
        var args = await raw.Task.WaitAsync(Patience);
        await connection.InvokeAsync<int>("Add", 1, 2); // more traffic through the receive buffer

        args.Length.ShouldBe(2);
        args[0].GetString().ShouldBe("x");
        args[1].GetInt32().ShouldBe(3);
    }

    [Fact]
    public async Task On_DisposedSubscription_IsNotCalledAgain()
    {
        await using var connection = _server.Connect();
        var removedCalls = 0;
        var keptCalls = 0;
        var secondEvent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var removed = connection.On<Echoed>("echoed", _ => Interlocked.Increment(ref removedCalls));
        connection.On<Echoed>("echoed", _ =>
        {
            if (Interlocked.Increment(ref keptCalls) == 2)
            {
                secondEvent.TrySetResult();
            }
        });
        await connection.StartAsync();

        await connection.InvokeAsync("Echo", "one");
        removed.Dispose();
        await connection.InvokeAsync("Echo", "two");
        await secondEvent.Task.WaitAsync(Patience);

        removedCalls.ShouldBe(1, "handlers run in order on the receive loop, so the second event has passed every handler by now");
    }

    [Fact]
    public async Task On_HandlerThrows_ReportedAndConnectionCarriesOn()
    {
        var failures = new ConcurrentQueue<string>();
        await using var connection = _server.Connect(configure: o => o.HandlerError = (method, ex) => failures.Enqueue($"{method}: {ex.Message}"));
        connection.On<Echoed>("echoed", e => throw new InvalidOperationException($"bad handler {e.Text}"));
        await connection.StartAsync();

        await connection.InvokeAsync("Echo", "boom");
        (await connection.InvokeAsync<int>("Add", 3, 4)).ShouldBe(7);

        failures.ShouldBe(["echoed: bad handler boom"]);
    }

    [Fact]
    public async Task Invoke_ManyConcurrentCallsOnSeveralConnections_EachGetsItsOwnAnswer()
    {
        var connections = Enumerable.Range(0, 4).Select(_ => _server.Connect()).ToArray();
        try
        {
            await Task.WhenAll(connections.Select(c => c.StartAsync()));
            var calls = connections.SelectMany((c, n) => Enumerable.Range(0, 500).Select(i => Task.Run(async () =>
                (Expected: n * 1000 + i + i, Actual: await c.InvokeAsync<int>("Add", n * 1000 + i, i))))).ToArray();

            var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));

            results.Length.ShouldBe(2000);
            results.Where(r => r.Expected != r.Actual).ShouldBeEmpty();
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Invoke_LargeArgumentAndResult_CrossSeveralWebSocketFrames()
    {
        await using var connection = _server.Connect();
        var echoed = new TaskCompletionSource<Echoed>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<Echoed>("echoed", e => echoed.TrySetResult(e));
        await connection.StartAsync();
        var text = string.Concat(Enumerable.Range(0, 30_000).Select(i => (char)('a' + (i % 26)))) + "付款";

        await connection.InvokeAsync("Echo", text);

        (await echoed.Task.WaitAsync(Patience)).ShouldBe(new Echoed(text, text.Length));
    }

    [Fact]
    public async Task Invoke_Cancelled_ThrowsAndLeavesTheConnectionUsable()
    {
        await using var connection = _server.Connect();
        await connection.StartAsync();
        using var cancel = new CancellationTokenSource();

        var waiting = connection.InvokeAsync<int>("WaitForRelease", [], cancel.Token);
        await _server.Events.Waiting.Task.WaitAsync(Patience);
        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => waiting);
        (await connection.InvokeAsync<int>("Add", 5, 6)).ShouldBe(11);
        _server.Events.Release.SetResult(1); // the late completion for the cancelled call is ignored
        (await connection.InvokeAsync<int>("Add", 6, 6)).ShouldBe(12);
    }

    [Fact]
    public async Task Invoke_CancellationTokenAmongArguments_IsRefusedInsteadOfSent()
    {
        await using var connection = _server.Connect();
        await connection.StartAsync();

        await Should.ThrowAsync<ArgumentException>(() => connection.InvokeAsync("Add", 1, CancellationToken.None));
    }

    [Fact]
    public async Task Invoke_BeforeStart_ThrowsNotStarted()
    {
        await using var connection = _server.Connect();

        var error = await Should.ThrowAsync<HubConnectionException>(() => connection.InvokeAsync<int>("Add", 1, 2));

        error.Message.ShouldContain("not started");
    }

    [Fact]
    public async Task Headers_OriginCookieAndAccessToken_ReachTheServer()
    {
        await using var connection = _server.Connect("/hubs/secure", o =>
        {
            o.AccessToken = "good";
            o.Headers["Origin"] = "https://wallet.example";
            o.Headers["Cookie"] = "wd_console=abc123";
        });
        await connection.StartAsync();

        var seen = await connection.InvokeAsync<string>("WhoAmI");

        seen.ShouldBe("origin=https://wallet.example; cookie=wd_console=abc123; token=good");
        _server.NegotiateAuthorizations.ShouldContain("Bearer good");
    }

    [Fact]
    public async Task Start_WithoutToken_FailsWith401()
    {
        await using var connection = _server.Connect("/hubs/secure");

        var error = await Should.ThrowAsync<HubConnectionException>(() => connection.StartAsync());

        error.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        connection.State.ShouldBe(HubConnectionState.Closed);
    }

    [Fact]
    public async Task Start_ForeignOriginRefusedAtTheUpgrade_FailsWith403()
    {
        await using var connection = _server.Connect(configure: o => o.Headers["Origin"] = TestHubServer.ForeignOrigin);

        var error = await Should.ThrowAsync<HubConnectionException>(() => connection.StartAsync());

        error.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}
