using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using WalletDesk.HubClient;

namespace WalletDesk.Cli.Commands;

/// <summary>One connected customer of a run: its connection and the conversation it sends into.</summary>
internal sealed record BenchCustomer(HubConnection Connection, long ConversationId);

/// <summary>What differs between the raw echo and the real WalletDesk hub: how a customer connects and who receives its messages.</summary>
internal interface IChatScenario : IAsyncDisposable
{
    string Label { get; }

    /// <summary>The server process whose memory and CPU are measured.</summary>
    Process Server { get; }

    /// <summary>Connects whoever receives the customers' messages (agents) before any customer comes.</summary>
    Task PrepareAsync(MessageLedger ledger, CancellationToken ct);

    /// <summary>Connects customer <paramref name="index"/> and opens its conversation; its messages must reach <paramref name="ledger"/>.</summary>
    Task<BenchCustomer> ConnectCustomerAsync(int index, MessageLedger ledger, CancellationToken ct);

    /// <summary>Waits until the given conversations have a receiver; returns those that do.</summary>
    Task<IReadOnlyList<BenchCustomer>> WaitUntilRoutedAsync(IReadOnlyList<BenchCustomer> customers, CancellationToken ct);
}

/// <summary>Figures of one run (raw echo or WalletDesk on one database).</summary>
internal sealed record ChatFigures(
    string Label,
    int Connected,
    int Routed,
    double ConnectSeconds,
    double WindowSeconds,
    long Sent,
    long Delivered,
    long Acked,
    long Errors,
    long Lost,
    double P50,
    double P99,
    double Max,
    double AckP50,
    double AckP99,
    ProcessMemory Before,
    ProcessMemory After,
    ProcessMemory Peak,
    double ServerCores,
    double BenchCores,
    string? FirstError)
{
    public double OfferedPerSecond => Sent / WindowSeconds;

    public double DeliveredPerSecond => Delivered / WindowSeconds;

    public double KbPerConnection => Connected == 0 ? double.NaN : (After.RssKb - Before.RssKb) / (double)Connected;

    public double PrivateKbPerConnection => Connected == 0 ? double.NaN : (After.PrivateKb - Before.PrivateKb) / (double)Connected;
}

/// <summary>Resident and private (anonymous) memory of a process and its thread count, from /proc (Linux).</summary>
internal sealed record ProcessMemory(long RssKb, long PrivateKb, int Threads)
{
    public static ProcessMemory Of(Process process)
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException($"The server process exited (code {process.ExitCode.ToString(CultureInfo.InvariantCulture)}) during the run.");
        }

        long rss = 0, anon = 0, threads = 0;
        foreach (var line in File.ReadLines($"/proc/{process.Id.ToString(CultureInfo.InvariantCulture)}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kb(line);
            }
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anon = Kb(line);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = Kb(line);
            }
        }

        return new ProcessMemory(rss, anon, (int)threads);

        static long Kb(string line) => long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    public static ProcessMemory Max(ProcessMemory a, ProcessMemory b) => new(Math.Max(a.RssKb, b.RssKb), Math.Max(a.PrivateKb, b.PrivateKb), Math.Max(a.Threads, b.Threads));
}

/// <summary>
/// Every message in flight, by its client message id: when it was sent, whether it was sent inside the measured
/// window, and the end-to-end (send → receiver's <c>message</c> event) and ack (send → completion) latencies.
/// </summary>
internal sealed class MessageLedger
{
    private const int AckedBit = 1;
    private const int DeliveredBit = 2;

    private readonly ConcurrentDictionary<string, Entry> _inFlight = new(StringComparer.Ordinal);
    private readonly List<double> _delivery = new(100_000);
    private readonly List<double> _acks = new(100_000);
    private long _next;
    private long _sent;
    private long _delivered;
    private long _acked;
    private long _errors;
    private string? _firstError;

    public long Sent => Interlocked.Read(ref _sent);

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Acked => Interlocked.Read(ref _acked);

    public long Errors => Interlocked.Read(ref _errors);

    public string? FirstError => _firstError;

    public int MeasuredInFlight => _inFlight.Values.Count(e => e.Measured && (Volatile.Read(ref e.State) & DeliveredBit) == 0);

    public string Begin(bool measured)
    {
        var id = "b" + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);
        _inFlight[id] = new Entry(Stopwatch.GetTimestamp(), measured);
        if (measured)
        {
            Interlocked.Increment(ref _sent);
        }

