using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Npgsql;
using Spectre.Console;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Email;
using WalletDesk.Server.Features.Identity;

namespace WalletDesk.Cli.Commands;

/// <summary>
/// <c>walletdesk bench email</c>: messages ingested per second through the email channel's doors — HTTP
/// (<c>POST /api/email/inbound</c> on the real server in a child process), the pipe (<c>walletdesk email ingest</c>, one
/// process per message as Postfix runs it) and in-process <see cref="EmailIngest"/> calls — next to raw single-row ticket
/// inserts (<see cref="TicketBenchApi.RawInsertsAsync"/>) on the same scratch database in the same run.
/// </summary>
internal static class EmailBench
{
    private const string SupportAddress = "support@desk.bench.invalid";

    public static Command Create()
    {
        var postgres = new Option<string?>("--postgres")
        {
            Description = "PostgreSQL admin connection string (a scratch database is created and dropped). Without it: SQLite only.",
        };
        var httpMessages = new Option<int>("--http-messages") { Description = "Messages POSTed to /api/email/inbound per database.", DefaultValueFactory = _ => 1000 };
        var pipeMessages = new Option<int>("--pipe-messages") { Description = "Messages piped into one `walletdesk email ingest` process each, per database.", DefaultValueFactory = _ => 100 };
        var inProcess = new Option<int>("--inprocess-messages") { Description = "Messages handed to EmailIngest in-process per database.", DefaultValueFactory = _ => 1000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent senders (every door and the raw inserts).", DefaultValueFactory = _ => 8 };
        var skipSqlite = new Option<bool>("--skip-sqlite") { Description = "Run PostgreSQL only." };
        var command = new Command("email", "Benchmark inbound email through the HTTP door, the pipe door and in-process ingest against raw ticket inserts.")
        {
            postgres, httpMessages, pipeMessages, inProcess, concurrency, skipSqlite,
        };
        command.SetAction(async (parse, ct) =>
        {
            var settings = new Settings(parse.GetValue(httpMessages), parse.GetValue(pipeMessages), parse.GetValue(inProcess), parse.GetValue(concurrency));
            if (settings.Http < 10 || settings.Pipe < 1 || settings.InProcess < 10 || settings.Concurrency is < 1 or > 128)
            {
                await Console.Error.WriteLineAsync("walletdesk: need --http-messages >= 10, --pipe-messages >= 1, --inprocess-messages >= 10, 1 <= --concurrency <= 128.");
                return 2;
            }

            var pg = parse.GetValue(postgres);
            if (!await BenchConsole.ProvidersChosenAsync(parse.GetValue(skipSqlite), pg))
            {
                return 2;
            }

            if (!File.Exists(Path.Combine(AppContext.BaseDirectory, "walletdesk.dll")))
            {
                await Console.Error.WriteLineAsync($"walletdesk: walletdesk.dll not found in {AppContext.BaseDirectory}; run the bench from the built CLI.");
                return 2;
            }

            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"walletdesk bench email: {settings.Http} HTTP, {settings.Pipe} pipe, {settings.InProcess} in-process messages at concurrency {settings.Concurrency}, {Environment.ProcessorCount} cores"));
            var results = new List<ProviderResult>();
            if (!parse.GetValue(skipSqlite))
            {
                results.Add(await RunSqliteAsync(settings, ct));
            }

            if (!string.IsNullOrWhiteSpace(pg))
            {
                results.Add(await RunPostgresAsync(pg, settings, ct));
            }
            else
            {
                AnsiConsole.WriteLine("PostgreSQL skipped: pass --postgres \"Host=...;Username=...;Database=postgres\".");
            }

            return results.All(r => r.Doors.All(d => d.Failed == 0)) ? 0 : 1;
        });
        return command;
    }

    private sealed record Settings(int Http, int Pipe, int InProcess, int Concurrency);

    private sealed record DoorFigures(string Door, int Ok, int Failed, double Seconds, double P50, double P99, string? FirstError)
    {
        public double PerSecond => Ok / Seconds;
    }

    private sealed record ProviderResult(string Database, IReadOnlyList<DoorFigures> Doors, RawFigures Raw);

    /// <summary>A generated message and the outcome the ingest must answer for it.</summary>
    private sealed record Mail(byte[] Raw, string Expected);

    private static async Task<ProviderResult> RunSqliteAsync(Settings settings, CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"walletdesk-bench-email-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var connection = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "bench.db"), DefaultTimeout = 30 }.ConnectionString;
            return await RunAsync(new Target("SQLite", false, connection, Path.Combine(folder, "data")), settings, ct);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<ProviderResult> RunPostgresAsync(string admin, Settings settings, CancellationToken ct)
    {
        var name = "wd_bench_email_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }

        var folder = Path.Combine(Path.GetTempPath(), $"walletdesk-bench-email-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var scratch = new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = Math.Max(20, settings.Concurrency * 2), CommandTimeout = 300 }.ConnectionString;
            return await RunAsync(new Target("PostgreSQL", true, scratch, Path.Combine(folder, "data")), settings, ct);
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

    private static async Task<ProviderResult> RunAsync(Target target, Settings settings, CancellationToken ct)
    {
        Directory.CreateDirectory(target.DataDirectory);
        var replyKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var configuration = new Dictionary<string, string?>
        {
            ["WALLETDESK_DATA_DIR"] = target.DataDirectory,
            ["Database:Provider"] = target.IsPostgres ? "postgres" : "sqlite",
            ["Database:MigrateOnStart"] = "false",
            ["Database:SeedDemoData"] = "false",
            ["ConnectionStrings:WalletDesk"] = target.ConnectionString,
            ["Email:Inbound:Address"] = SupportAddress,
            ["Email:Inbound:ReplyTokenKey"] = replyKey,
        };

        await using var app = CliHost.Build(configuration);
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct))
        {
            await db.Database.MigrateAsync(ct);
        }

        var ingest = app.Services.GetRequiredService<EmailIngest>();
        var token = await CreateIngestTokenAsync(app.Services, ct);

        // Tickets the reply-shaped messages thread onto, each through its signed reply address (not timed).
        var threads = new List<(string From, string ReplyTo, long TicketId)>();
        for (var i = 0; i < 20; i++)
        {
            var from = $"thread-{i.ToString("D2", CultureInfo.InvariantCulture)}@customers.bench.invalid";
            var seeded = await ingest.IngestAsync(Plain(from, $"seed-{i}"), "bench", null, ct);
            if (seeded is not { Outcome: InboundOutcomes.TicketCreated, TicketId: { } id })
            {
                throw new InvalidOperationException($"Seeding a thread answered {seeded.Outcome}: {seeded.Detail}");
            }

            threads.Add((from, app.Services.GetRequiredService<ReplyAddress>().For(id)!, id));
        }

        var doors = new List<DoorFigures>();
        AnsiConsole.WriteLine($"{target.Label}: starting WalletDesk.Server and POSTing {settings.Http} messages to /api/email/inbound...");
        doors.Add(await HttpDoorAsync(target, replyKey, token, threads, settings, ct));
        AnsiConsole.WriteLine($"{target.Label}: piping {settings.Pipe} messages into one `walletdesk email ingest` process each...");
        doors.Add(await PipeDoorAsync(target, replyKey, threads, settings, ct));
        AnsiConsole.WriteLine($"{target.Label}: {settings.InProcess} in-process EmailIngest calls...");
        doors.Add(await InProcessAsync(ingest, threads, settings, ct));
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct))
        {
            // What the doors left behind, as a check that every shape went the whole way (attachments kept, replies threaded).
            var outcomes = await db.InboundEmails.GroupBy(m => m.Outcome).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
            var tickets = await db.Tickets.CountAsync(ct);
            var attachments = await db.Attachments.CountAsync(ct);
            var acknowledgements = await db.EmailOutbox.CountAsync(ct);
            var quarantined = await db.EmailQuarantine.CountAsync(ct);
            AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{target.Label}: stored {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Count:N0} {o.Key}"))}; {tickets:N0} tickets, {attachments:N0} attachments, {acknowledgements:N0} queued acknowledgements, {quarantined:N0} quarantined"));
        }

        AnsiConsole.WriteLine($"{target.Label}: {settings.Http} raw single-row ticket inserts (baseline)...");
        var raw = await TicketBenchApi.RawInsertsAsync(target, new TicketBench.Settings(settings.Http, settings.Concurrency, 200, 1, false), ct);

        var table = new Table().Title($"{target.Label}: inbound email (4 shapes: English, GB18030 Chinese, multipart + attachment, signed reply)")
            .AddColumns("", "messages", "failed", "per second", "p50 ms", "p99 ms", "wall s", "ratio door/raw", "raw ÷ door");
        foreach (var d in doors)
        {
            table.AddRow(Markup.Escape(d.Door), TicketBench.I(d.Ok), d.Failed > 0 ? $"[red]{TicketBench.I(d.Failed)}[/]" : "0", TicketBench.F(d.PerSecond, "0.0"),
                TicketBench.F(d.P50, "0.00"), TicketBench.F(d.P99, "0.00"), TicketBench.F(d.Seconds, "0.0"),
                TicketBench.F(d.PerSecond / raw.PerSecond, "G3"), TicketBench.F(raw.PerSecond / d.PerSecond, "N0"));
        }

        table.AddRow("baseline: raw 1-row ticket INSERT, 1 commit each", TicketBench.I(raw.Count), "0", TicketBench.F(raw.PerSecond, "0.0"),
            TicketBench.F(raw.P50, "0.00"), TicketBench.F(raw.P99, "0.00"), TicketBench.F(raw.Seconds, "0.0"), "1", "1");
        AnsiConsole.Write(table);
        foreach (var d in doors.Where(d => d.Failed > 0))
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(d.Door)}: {d.Failed} messages failed[/]; first: {Markup.Escape(d.FirstError ?? "")}");
        }

        return new ProviderResult(target.Label, doors, raw);
    }

    private static async Task<DoorFigures> HttpDoorAsync(Target target, string replyKey, string token, IReadOnlyList<(string From, string ReplyTo, long TicketId)> threads, Settings settings, CancellationToken ct)
    {
        var baseUrl = $"http://127.0.0.1:{TicketBenchApi.FreePort().ToString(CultureInfo.InvariantCulture)}";
        using var server = TicketBenchApi.StartServer(target, RandomNumberGenerator.GetString(TicketBenchApi.KeyAlphabet, 48), baseUrl, out var output, new Dictionary<string, string>
        {
            ["Email__Inbound__Address"] = SupportAddress,
            ["Email__Inbound__ReplyTokenKey"] = replyKey,
        });
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
            {
                BaseAddress = new Uri(baseUrl),
                Timeout = TimeSpan.FromSeconds(120),
            };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await TicketBenchApi.WaitUntilReadyAsync(http, server, output, ct);

            async Task<string?> Post(Mail mail, string providerId)
            {
                using var content = new ByteArrayContent(mail.Raw);
                content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/email/inbound") { Content = content };
                request.Headers.Add(EmailEndpoints.ProviderIdHeader, providerId);
                using var response = await http.SendAsync(request, ct);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}";
                }

                var answer = await response.Content.ReadFromJsonAsync<IngestResponse>(ct);
                return answer?.Outcome == mail.Expected ? null : $"expected {mail.Expected}, got {answer?.Outcome}: {answer?.Detail}";
            }

            // Warm-up (not timed): JIT of the ingest path in the server.
            var warm = Messages("http-warm", Math.Min(40, settings.Http), threads);
            await TimeAsync("warm-up", warm.Length, settings.Concurrency, i => Post(warm[i], $"http-warm-{i}"));
            var mails = Messages("http", settings.Http, threads);
            return await TimeAsync("HTTP: POST /api/email/inbound (server process)", mails.Length, settings.Concurrency, i => Post(mails[i], $"http-{i}"));
        }
        finally
        {
            await TicketBenchApi.StopAsync(server);
        }
    }

    private static async Task<DoorFigures> PipeDoorAsync(Target target, string replyKey, IReadOnlyList<(string From, string ReplyTo, long TicketId)> threads, Settings settings, CancellationToken ct)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "walletdesk.dll");

        async Task<string?> Pipe(Mail mail, string providerId)
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                WorkingDirectory = AppContext.BaseDirectory,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { cli, "email", "ingest", "--provider-id", providerId })
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["DOTNET_ENVIRONMENT"] = "Production";
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["Database__Provider"] = target.IsPostgres ? "postgres" : "sqlite";
            start.Environment["ConnectionStrings__WalletDesk"] = target.ConnectionString;
            start.Environment["WALLETDESK_DATA_DIR"] = target.DataDirectory;
            start.Environment["Database__MigrateOnStart"] = "false";
            start.Environment["Database__SeedDemoData"] = "false";
            start.Environment["Email__Inbound__Address"] = SupportAddress;
            start.Environment["Email__Inbound__ReplyTokenKey"] = replyKey;
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.StandardInput.BaseStream.WriteAsync(mail.Raw, ct);
            process.StandardInput.Close();
            await process.WaitForExitAsync(ct);
            var said = await stdout;
            if (process.ExitCode != 0)
            {
                return $"exit {process.ExitCode.ToString(CultureInfo.InvariantCulture)}: {await stderr}";
            }

            using var json = JsonDocument.Parse(said);
            var outcome = json.RootElement.GetProperty("outcome").GetString();
            return outcome == mail.Expected ? null : $"expected {mail.Expected}, got {outcome}";
        }

        var mails = Messages("pipe", settings.Pipe, threads);
        return await TimeAsync("pipe: `dotnet walletdesk.dll email ingest`, 1 process each", mails.Length, settings.Concurrency, i => Pipe(mails[i], $"pipe-{i}"));
    }

    private static async Task<DoorFigures> InProcessAsync(EmailIngest ingest, IReadOnlyList<(string From, string ReplyTo, long TicketId)> threads, Settings settings, CancellationToken ct)
    {
        async Task<string?> Ingest(Mail mail, string providerId)
        {
            var result = await ingest.IngestAsync(mail.Raw, "bench", providerId, ct);
            return result.Outcome == mail.Expected ? null : $"expected {mail.Expected}, got {result.Outcome}: {result.Detail}";
        }

        var warm = Messages("inproc-warm", Math.Min(40, settings.InProcess), threads);
        await TimeAsync("warm-up", warm.Length, settings.Concurrency, i => Ingest(warm[i], $"inproc-warm-{i}"));
        var mails = Messages("inproc", settings.InProcess, threads);
        return await TimeAsync("in-process: EmailIngest.IngestAsync (parser + store)", mails.Length, settings.Concurrency, i => Ingest(mails[i], $"inproc-{i}"));
    }

    /// <summary>Runs <paramref name="count"/> sends on <paramref name="concurrency"/> workers; a send answers null when the message was taken as expected, else why not.</summary>
    private static async Task<DoorFigures> TimeAsync(string door, int count, int concurrency, Func<int, Task<string?>> send)
    {
        var latencies = new double[count];
        var failed = 0;
        string? firstError = null;
        var next = -1;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                var started = Stopwatch.GetTimestamp();
                string? error;
                try
                {
                    error = await send(index);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    error = $"{ex.GetType().Name}: {ex.Message}";
                }

                latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (error is not null)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }
        })));
        var seconds = stopwatch.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new DoorFigures(door, count - failed, failed, seconds, TicketBench.Percentile(latencies, 0.50), TicketBench.Percentile(latencies, 0.99), firstError);
    }

    /// <summary>An admin with an API token scoped to <c>email:ingest</c>, as an admin would create it for a mail relay.</summary>
    private static async Task<string> CreateIngestTokenAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var admin = await scope.ServiceProvider.GetRequiredService<StaffDirectoryService>().CreateAsync(
            "bench-mail-admin", "bench-mail-admin@bench.invalid", "Bench Mail Admin", StaffRoles.Admin,
            RandomNumberGenerator.GetString(TicketBenchApi.KeyAlphabet, 32), actor: null, ct);
        var created = await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(
            new StaffActor(admin.Id, admin.UserName, admin.Role, null), "bench email relay", [ApiScopes.EmailIngest], 1, ct);
        return created.PlainText;
    }

    /// <summary><paramref name="count"/> distinct messages cycling through four shapes; <paramref name="run"/> keeps runs apart (content hashes differ).</summary>
    private static Mail[] Messages(string run, int count, IReadOnlyList<(string From, string ReplyTo, long TicketId)> threads) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var from = $"customer-{(i % 200).ToString("D3", CultureInfo.InvariantCulture)}@customers.bench.invalid";
            var tag = $"{run}-{i.ToString(CultureInfo.InvariantCulture)}";
            return (i % 4) switch
            {
                0 => new Mail(Plain(from, tag), InboundOutcomes.TicketCreated),
                1 => new Mail(Chinese(from, tag), InboundOutcomes.TicketCreated),
                2 => new Mail(WithAttachment(from, tag), InboundOutcomes.TicketCreated),
                _ => new Mail(Reply(threads[i % threads.Count], tag), InboundOutcomes.Appended),
            };
        }).ToArray();

    private static MimeMessage Envelope(string from, string to, string subject, string tag)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(null, from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.MessageId = $"{tag}.{Guid.NewGuid():N}@customers.bench.invalid";
        message.Date = TimeProvider.System.GetUtcNow();
        return message;
    }

    private static byte[] Plain(string from, string tag)
    {
        var message = Envelope(from, SupportAddress, "Transfer to my sister has not arrived", tag);
        message.Body = new TextPart("plain")
        {
            Text = $"Hello,\n\nI sent 250.00 to my sister yesterday afternoon and she still does not see it. The app says completed.\nCould you check what happened? Reference {tag}.\n\nThanks,\nAlex\n",
        };
        return Bytes(message);
    }

    private static byte[] Chinese(string from, string tag)
    {
        var message = Envelope(from, SupportAddress, "充值失败但银行已扣款", tag);
        var part = new TextPart("plain");
        part.SetText(Encoding.GetEncoding("GB18030"), $"您好，\n\n我昨天用银行卡充值500元，应用显示失败，但是银行已经扣款了。麻烦帮我查一下，谢谢。\n编号：{tag}\n\n李明\n");
        message.Body = part;
        return Bytes(message);
    }

    private static byte[] WithAttachment(string from, string tag)
    {
        var message = Envelope(from, SupportAddress, "Charged twice at the supermarket", tag);
        var body = new BodyBuilder
        {
            TextBody = $"Hi,\n\nThe supermarket charged me twice this morning for one purchase. My statement is attached.\nReference {tag}.\n\nRegards,\nSam\n",
        };
        body.Attachments.Add("statement.csv", Encoding.UTF8.GetBytes($"date,merchant,amount\n2026-12-07,City Market,-42.80\n2026-12-07,City Market,-42.80\n# {tag}\n"), new ContentType("text", "csv"));
        message.Body = body.ToMessageBody();
        return Bytes(message);
    }

    private static byte[] Reply((string From, string ReplyTo, long TicketId) thread, string tag)
    {
        var message = Envelope(thread.From, thread.ReplyTo, $"Re: [#{thread.TicketId.ToString(CultureInfo.InvariantCulture)}] Transfer to my sister has not arrived", tag);
        message.Body = new TextPart("plain")
        {
            Text = $"Thank you, I checked again and it is still missing. The transfer id is TXN4829104473. ({tag})\n\nOn Mon, Support wrote:\n> We are looking into it.\n> Kind regards\n",
        };
        return Bytes(message);
    }

    private static byte[] Bytes(MimeMessage message)
    {
        using var buffer = new MemoryStream();
        message.WriteTo(buffer);
        return buffer.ToArray();
    }
}
