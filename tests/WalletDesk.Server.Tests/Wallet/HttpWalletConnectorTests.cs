using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Features.Wallet.Http;

namespace WalletDesk.Server.Tests.Wallet;

/// <summary>The HTTP connector against a fake operator API running as a real Kestrel server on 127.0.0.1, with injected faults.</summary>
public sealed class HttpWalletConnectorTests : IAsyncLifetime
{
    private FakeOperator _operator = null!;

    public async Task InitializeAsync() => _operator = await FakeOperator.StartAsync();

    public async Task DisposeAsync() => await _operator.DisposeAsync();

    private HttpWalletGateway Gateway(int readTimeoutMs = 300, int actionTimeoutMs = 500, int maxAttempts = 3) => new(
        Options.Create(new WalletOptions
        {
            Provider = "http",
            BaseUrl = _operator.BaseUrl,
            ApiKey = FakeOperator.ApiKey,
            ReadTimeoutMs = readTimeoutMs,
            ActionTimeoutMs = actionTimeoutMs,
            MaxAttempts = maxAttempts,
            RetryBaseDelayMs = 10,
            BreakerMinimumThroughput = 4,
            BreakerFailureRatio = 0.5,
            BreakerBreakSeconds = 30,
        }),
        TimeProvider.System,
        NullLogger<HttpWalletGateway>.Instance);

    private static WalletActionCommand Refund(string key) =>
        new(key, WalletActionKinds.Refund, "acc-1", "tx-1", 1_000, "CNY", "merchant cancelled", null, null, "agent.li");