        return id;
    }

    public void MarkAcked(string id)
    {
        var now = Stopwatch.GetTimestamp();
        if (_inFlight.TryGetValue(id, out var entry) && Mark(id, entry, AckedBit) && entry.Measured)
        {
            Interlocked.Increment(ref _acked);
            Add(_acks, Stopwatch.GetElapsedTime(entry.SentAt, now).TotalMilliseconds);
        }
    }

    public void MarkDelivered(string id)
    {
        var now = Stopwatch.GetTimestamp();
        if (_inFlight.TryGetValue(id, out var entry) && Mark(id, entry, DeliveredBit) && entry.Measured)
        {
            Interlocked.Increment(ref _delivered);
            Add(_delivery, Stopwatch.GetElapsedTime(entry.SentAt, now).TotalMilliseconds);
        }
    }

    public void MarkFailed(string id, Exception error)
    {
        if (_inFlight.TryRemove(id, out var entry) && entry.Measured)
        {
            Interlocked.Increment(ref _errors);
            Interlocked.CompareExchange(ref _firstError, $"{error.GetType().Name}: {error.Message}", null);
        }
    }

    public (double[] Delivery, double[] Acks) Latencies()
    {
        double[] delivery, acks;
        lock (_delivery)
        {
            delivery = [.. _delivery];
        }

        lock (_acks)
        {
            acks = [.. _acks];
        }

        Array.Sort(delivery);
        Array.Sort(acks);
        return (delivery, acks);
    }

    /// <returns>True the first time this bit is set.</returns>
    private bool Mark(string id, Entry entry, int bit)
    {
        var before = Interlocked.Or(ref entry.State, bit);
        if ((before & bit) != 0)
        {
            return false;
        }

        if ((before | bit) == (AckedBit | DeliveredBit))
        {
            _inFlight.TryRemove(id, out _);
        }

        return true;
    }

    private static void Add(List<double> list, double value)
    {
        lock (list)
        {
            list.Add(value);
        }
    }

    private sealed class Entry(long sentAt, bool measured)
    {
        public readonly long SentAt = sentAt;
        public readonly bool Measured = measured;
        public int State;
    }
}

/// <summary>
/// Drives one scenario: connect the receivers, a warm-up batch, then the customers at a steady ramp; measure the server's
/// memory before and after; send at the total rate from every customer on its own jittered timer; warm up, measure,
/// drain; disconnect.
/// </summary>
internal sealed class ChatLoad(ChatBench.Settings settings)
{
    private static readonly string[] Texts =
    [
        "Hello, my transfer to my sister has not arrived yet. The app says completed.",
        "I topped up 500 from my bank card and the money left my bank but my balance did not change.",
        "The shop charged me twice for one purchase this morning, can you check?",
        "Could you tell me how long a refund usually takes to show up?",
        "我昨天给朋友转账，对方到现在还没有收到，麻烦帮我查一下。",
        "My account says locked after I changed my phone, what should I do?",
        "OK thanks, I am still here.",
        "The reference is TXN4418820031 if that helps.",
    ];

    private int _phase; // 0 warm-up, 1 measuring, 2 stopped

    public async Task<ChatFigures> RunAsync(IChatScenario scenario, CancellationToken ct)
    {
        var ledger = new MessageLedger();
        await scenario.PrepareAsync(ledger, ct);

        // Warm-up batch: JIT, pools and caches, so the memory delta below is about connections.
        var warmCount = Math.Clamp(settings.Customers / 20, 5, 100);
        Report(scenario, $"warm-up: {warmCount} extra customers connect and send...");
        var warm = await ConnectAllAsync(scenario, ledger, Enumerable.Range(settings.Customers, warmCount).ToArray(), ct);
        warm = await scenario.WaitUntilRoutedAsync(warm, ct);
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(warm.Select(c => SendOneAsync(c, ledger, measured: false)));
        }

        await DisposeAllAsync(warm);
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        var before = ProcessMemory.Of(scenario.Server);

        Report(scenario, $"connecting {settings.Customers} customers at {settings.RampPerSecond}/s...");
        var connectClock = Stopwatch.StartNew();
        var connected = await ConnectAllAsync(scenario, ledger, Enumerable.Range(0, settings.Customers).ToArray(), ct);
        var routed = await scenario.WaitUntilRoutedAsync(connected, ct);
        var connectSeconds = connectClock.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        var after = ProcessMemory.Of(scenario.Server);
        Report(scenario, string.Create(CultureInfo.InvariantCulture,
            $"{connected.Count} connected, {routed.Count} routed in {connectSeconds:0.0} s; server RSS {before.RssKb / 1024.0:0} → {after.RssKb / 1024.0:0} MB"));

        // Sending: warm-up at the full rate, then the measured window, then stop and drain.
        Volatile.Write(ref _phase, 0);
        var peak = after;
        using var stop = new CancellationTokenSource();
        var interval = TimeSpan.FromSeconds(routed.Count / (double)settings.Rate);
        var senders = routed.Select((c, i) => Task.Run(() => SendLoopAsync(c, ledger, interval, new Random(i), stop.Token), CancellationToken.None)).ToArray();
        Report(scenario, $"sending {settings.Rate} msg/s in total ({interval.TotalSeconds:0.###} s per customer, jittered); warm-up {settings.WarmupSeconds} s...");
        await Task.Delay(TimeSpan.FromSeconds(settings.WarmupSeconds), ct);

