using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Cli.Commands;

internal sealed record ApiFigures(int Created, int Failed, double Seconds, double P50, double P99, string? FirstError)
{
    public double PerSecond => Created / Seconds;
}

internal sealed record RawFigures(int Count, double Seconds, double P50, double P99)
{
    public double PerSecond => Count / Seconds;
}

/// <summary>Ticket creation through the real server in a child process, and the raw-insert baseline on the same database.</summary>
internal static class TicketBenchApi
{
    internal const string KeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private static readonly string[] Subjects =
    [
        "Transfer to my sister has not arrived", "Top-up failed but money left my bank", "Charged twice at the supermarket",
        "Cannot link my debit card", "Waiting for a refund from an online shop", "Locked out after changing phone",
        "Question about the monthly withdrawal limit", "Identity verification keeps failing", "Payment to merchant declined",
        "我的转账还没到账", "充值失败但银行已扣款", "Need help with my account",
    ];

    private static readonly string[] Bodies =
    [
        "Hello, I sent money yesterday afternoon and the recipient still does not see it. The app says completed. Could you check what happened?",
        "I tried to top up 500 from my bank card three times. Each attempt failed in the app but my bank statement shows one debit. Please help.",
        "The shop charged me twice for the same purchase this morning. I only bought one item. I would like the duplicate payment returned.",
        "Every time I add my card the app says verification failed. The card works everywhere else. What am I doing wrong?",
        "The merchant told me the refund was issued last week but I cannot find it in my wallet history. How long does it usually take?",
        "您好，我昨天给朋友转账，对方到现在还没有收到，应用里显示已完成。麻烦帮我查一下，谢谢。",
    ];

    public static async Task<ApiFigures> CreateThroughApiAsync(Target target, TicketBench.Settings settings, CancellationToken ct)
    {
        var signingKey = RandomNumberGenerator.GetString(KeyAlphabet, 48);
        var baseUrl = $"http://127.0.0.1:{FreePort().ToString(CultureInfo.InvariantCulture)}";
        using var server = StartServer(target, signingKey, baseUrl, out var output);
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
            {
                BaseAddress = new Uri(baseUrl),
                Timeout = TimeSpan.FromSeconds(120),
            };
            await WaitUntilReadyAsync(http, server, output, ct);

            var tokens = MintTokens(signingKey, settings.Customers);
            var categories = DefaultCategories.All.Select(c => c.Key).ToArray();

            // Warm-up (not timed): every customer's first request creates their profile, and the create path gets JIT-compiled.
            await RunWorkersAsync(settings.Customers, settings.Concurrency, async (i, _) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me/tickets");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[i]);
                using var response = await http.SendAsync(request, ct);
                await EnsureOkAsync(response, ct);
            });
            var warmUp = Math.Min(100, settings.Creates / 10);
            await RunWorkersAsync(warmUp, settings.Concurrency, async (i, random) =>
            {
                using var response = await PostTicketAsync(http, tokens[i % tokens.Length], categories, random, $"warm-{i}", ct);
                await EnsureOkAsync(response, ct);
            });