    [Fact]
    public async Task Reads_AreParsed_Validated_AndMasked()
    {
        using var gateway = Gateway();
        var account = await gateway.FindAccountAsync("cust-1");

        account.ShouldNotBeNull();
        account.AccountId.ShouldBe("acc-1");
        account.Status.ShouldBe(AccountStatuses.Locked);
        account.MaskedPhone.ShouldBe("+86 *** **21", "the operator sent the full number; support only sees it masked");
        account.FundingSources.ShouldHaveSingleItem().Last4.ShouldBe("4242");
        (await gateway.FindAccountAsync("nobody")).ShouldBeNull();

        var page = await gateway.ListTransactionsAsync("acc-1", new WalletTransactionQuery(Status: "pending"));
        page.Items.ShouldHaveSingleItem().ReasonCode.ShouldBe(ReasonCodes.BankProcessing);
        _operator.Requests.ShouldContain(r => r.StartsWith("GET /v1/accounts/acc-1/transactions?status=pending", StringComparison.Ordinal));
        (await gateway.GetTransactionAsync("acc-1", "nope")).ShouldBeNull();
        _operator.Requests.ShouldAllBe(r => r.EndsWith("auth=ok", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reads_RetryOn5xxAnd429_ThenSucceed()
    {
        using var gateway = Gateway();
        _operator.Faults.Enqueue("503");
        _operator.Faults.Enqueue("429");

        (await gateway.GetBalancesAsync("acc-1")).ShouldHaveSingleItem().AvailableMinor.ShouldBe(123_45);
        _operator.Requests.Count(r => r.StartsWith("GET /v1/accounts/acc-1/balances", StringComparison.Ordinal)).ShouldBe(3);
    }

    [Fact]
    public async Task OneAttempt_MeansNoRetry_ForReadsAndActions()
    {
        // MaxAttempts = 1 is a valid setting ("never retry"); Polly refuses a retry strategy with zero retries,
        // so the gateway must build without one rather than fail at start.
        using var gateway = Gateway(maxAttempts: 1);
        _operator.Faults.Enqueue("503");
        await Should.ThrowAsync<WalletUnavailableException>(() => gateway.GetBalancesAsync("acc-1"));
        _operator.Requests.Count(r => r.StartsWith("GET /v1/accounts/acc-1/balances", StringComparison.Ordinal)).ShouldBe(1);

        (await gateway.GetBalancesAsync("acc-1")).ShouldHaveSingleItem().AvailableMinor.ShouldBe(123_45);
    }

    [Fact]
    public async Task Reads_Timeouts_GiveUpAfterTheConfiguredAttempts()
    {
        using var gateway = Gateway();
        for (var i = 0; i < 3; i++)
        {
            _operator.Faults.Enqueue("slow");
        }

        var stopwatch = Stopwatch.StartNew();
        var ex = await Should.ThrowAsync<WalletUnavailableException>(() => gateway.GetBalancesAsync("acc-1"));
        ex.Message.ShouldContain("in time");
        stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3));
        _operator.Requests.Count.ShouldBe(3);
    }

    [Theory]
    [InlineData("malformed")]
    [InlineData("html")]
    [InlineData("pan")]
    [InlineData("negative")]
    public async Task UntrustedResponses_AreRejected(string fault)
    {
        using var gateway = Gateway();
        _operator.Faults.Enqueue(fault);

        var ex = await Should.ThrowAsync<WalletUnavailableException>(() => gateway.FindAccountAsync("cust-1"));
        ex.Message.ShouldContain("invalid response");
        ex.OutcomeUnknown.ShouldBeFalse();
    }

    [Fact]
    public async Task RepeatedFailures_OpenTheCircuit_AndStopCallingTheOperator()
    {
        using var gateway = Gateway();
        for (var i = 0; i < 20; i++)
        {
            _operator.Faults.Enqueue("500");
        }

        await Should.ThrowAsync<WalletUnavailableException>(() => gateway.GetBalancesAsync("acc-1"));
        await Should.ThrowAsync<WalletUnavailableException>(() => gateway.GetBalancesAsync("acc-1"));
        var before = _operator.Requests.Count;

        var open = await Should.ThrowAsync<WalletUnavailableException>(() => gateway.GetBalancesAsync("acc-1"));
        open.Message.ShouldContain("circuit open");
        (await Should.ThrowAsync<WalletUnavailableException>(() => gateway.ExecuteAsync(Refund("k-circuit")))).Message.ShouldContain("circuit open");
        _operator.Requests.Count.ShouldBe(before, "no retry storm: the open circuit does not call the operator");
    }

    [Fact]
    public async Task Action_TimeoutAfterSuccess_QueriesTheStatus_AndNeverResends()
    {
        using var gateway = Gateway();
        _operator.Faults.Enqueue("apply-then-hang");

        var result = await gateway.ExecuteAsync(Refund("k-timeout"));

        result.Outcome.ShouldBe(WalletActionOutcomes.Completed);
        result.TransactionReference.ShouldBe("WTREFUND0001");
        _operator.Requests.Count(r => r.StartsWith("POST /v1/actions", StringComparison.Ordinal)).ShouldBe(1);
        _operator.Requests.ShouldContain(r => r.StartsWith("GET /v1/actions/k-timeout", StringComparison.Ordinal));
        _operator.Applied.ShouldBe(1);
    }

    [Fact]
    public async Task Action_503_IsRetriedWithTheSameIdempotencyKey_OneEffect()
    {
        using var gateway = Gateway();
        _operator.Faults.Enqueue("503");

        var result = await gateway.ExecuteAsync(Refund("k-503"));

        result.Outcome.ShouldBe(WalletActionOutcomes.Completed);
        _operator.Requests.Where(r => r.StartsWith("POST /v1/actions", StringComparison.Ordinal)).ShouldAllBe(r => r.Contains("key=k-503"));
        _operator.Requests.Count(r => r.StartsWith("POST /v1/actions", StringComparison.Ordinal)).ShouldBe(2);
        _operator.Applied.ShouldBe(1);

        (await gateway.ExecuteAsync(Refund("k-503"))).TransactionReference.ShouldBe(result.TransactionReference);
        _operator.Applied.ShouldBe(1, "a repeat with the same key is answered from the operator's record");
    }

    [Fact]
    public async Task Action_500_IsAnUnknownOutcome_QueriedAndNotResent()
    {
        using var gateway = Gateway();
        _operator.Faults.Enqueue("500");

        var ex = await Should.ThrowAsync<WalletUnavailableException>(() => gateway.ExecuteAsync(Refund("k-500")));

        ex.OutcomeUnknown.ShouldBeTrue();
        _operator.Requests.Count(r => r.StartsWith("POST /v1/actions", StringComparison.Ordinal)).ShouldBe(1);
        _operator.Requests.ShouldContain(r => r.StartsWith("GET /v1/actions/k-500", StringComparison.Ordinal));
        _operator.Applied.ShouldBe(0);
    }

    /// <summary>A small operator API speaking docs/wallet-connector.md, with a queue of faults for the next requests.</summary>
    private sealed class FakeOperator : IAsyncDisposable
    {
        public const string ApiKey = "test-operator-key";
        private readonly WebApplication _app;
        private int _applied;

        private FakeOperator(WebApplication app) => _app = app;

        public ConcurrentQueue<string> Faults { get; } = new();

        public ConcurrentQueue<string> Requests { get; } = new();

        public ConcurrentDictionary<string, JsonObject> Actions { get; } = new();

        public int Applied => _applied;

        public string BaseUrl { get; private set; } = "";

        public static async Task<FakeOperator> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var fake = new FakeOperator(app);
            app.Use(fake.InjectFaultsAsync);
            app.MapGet("/v1/customers/{customerId}/account", (string customerId) => customerId == "cust-1" ? Results.Json(Account()) : Results.NotFound());
            app.MapGet("/v1/accounts/{accountId}/balances", () => Results.Json(new JsonObject { ["balances"] = new JsonArray(new JsonObject { ["currency"] = "CNY", ["availableMinor"] = 12345, ["pendingOutMinor"] = 0 }) }));
            app.MapGet("/v1/accounts/{accountId}/transactions", () => Results.Json(new JsonObject { ["items"] = new JsonArray(Transaction()), ["nextCursor"] = null }));
            app.MapGet("/v1/accounts/{accountId}/transactions/{id}", (string id) => id == "tx-1" ? Results.Json(Transaction()) : Results.NotFound());
            app.MapGet("/v1/actions/{key}", (string key) => fake.Actions.TryGetValue(key, out var result) ? Results.Json(result) : Results.NotFound());
            app.MapPost("/v1/actions", fake.ApplyActionAsync);
            await app.StartAsync();
            fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/";
            return fake;
        }

        private async Task InjectFaultsAsync(HttpContext context, RequestDelegate next)
        {
            var auth = context.Request.Headers.Authorization.ToString() == $"Bearer {ApiKey}" ? "ok" : "missing";
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} key={context.Request.Headers["Idempotency-Key"]} auth={auth}");
            if (auth != "ok")
            {
                context.Response.StatusCode = 401;
                return;
            }

            var fault = Faults.TryDequeue(out var f) ? f : "ok";
            switch (fault)
            {
                case "500" or "503":
                    context.Response.StatusCode = int.Parse(fault, System.Globalization.CultureInfo.InvariantCulture);
                    return;
                case "429":
                    context.Response.StatusCode = 429;
                    context.Response.Headers.RetryAfter = "0";
                    return;
                case "slow":
                    await DelayQuietly(context);
                    return;
                case "malformed":
                    await Write(context, "{\"accountId\": \"acc-1\", ");
                    return;
                case "html":
                    context.Response.ContentType = "text/html";
                    await context.Response.WriteAsync("<html>maintenance</html>");
                    return;
                case "pan":
                    var account = Account();
                    account["fundingSources"]![0]!["brand"] = "Visa 4111111111111111";
                    await Write(context, account.ToJsonString());
                    return;
                case "negative":
                    var bad = Account();
                    bad["kycTier"] = -7;
                    await Write(context, bad.ToJsonString());
                    return;
                default:
                    context.Items["fault"] = fault;
                    await next(context);
                    return;
            }
        }