        var serverCpu = scenario.Server.TotalProcessorTime;
        var benchCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var window = Stopwatch.StartNew();
        Volatile.Write(ref _phase, 1);
        Report(scenario, $"measuring {settings.Seconds} s...");
        while (window.Elapsed < TimeSpan.FromSeconds(settings.Seconds))
        {
            await Task.Delay(250, ct);
            scenario.Server.Refresh();
            peak = ProcessMemory.Max(peak, ProcessMemory.Of(scenario.Server));
        }

        Volatile.Write(ref _phase, 2);
        var windowSeconds = window.Elapsed.TotalSeconds;
        var serverCores = (scenario.Server.TotalProcessorTime - serverCpu).TotalSeconds / windowSeconds;
        var benchCores = (Process.GetCurrentProcess().TotalProcessorTime - benchCpu).TotalSeconds / windowSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(senders);

        // Drain: wait for what was sent in the window; whatever has not arrived after 60 s counts as lost.
        var drain = Stopwatch.StartNew();
        while (ledger.MeasuredInFlight > 0 && drain.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100, ct);
        }

        var (delivery, acks) = ledger.Latencies();
        var figures = new ChatFigures(
            scenario.Label, connected.Count, routed.Count, connectSeconds, windowSeconds,
            ledger.Sent, ledger.Delivered, ledger.Acked, ledger.Errors, ledger.Sent - ledger.Delivered - ledger.Errors,
            TicketBench.Percentile(delivery, 0.50), TicketBench.Percentile(delivery, 0.99), delivery.Length == 0 ? double.NaN : delivery[^1],
            TicketBench.Percentile(acks, 0.50), TicketBench.Percentile(acks, 0.99),
            before, after, peak, serverCores, benchCores, ledger.FirstError);
        await DisposeAllAsync(connected);
        return figures;
    }

    private async Task<IReadOnlyList<BenchCustomer>> ConnectAllAsync(IChatScenario scenario, MessageLedger ledger, int[] indices, CancellationToken ct)
    {
        // A steady ramp: connection k starts no earlier than k / rate seconds in, at most 32 handshakes at once.
        var customers = new ConcurrentBag<BenchCustomer>();
        var failures = 0;
        string? firstFailure = null;
        using var gate = new SemaphoreSlim(32);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(indices.Select((index, k) => Task.Run(async () =>
        {
            var due = TimeSpan.FromSeconds(k / (double)settings.RampPerSecond) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, ct);
            }

            await gate.WaitAsync(ct);
            try
            {
                customers.Add(await scenario.ConnectCustomerAsync(index, ledger, ct));
            }
            catch (Exception ex) when (ex is HubConnectionException or HubCallException or TimeoutException)
            {
                Interlocked.Increment(ref failures);
                Interlocked.CompareExchange(ref firstFailure, ex.Message, null);
            }
            finally
            {
                gate.Release();
            }
        }, ct)));
        if (failures > 0)
        {
            Report(scenario, $"{failures} of {indices.Length} customers failed to connect; first: {firstFailure}");
        }

        return [.. customers];
    }

    private async Task SendLoopAsync(BenchCustomer customer, MessageLedger ledger, TimeSpan interval, Random random, CancellationToken stop)
    {
        // A random phase, then intervals uniform in [0.5, 1.5] × the mean: the total stays at the rate without lock-step bursts.
        // Open loop: sends are not awaited, so a slow server does not slow the senders (the ledger tracks what is in flight).
        try
        {
            await Task.Delay(interval * random.NextDouble(), stop);
            while (!stop.IsCancellationRequested)
            {
                var phase = Volatile.Read(ref _phase);
                if (phase == 2)
                {
                    break;
                }

                _ = SendOneAsync(customer, ledger, measured: phase == 1);
                await Task.Delay(interval * (0.5 + random.NextDouble()), stop);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private static async Task SendOneAsync(BenchCustomer customer, MessageLedger ledger, bool measured)
    {
        var id = ledger.Begin(measured);
        try
        {
            await customer.Connection.InvokeAsync<JsonElement>("Send", customer.ConversationId, id, Texts[Random.Shared.Next(Texts.Length)]);
            ledger.MarkAcked(id);
        }
        catch (Exception ex) when (ex is HubCallException or HubConnectionException or InvalidDataException)
        {
            ledger.MarkFailed(id, ex);
        }
    }

    private static async Task DisposeAllAsync(IEnumerable<BenchCustomer> customers)
    {
        foreach (var batch in customers.Chunk(100))
        {
            await Task.WhenAll(batch.Select(c => c.Connection.DisposeAsync().AsTask()));
        }
    }

    private static void Report(IChatScenario scenario, string text) => Spectre.Console.AnsiConsole.WriteLine($"{scenario.Label}: {text}");
}