            var latencies = new double[settings.Creates];
            var failed = 0;
            string? firstError = null;
            var stopwatch = Stopwatch.StartNew();
            await RunWorkersAsync(settings.Creates, settings.Concurrency, async (i, random) =>
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await PostTicketAsync(http, tokens[i % tokens.Length], categories, random, $"bench-{i}", ct);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    Interlocked.Increment(ref failed);
                    var body = await response.Content.ReadAsStringAsync(ct);
                    Interlocked.CompareExchange(ref firstError, $"{(int)response.StatusCode}: {body}", null);
                }
            });
            var seconds = stopwatch.Elapsed.TotalSeconds;
            Array.Sort(latencies);
            return new ApiFigures(settings.Creates - failed, failed, seconds, TicketBench.Percentile(latencies, 0.50), TicketBench.Percentile(latencies, 0.99), firstError);
        }
        finally
        {
            await StopAsync(server);
        }
    }

    /// <summary>Single-row parameterized INSERTs of a ticket-sized row, one commit each, same count and concurrency as the API run.</summary>
    public static async Task<RawFigures> RawInsertsAsync(Target target, TicketBench.Settings settings, CancellationToken ct)
    {
        await using (var db = DataModule.CreateContext(target.IsPostgres, target.ConnectionString))
        {
            await db.Database.ExecuteSqlRawAsync(target.IsPostgres
                ? "CREATE TABLE bench_ticket_rows (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, customer_id uuid NOT NULL, subject varchar(300) NOT NULL, body varchar(20000) NOT NULL, category varchar(64) NOT NULL, status varchar(24) NOT NULL, created_at timestamptz NOT NULL)"
                : "CREATE TABLE bench_ticket_rows (id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, category TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL)", ct);
        }

        var customers = Enumerable.Range(0, settings.Customers).Select(_ => Guid.NewGuid()).ToArray();
        var latencies = new double[settings.Creates];
        var next = -1;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            await using var db = DataModule.CreateContext(target.IsPostgres, target.ConnectionString);
            await db.Database.OpenConnectionAsync(ct);
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "INSERT INTO bench_ticket_rows (customer_id, subject, body, category, status, created_at) VALUES (@customer, @subject, @body, @category, @status, @created)";
            var customer = Parameter(command, "@customer");
            var subject = Parameter(command, "@subject");
            var body = Parameter(command, "@body");
            var category = Parameter(command, "@category");
            var status = Parameter(command, "@status");
            var created = Parameter(command, "@created");
            int index;
            while ((index = Interlocked.Increment(ref next)) < settings.Creates)
            {
                customer.Value = customers[index % customers.Length];
                subject.Value = Subjects[random.Next(Subjects.Length)];
                body.Value = Bodies[random.Next(Bodies.Length)];
                category.Value = DefaultCategories.All[random.Next(DefaultCategories.All.Count)].Key;
                status.Value = TicketStatuses.New;
                var now = TimeProvider.System.GetUtcNow();
                created.Value = target.IsPostgres ? now : now.UtcTicks;
                var started = Stopwatch.GetTimestamp();
                await command.ExecuteNonQueryAsync(ct);
                latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }, ct)));
        var seconds = stopwatch.Elapsed.TotalSeconds;

        await using (var db = DataModule.CreateContext(target.IsPostgres, target.ConnectionString))
        {
            await db.Database.ExecuteSqlRawAsync("DROP TABLE bench_ticket_rows", ct);
        }

        Array.Sort(latencies);
        return new RawFigures(settings.Creates, seconds, TicketBench.Percentile(latencies, 0.50), TicketBench.Percentile(latencies, 0.99));
    }

    private static Task<HttpResponseMessage> PostTicketAsync(HttpClient http, string token, string[] categories, Random random, string clientRequestId, CancellationToken ct)
    {
        var subject = Subjects[random.Next(Subjects.Length)];
        var body = Bodies[random.Next(Bodies.Length)];
        IReadOnlyList<string>? references = random.Next(4) == 0 ? [$"TXN{random.NextInt64(1_000_000_000, 9_999_999_999).ToString(CultureInfo.InvariantCulture)}"] : null;
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/me/tickets")
        {
            Content = JsonContent.Create(new CreateCustomerTicketRequest(subject, body, categories[random.Next(categories.Length)], subject.Any(c => c > 0x2E80) ? "zh" : "en", clientRequestId, references)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return SendAndDisposeAsync(http, request, ct);
    }

    private static async Task<HttpResponseMessage> SendAndDisposeAsync(HttpClient http, HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            return await http.SendAsync(request, ct);
        }
    }

    private static async Task EnsureOkAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }
    }

    /// <summary>Runs <paramref name="count"/> jobs on <paramref name="concurrency"/> workers; job i gets index i and its worker's Random.</summary>
    private static Task RunWorkersAsync(int count, int concurrency, Func<int, Random, Task> job)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var random = new Random(1000 + worker);
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                await job(index, random);
            }
        })));
    }

    /// <summary>HS256 customer tokens as the wallet's backend would mint them, with the key the server child was given.</summary>
    internal static string[] MintTokens(string signingKey, int customers)
    {
        var handler = new JsonWebTokenHandler();
        var credentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256);
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        return Enumerable.Range(0, customers).Select(i => handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "demo-wallet",
            Audience = "walletdesk",
            Claims = new Dictionary<string, object>
            {
                ["sub"] = $"bench-customer-{i.ToString("D5", CultureInfo.InvariantCulture)}",
                ["name"] = $"Bench Customer {i.ToString(CultureInfo.InvariantCulture)}",
            },
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(45),
            SigningCredentials = credentials,
        })).ToArray();
    }

    internal static Process StartServer(Target target, string signingKey, string baseUrl, out ConcurrentQueue<string> output, IReadOnlyDictionary<string, string>? extraEnvironment = null, Action<string>? onLine = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "WalletDesk.Server.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"WalletDesk.Server.dll not found next to the CLI ({AppContext.BaseDirectory}); build src/WalletDesk.Cli first.");
        }

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseUrl);
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = baseUrl,
            ["Database__Provider"] = target.IsPostgres ? "postgres" : "sqlite",
            ["ConnectionStrings__WalletDesk"] = target.ConnectionString,
            ["WALLETDESK_DATA_DIR"] = target.DataDirectory,
            ["Database__MigrateOnStart"] = "true",
            ["Database__SeedDemoData"] = "false",
            ["CustomerTokens__SigningKey"] = signingKey,
            ["RateLimits__PublicPerMinute"] = "10000000",
            ["RateLimits__ApiPerMinute"] = "10000000",
            ["RateLimits__SignInPerMinute"] = "10000000",
        };
        foreach (var (key, value) in environment.Concat(extraEnvironment ?? new Dictionary<string, string>()))
        {
            start.Environment[key] = value;
        }

        var lines = new ConcurrentQueue<string>();
        output = lines;
        var process = new Process { StartInfo = start };
        void Keep(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            onLine?.Invoke(e.Data);
            lines.Enqueue(e.Data);
            while (lines.Count > 60 && lines.TryDequeue(out _))
            {
            }
        }

        process.OutputDataReceived += Keep;
        process.ErrorDataReceived += Keep;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static async Task WaitUntilReadyAsync(HttpClient http, Process server, ConcurrentQueue<string> output, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"WalletDesk.Server exited with code {server.ExitCode.ToString(CultureInfo.InvariantCulture)}:\n{string.Join('\n', output)}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250, ct);
        }

        throw new TimeoutException($"WalletDesk.Server did not become ready within 3 minutes:\n{string.Join('\n', output)}");
    }

    internal static async Task StopAsync(Process server)
    {
        if (!server.HasExited)
        {
            server.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await server.WaitForExitAsync(timeout.Token);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