        private async Task ApplyActionAsync(HttpContext context)
        {
            var key = context.Request.Headers["Idempotency-Key"].ToString();
            var body = (await System.Text.Json.JsonSerializer.DeserializeAsync<JsonObject>(context.Request.Body))!;
            var result = Actions.GetOrAdd(key, k =>
            {
                Interlocked.Increment(ref _applied);
                return new JsonObject
                {
                    ["idempotencyKey"] = k,
                    ["outcome"] = "completed",
                    ["transactionId"] = "tx-refund-1",
                    ["transactionReference"] = "WTREFUND0001",
                    ["kind"] = body["kind"]?.GetValue<string>(),
                };
            });
            if (context.Items["fault"] as string == "apply-then-hang")
            {
                await DelayQuietly(context);
                return;
            }

            await Write(context, result.ToJsonString());
        }

        private static async Task DelayQuietly(HttpContext context)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        }

        private static Task Write(HttpContext context, string json)
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(json);
        }

        private static JsonObject Account() => new()
        {
            ["accountId"] = "acc-1",
            ["customerId"] = "cust-1",
            ["status"] = "locked",
            ["kycTier"] = 2,
            ["kycState"] = "verified",
            ["phone"] = "+86 138 0013 8021",
            ["timeZone"] = "Asia/Shanghai",
            ["outboundHoldUntil"] = null,
            ["createdAt"] = "2026-01-02T03:04:05Z",
            ["devices"] = new JsonArray(new JsonObject { ["deviceId"] = "d1", ["name"] = "iPhone 15", ["platform"] = "ios", ["firstSeenAt"] = "2026-01-02T03:04:05Z", ["lastSeenAt"] = "2026-11-20T03:04:05Z", ["registered"] = true }),
            ["fundingSources"] = new JsonArray(new JsonObject { ["fundingSourceId"] = "fs1", ["kind"] = "card", ["brand"] = "Visa", ["last4"] = "4242", ["status"] = "active" }),
        };

        private static JsonObject Transaction() => new()
        {
            ["transactionId"] = "tx-1",
            ["reference"] = "WTABC123",
            ["type"] = "top_up",
            ["direction"] = "in",
            ["amountMinor"] = 50000,
            ["currency"] = "CNY",
            ["status"] = "pending",
            ["reasonCode"] = "bank_processing",
            ["counterparty"] = "ICBC ····0098",
            ["createdAt"] = "2026-11-23T06:00:00Z",
            ["updatedAt"] = "2026-11-23T06:00:00Z",
            ["expectedSettlementAt"] = "2026-11-23T08:40:00Z",
            ["refundedMinor"] = 0,
            ["disputeOpen"] = false,
        };

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
