using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Npgsql;
using Spectre.Console;
using WalletDesk.HubClient;
using WalletDesk.Server.Features.Identity;

namespace WalletDesk.Cli.Commands;

/// <summary>
/// <c>walletdesk bench chat</c>: N customers on the real chat hub (a WalletDesk server child process, fresh database)
/// send at a total rate to A agents; end-to-end latency is from the customer's <c>Send</c> to the agent's
/// <c>message</c> event. Baseline in the same run: the same clients against a raw SignalR echo (no database, no routing).
/// </summary>
internal static class ChatBench
{
    internal sealed record Settings(int Customers, int Rate, int Seconds, int Agents, int WarmupSeconds, int RampPerSecond)
    {
        /// <summary>Extra environment for the WalletDesk server child (diagnostics, e.g. EF command logging).</summary>
        public IReadOnlyDictionary<string, string> ServerEnvironment { get; init; } = new Dictionary<string, string>();

        /// <summary>Where the WalletDesk server child's output goes, if anywhere.</summary>
        public string? ServerLog { get; init; }
    }

    public static Command Create()
    {
        var customers = new Option<int>("--customers") { Description = "Concurrent customer connections.", DefaultValueFactory = _ => 2000 };
        var rate = new Option<int>("--rate") { Description = "Messages per second, all customers together.", DefaultValueFactory = _ => 1000 };
        var seconds = new Option<int>("--seconds") { Description = "Length of the measured window.", DefaultValueFactory = _ => 30 };
        var agents = new Option<int>("--agents") { Description = "Agents online receiving the conversations.", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "Seconds of sending at the full rate before measuring.", DefaultValueFactory = _ => 10 };
        var ramp = new Option<int>("--ramp") { Description = "New customer connections per second while connecting.", DefaultValueFactory = _ => 200 };
        var postgres = new Option<string?>("--postgres") { Description = "PostgreSQL admin connection string (a scratch database is created and dropped). Without it: SQLite only." };
        var skipSqlite = new Option<bool>("--skip-sqlite") { Description = "Run PostgreSQL only (with the echo baseline)." };
        var serverEnv = new Option<string[]>("--server-env") { Description = "KEY=VALUE for the WalletDesk server child, repeatable (diagnostics, e.g. Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command=Information).", AllowMultipleArgumentsPerToken = false };
        var serverLog = new Option<string?>("--server-log") { Description = "Append the WalletDesk server child's output to this file (one per database: .sqlite/.postgres is added)." };
        var command = new Command("chat", "Benchmark live chat through the real hub and database against a raw SignalR echo.")
        {
            customers, rate, seconds, agents, warmup, ramp, postgres, skipSqlite, serverEnv, serverLog,
        };
        command.SetAction(async (parse, ct) =>
        {
            var environment = new Dictionary<string, string>();
            foreach (var pair in parse.GetValue(serverEnv) ?? [])
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals < 1)
                {
                    await Console.Error.WriteLineAsync($"walletdesk: --server-env takes KEY=VALUE, not '{pair}'.");
                    return 2;
                }

                environment[pair[..equals]] = pair[(equals + 1)..];
            }

            var settings = new Settings(parse.GetValue(customers), parse.GetValue(rate), parse.GetValue(seconds), parse.GetValue(agents), parse.GetValue(warmup), parse.GetValue(ramp))
            {
                ServerEnvironment = environment,
                ServerLog = parse.GetValue(serverLog),
            };
            if (settings.Customers < 1 || settings.Rate < 1 || settings.Seconds < 1 || settings.Agents < 1 || settings.WarmupSeconds < 0 || settings.RampPerSecond < 1)
            {
                await Console.Error.WriteLineAsync("walletdesk: --customers, --rate, --seconds, --agents and --ramp must be at least 1, --warmup at least 0.");
                return 2;
            }

            var pg = parse.GetValue(postgres);
            if (!await BenchConsole.ProvidersChosenAsync(parse.GetValue(skipSqlite), pg))
            {
                return 2;
            }

            AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"walletdesk bench chat: {settings.Customers} customers, {settings.Rate} msg/s total, {settings.Agents} agents, {settings.WarmupSeconds} s warm-up + {settings.Seconds} s measured, {Environment.ProcessorCount} cores"));
            var results = new List<ChatFigures>();
            var load = new ChatLoad(settings);
            await using (var echo = await EchoScenario.StartAsync(ct))
            {
                results.Add(await load.RunAsync(echo, ct));
            }

            var failed = false;
            async Task Attempt(Func<Task<ChatFigures>> run)
            {
                try
                {
                    results.Add(await run());
                }
                catch (Exception ex) when (ex is HubConnectionException or HubCallException or InvalidOperationException or TimeoutException)
                {
                    failed = true;
                    AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
                }
            }

            if (!parse.GetValue(skipSqlite))
            {
                await Attempt(() => RunSqliteAsync(load, settings, ct));
            }

            if (!string.IsNullOrWhiteSpace(pg))
            {
                await Attempt(() => RunPostgresAsync(load, pg, settings, ct));
            }
            else
            {
                AnsiConsole.WriteLine("PostgreSQL skipped: pass --postgres \"Host=...;Username=...;Database=postgres\".");
            }

            Print(settings, results);
            return !failed && results.All(r => r.Errors == 0 && r.Lost == 0 && r.Routed == settings.Customers) ? 0 : 1;
        });
        return command;
    }

    private static async Task<ChatFigures> RunSqliteAsync(ChatLoad load, Settings settings, CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"walletdesk-bench-chat-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var connection = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "bench.db"), DefaultTimeout = 30 }.ConnectionString;
            await using var scenario = await WalletDeskScenario.StartAsync(new Target("WalletDesk on SQLite", false, connection, Path.Combine(folder, "data")), settings, ct);
            return await load.RunAsync(scenario, ct);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<ChatFigures> RunPostgresAsync(ChatLoad load, string admin, Settings settings, CancellationToken ct)
    {
        var name = "wd_bench_chat_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }

        var folder = Path.Combine(Path.GetTempPath(), $"walletdesk-bench-chat-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var scratch = new NpgsqlConnectionStringBuilder(admin) { Database = name, CommandTimeout = 300 }.ConnectionString;
            await using var scenario = await WalletDeskScenario.StartAsync(new Target("WalletDesk on PostgreSQL", true, scratch, Path.Combine(folder, "data")), settings, ct);
            return await load.RunAsync(scenario, ct);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static void Print(Settings settings, IReadOnlyList<ChatFigures> results)
    {
        var baseline = results[0];
        var table = new Table().Title(string.Create(CultureInfo.InvariantCulture, $"Live chat: {settings.Customers} customers, {settings.Rate} msg/s offered, {settings.Seconds} s measured"));
        table.AddColumn("");
        foreach (var r in results)
        {
            table.AddColumn(Markup.Escape(r.Label), c => c.RightAligned());
            if (r != baseline)
            {
                table.AddColumn("ratio to echo", c => c.RightAligned());
            }
        }

        Row("customers connected / routed", r => $"{TicketBench.I(r.Connected)} / {TicketBench.I(r.Routed)}", null);
        Row("connect + route time s", r => TicketBench.F(r.ConnectSeconds, "0.0"), null);
        Row("sent msg/s (offered)", r => TicketBench.F(r.OfferedPerSecond), r => r.OfferedPerSecond);
        Row("delivered msg/s", r => TicketBench.F(r.DeliveredPerSecond), r => r.DeliveredPerSecond);
        Row("end-to-end p50 ms", r => TicketBench.F(r.P50, "0.0"), r => r.P50);
        Row("end-to-end p99 ms", r => TicketBench.F(r.P99, "0.0"), r => r.P99);
        Row("end-to-end max ms", r => TicketBench.F(r.Max, "0"), r => r.Max);
        Row("ack p50 ms", r => TicketBench.F(r.AckP50, "0.0"), r => r.AckP50);
        Row("ack p99 ms", r => TicketBench.F(r.AckP99, "0.0"), r => r.AckP99);
        Row("errors / lost", r => $"{TicketBench.I(r.Errors)} / {TicketBench.I(r.Lost)}", null);
        Row("server RSS before → after connect MB", r => $"{r.Before.RssKb / 1024.0:0} → {r.After.RssKb / 1024.0:0}", null);
        Row("server RSS peak while sending MB", r => TicketBench.F(r.Peak.RssKb / 1024.0), r => r.Peak.RssKb);
        Row("server KB per connection (RSS)", r => TicketBench.F(r.KbPerConnection, "0.0"), r => r.KbPerConnection);
        Row("server KB per connection (private)", r => TicketBench.F(r.PrivateKbPerConnection, "0.0"), r => r.PrivateKbPerConnection);
        Row("server threads after connect → peak", r => $"{r.After.Threads} → {r.Peak.Threads}", r => r.Peak.Threads);
        Row("server CPU cores while sending", r => TicketBench.F(r.ServerCores, "0.00"), r => r.ServerCores);
        Row("bench CPU cores while sending", r => TicketBench.F(r.BenchCores, "0.00"), null);
        AnsiConsole.Write(table);

        foreach (var r in results.Where(r => r.FirstError is not null))
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(r.Label)}: first error:[/] {Markup.Escape(r.FirstError!)}");
        }

        foreach (var r in results.Skip(1))
        {
            var met = r.Connected >= 2000 && r.DeliveredPerSecond >= 990 && r.P99 < 100 && r.Errors == 0 && r.Lost == 0;
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"{Markup.Escape(r.Label)}: issue 5 target (2,000 customers, 1,000 msg/s, p99 < 100 ms, nothing lost) {(met ? "[green]met[/]" : "[red]missed[/]")}"));
        }

        void Row(string name, Func<ChatFigures, string> value, Func<ChatFigures, double>? ratio)
        {
            var cells = new List<string> { name };
            foreach (var r in results)
            {
                cells.Add(value(r));
                if (r != baseline)
                {
                    cells.Add(ratio is null ? "" : TicketBench.F(ratio(r) / ratio(baseline), "0.00") + "×");
                }
            }

            table.AddRow([.. cells.Select(Markup.Escape)]);
        }
    }

    /// <summary>The raw echo hub in a child process (<see cref="ChatEchoHost"/>); each customer receives its own messages.</summary>
    private sealed class EchoScenario : IChatScenario
    {
        private readonly string _baseUrl;

        private EchoScenario(Process server, string baseUrl)
        {
            Server = server;
            _baseUrl = baseUrl;
        }

        public string Label => "raw SignalR echo";

        public Process Server { get; }

        public static async Task<EchoScenario> StartAsync(CancellationToken ct)
        {
            var port = TicketBenchApi.FreePort();
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                WorkingDirectory = AppContext.BaseDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "walletdesk.dll"), "bench", "chat-echo-host", "--port", port.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["DOTNET_gcServer"] = "1"; // as WalletDesk.Server (a web project) runs
            var output = new ConcurrentQueue<string>();
            var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => Keep(output, e.Data);
            process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var baseUrl = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
            await TicketBenchApi.WaitUntilReadyAsync(http, process, output, ct);
            return new EchoScenario(process, baseUrl);
        }

        public Task PrepareAsync(MessageLedger ledger, CancellationToken ct) => Task.CompletedTask;

        public async Task<BenchCustomer> ConnectCustomerAsync(int index, MessageLedger ledger, CancellationToken ct)
        {
            var connection = new HubConnection(new HubConnectionOptions(new Uri(_baseUrl + ChatEchoHost.HubPath)));
            connection.On<ChatMessageEvent>("message", m => ledger.MarkDelivered(m.ClientMessageId!));
            await connection.StartAsync(ct);
            return new BenchCustomer(connection, index);
        }

        public Task<IReadOnlyList<BenchCustomer>> WaitUntilRoutedAsync(IReadOnlyList<BenchCustomer> customers, CancellationToken ct) => Task.FromResult(customers);

        public async ValueTask DisposeAsync()
        {
            await TicketBenchApi.StopAsync(Server);
            Server.Dispose();
        }
    }

    /// <summary>WalletDesk.Server in a child process on a fresh database, with agents connected over API tokens.</summary>
    private sealed class WalletDeskScenario : IChatScenario
    {
        private readonly Target _target;
        private readonly Settings _settings;
        private readonly string _baseUrl;
        private readonly string _signingKey;
        private readonly ConcurrentDictionary<long, byte> _assigned = new();
        private readonly List<HubConnection> _agents = [];
        private string[] _customerTokens = [];

        private readonly StreamWriter? _log;

        private WalletDeskScenario(Target target, Settings settings, Process server, string baseUrl, string signingKey, StreamWriter? log)
        {
            _log = log;
            _target = target;
            _settings = settings;
            Server = server;
            _baseUrl = baseUrl;
            _signingKey = signingKey;
        }

        public string Label => _target.Label;

        public Process Server { get; }

        public static async Task<WalletDeskScenario> StartAsync(Target target, Settings settings, CancellationToken ct)
        {
            Directory.CreateDirectory(target.DataDirectory);
            var signingKey = RandomNumberGenerator.GetString(TicketBenchApi.KeyAlphabet, 48);
            var baseUrl = $"http://127.0.0.1:{TicketBenchApi.FreePort().ToString(CultureInfo.InvariantCulture)}";
            AnsiConsole.WriteLine($"{target.Label}: starting WalletDesk.Server...");
            var environment = new Dictionary<string, string>
            {
                // Straight to the agents' queue: the bench measures chat, not the assistant.
                ["Chat__AssistantFirst"] = "false",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            foreach (var (key, value) in settings.ServerEnvironment)
            {
                environment[key] = value;
            }

            StreamWriter? log = null;
            if (settings.ServerLog is { } path)
            {
                log = new StreamWriter(path + (target.IsPostgres ? ".postgres" : ".sqlite"), append: true) { AutoFlush = true };
            }

            var server = TicketBenchApi.StartServer(target, signingKey, baseUrl, out var output, environment, log is null ? null : line =>
            {
                lock (log)
                {
                    log.WriteLine(line);
                }
            });
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
                await TicketBenchApi.WaitUntilReadyAsync(http, server, output, ct);
            }
            catch
            {
                await TicketBenchApi.StopAsync(server);
                server.Dispose();
                if (log is not null)
                {
                    await log.DisposeAsync();
                }

                throw;
            }

            return new WalletDeskScenario(target, settings, server, baseUrl, signingKey, log);
        }

        public async Task PrepareAsync(MessageLedger ledger, CancellationToken ct)
        {
            var warm = Math.Clamp(_settings.Customers / 20, 5, 100);
            _customerTokens = TicketBenchApi.MintTokens(_signingKey, _settings.Customers + warm);
            var capacity = Math.Min(1000, (int)Math.Ceiling((_settings.Customers + warm) / (double)_settings.Agents) + 5);
            var tokens = await CreateAgentTokensAsync(ct);
            foreach (var token in tokens)
            {
                var agent = new HubConnection(Options(token));
                agent.On<ChatMessageEvent>("message", m =>
                {
                    if (m.AuthorType == "customer" && m.ClientMessageId is { } id)
                    {
                        ledger.MarkDelivered(id);
                    }
                });
                agent.On<ChatStateEvent>("assigned", s => _assigned.TryAdd(s.ConversationId, 0));
                await agent.StartAsync(ct);
                await agent.InvokeAsync<System.Text.Json.JsonElement>("SetAvailability", ["online", capacity], ct);
                _agents.Add(agent);
            }

            AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Label}: {_agents.Count} agents online, capacity {capacity} each"));
        }

        public async Task<BenchCustomer> ConnectCustomerAsync(int index, MessageLedger ledger, CancellationToken ct)
        {
            var connection = new HubConnection(Options(_customerTokens[index]));
            try
            {
                await connection.StartAsync(ct);
                var started = await connection.InvokeAsync<ChatStartedEvent>(
                    "Start", [new { clientRequestId = $"bench-start-{index.ToString(CultureInfo.InvariantCulture)}", text = "Hello, I need help with a transfer.", language = "en" }], ct);
                var state = started.State;
                if (state.Status == "active")
                {
                    _assigned.TryAdd(state.ConversationId, 0);
                }

                return new BenchCustomer(connection, state.ConversationId);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }

        public async Task<IReadOnlyList<BenchCustomer>> WaitUntilRoutedAsync(IReadOnlyList<BenchCustomer> customers, CancellationToken ct)
        {
            var waited = Stopwatch.StartNew();
            while (customers.Any(c => !_assigned.ContainsKey(c.ConversationId)) && waited.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(200, ct);
            }

            var routed = customers.Where(c => _assigned.ContainsKey(c.ConversationId)).ToList();
            if (routed.Count < customers.Count)
            {
                AnsiConsole.WriteLine($"{Label}: {customers.Count - routed.Count} conversations were not routed to an agent within 60 s; they do not send.");
            }

            return routed;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var agent in _agents)
            {
                await agent.DisposeAsync();
            }

            await TicketBenchApi.StopAsync(Server);
            Server.Dispose();
            if (_log is not null)
            {
                await _log.DisposeAsync();
            }
        }

        private HubConnectionOptions Options(string token) => new(new Uri(_baseUrl + "/hubs/chat")) { AccessToken = token, HandshakeTimeout = TimeSpan.FromSeconds(60) };

        /// <summary>Agents and their chat-scoped API tokens, straight in the scratch database as <c>walletdesk staff create</c> would.</summary>
        private async Task<IReadOnlyList<string>> CreateAgentTokensAsync(CancellationToken ct)
        {
            await using var app = CliHost.Build(new Dictionary<string, string?>
            {
                ["WALLETDESK_DATA_DIR"] = _target.DataDirectory,
                ["Database:Provider"] = _target.IsPostgres ? "postgres" : "sqlite",
                ["Database:MigrateOnStart"] = "false",
                ["Database:SeedDemoData"] = "false",
                ["ConnectionStrings:WalletDesk"] = _target.ConnectionString,
            });
            var tokens = new List<string>();
            for (var i = 0; i < _settings.Agents; i++)
            {
                await using var scope = app.Services.CreateAsyncScope();
                var name = $"bench-agent-{i.ToString("D3", CultureInfo.InvariantCulture)}";
                var agent = await scope.ServiceProvider.GetRequiredService<StaffDirectoryService>().CreateAsync(
                    name, $"{name}@bench.invalid", $"Bench Agent {i.ToString(CultureInfo.InvariantCulture)}", StaffRoles.Agent,
                    RandomNumberGenerator.GetString(TicketBenchApi.KeyAlphabet, 32), actor: null, ct);
                var created = await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(
                    new StaffActor(agent.Id, agent.UserName, agent.Role, null), "bench chat", [ApiScopes.Chat], 1, ct);
                tokens.Add(created.PlainText);
            }

            return tokens;
        }
    }

    private static void Keep(ConcurrentQueue<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lines.Enqueue(line);
        while (lines.Count > 60 && lines.TryDequeue(out _))
        {
        }
    }

    /// <summary>The fields of a hub <c>message</c> event the bench needs (the wire shape, not the server's type).</summary>
    private sealed record ChatMessageEvent(long ConversationId, long Seq, string? AuthorType, string? ClientMessageId);

    private sealed record ChatStateEvent(long ConversationId, string? Status);

    private sealed record ChatStartedEvent(long ConversationId, ChatStateEvent State);
}
