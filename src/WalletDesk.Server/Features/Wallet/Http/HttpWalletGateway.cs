using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace WalletDesk.Server.Features.Wallet.Http;

/// <summary>
/// <see cref="IWalletGateway"/> over an operator's REST API (contract: docs/wallet-connector.md). Reads retry with
/// backoff and jitter; actions carry an Idempotency-Key and are retried only when the operator says it did not take them
/// (429, 502-504, connection refused). After a timeout or a 500 on an action the outcome is unknown: the connector asks
/// <c>GET /v1/actions/{key}</c> and never re-sends. A circuit breaker stops retry storms. Every response is untrusted input.
/// </summary>
public sealed partial class HttpWalletGateway : IWalletGateway, IDisposable
{
    private const int MaxResponseBytes = 1024 * 1024;
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(2);
    private static readonly JsonDocumentOptions JsonLimits = new() { MaxDepth = 16, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    private readonly HttpClient _http;
    private readonly ResiliencePipeline _reads;
    private readonly ResiliencePipeline _writes;
    private readonly ILogger<HttpWalletGateway> _logger;
    private readonly TimeProvider _time;

    public HttpWalletGateway(IOptions<WalletOptions> options, TimeProvider time, ILogger<HttpWalletGateway> logger, HttpMessageHandler? handler = null)
    {
        var o = options.Value;
        _logger = logger;
        _time = time;
        handler ??= new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromMilliseconds(Math.Min(o.ReadTimeoutMs, 5_000)),
            MaxResponseHeadersLength = 64,
        };
        var baseUrl = o.BaseUrl ?? throw new InvalidOperationException("Wallet:BaseUrl is required for the http provider.");
        _http = new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/"),
            Timeout = Timeout.InfiniteTimeSpan, // Polly owns timeouts
            MaxResponseContentBufferSize = MaxResponseBytes,
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", o.ApiKey);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        var breaker = new CircuitBreakerStrategyOptions
        {
            FailureRatio = o.BreakerFailureRatio,
            MinimumThroughput = o.BreakerMinimumThroughput,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(o.BreakerBreakSeconds),
            ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutRejectedException>().Handle<OperatorStatusException>(e => e.Status >= 500 || e.Status == 429).Handle<WalletProtocolException>(),
        };

        // One breaker for reads and actions: when the operator is down, neither hammers it.
        var sharedBreaker = new ResiliencePipelineBuilder { TimeProvider = time }.AddCircuitBreaker(breaker).Build();

        _reads = WithRetry(new ResiliencePipelineBuilder { TimeProvider = time }, o,
                new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutRejectedException>()
                    .Handle<OperatorStatusException>(e => (e.Status >= 500 || e.Status == 429) && !(e.RetryAfter > MaxRetryAfter)))
            .AddPipeline(sharedBreaker)
            .AddTimeout(TimeSpan.FromMilliseconds(o.ReadTimeoutMs))
            .Build();

        // Actions: a retry is safe only when the operator clearly did not take the request; the Idempotency-Key covers the rest.
        _writes = WithRetry(new ResiliencePipelineBuilder { TimeProvider = time }, o,
                new PredicateBuilder()
                    .Handle<HttpRequestException>(e => e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
                    .Handle<OperatorStatusException>(e => e.Status is 429 or 502 or 503 or 504 && !(e.RetryAfter > MaxRetryAfter)))
            .AddPipeline(sharedBreaker)
            .AddTimeout(TimeSpan.FromMilliseconds(o.ActionTimeoutMs))
            .Build();
    }

    /// <summary>
    /// Adds the retry strategy when more than one attempt is configured. Polly refuses a retry strategy with zero
    /// retries, so <c>MaxAttempts = 1</c> (the options allow it: "never retry") means no retry strategy at all.
    /// </summary>
    private static ResiliencePipelineBuilder WithRetry(ResiliencePipelineBuilder builder, WalletOptions o, PredicateBuilder<object> shouldHandle) =>
        o.MaxAttempts <= 1
            ? builder
            : builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = o.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(o.RetryBaseDelayMs),
                ShouldHandle = shouldHandle,
                DelayGenerator = RetryAfterDelay,
            });

    public void Dispose() => _http.Dispose();

    public Task<WalletAccount?> FindAccountAsync(string customerExternalId, CancellationToken cancellationToken = default) =>
        ReadAsync($"v1/customers/{Seg(customerExternalId)}/account", ParseAccount, allowNotFound: true, cancellationToken);

    public async Task<IReadOnlyList<WalletBalance>> GetBalancesAsync(string accountId, CancellationToken cancellationToken = default) =>
        await ReadAsync($"v1/accounts/{Seg(accountId)}/balances", e => Items(e, "balances", 50, ParseBalance), allowNotFound: true, cancellationToken) ?? [];

    public async Task<WalletTransactionPage> ListTransactionsAsync(string accountId, WalletTransactionQuery query, CancellationToken cancellationToken = default)
    {
        var parameters = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parameters.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }

        Add("status", query.Status);
        Add("type", query.Type);
        Add("currency", query.Currency);
        Add("from", query.From?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        Add("to", query.To?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        Add("minAmountMinor", query.MinAmountMinor?.ToString(CultureInfo.InvariantCulture));
        Add("maxAmountMinor", query.MaxAmountMinor?.ToString(CultureInfo.InvariantCulture));
        Add("cursor", query.Cursor);
        Add("limit", Math.Clamp(query.Limit, 1, 200).ToString(CultureInfo.InvariantCulture));
        var page = await ReadAsync($"v1/accounts/{Seg(accountId)}/transactions?{string.Join('&', parameters)}", e =>
            new WalletTransactionPage(Items(e, "items", 200, ParseTransaction), OptionalString(e, "nextCursor", 200)), allowNotFound: true, cancellationToken);
        return page ?? new WalletTransactionPage([], null);
    }

    public Task<WalletTransaction?> GetTransactionAsync(string accountId, string idOrReference, CancellationToken cancellationToken = default) =>
        ReadAsync($"v1/accounts/{Seg(accountId)}/transactions/{Seg(idOrReference)}", ParseTransaction, allowNotFound: true, cancellationToken);

    public async Task<IReadOnlyList<WalletSecurityEvent>> ListSecurityEventsAsync(string accountId, int limit, CancellationToken cancellationToken = default) =>
        await ReadAsync($"v1/accounts/{Seg(accountId)}/security-events?limit={Math.Clamp(limit, 1, 200)}", e => Items(e, "items", 200, ParseSecurityEvent), allowNotFound: true, cancellationToken) ?? [];

    public async Task<StepUpChallenge> StartStepUpAsync(string accountId, string purpose, CancellationToken cancellationToken = default) =>
        await WriteAsync($"v1/accounts/{Seg(accountId)}/step-up", new { purpose }, Guid.NewGuid().ToString("N"), ParseChallenge, cancellationToken)
            ?? throw new WalletUnavailableException("The wallet did not start the step-up.");

    public async Task<StepUpOutcome> CompleteStepUpAsync(string accountId, string challengeId, string code, CancellationToken cancellationToken = default)
    {
        var outcome = await WriteAsync($"v1/accounts/{Seg(accountId)}/step-up/{Seg(challengeId)}/complete", new { code }, Guid.NewGuid().ToString("N"),
            e => RequiredString(e, "outcome", 32), cancellationToken);
        return outcome switch
        {
            "passed" => StepUpOutcome.Passed,
            "wrong_code" => StepUpOutcome.WrongCode,
            "expired" => StepUpOutcome.Expired,
            "too_many_attempts" => StepUpOutcome.TooManyAttempts,
            _ => StepUpOutcome.NotFound,
        };
    }

    public Task<StepUpChallenge?> FindFreshStepUpAsync(string accountId, DateTimeOffset passedSince, CancellationToken cancellationToken = default) =>
        ReadAsync($"v1/accounts/{Seg(accountId)}/step-up/fresh?since={Uri.EscapeDataString(passedSince.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture))}",
            ParseChallenge, allowNotFound: true, cancellationToken);

    public Task<WalletActionResult?> GetActionAsync(string idempotencyKey, CancellationToken cancellationToken = default) =>
        ReadAsync($"v1/actions/{Seg(idempotencyKey)}", ParseActionResult, allowNotFound: true, cancellationToken);

    public async Task<WalletActionResult> ExecuteAsync(WalletActionCommand command, CancellationToken cancellationToken = default)
    {
        var body = new
        {
            kind = command.Kind,
            accountId = command.AccountId,
            transactionId = command.TransactionId,
            amountMinor = command.AmountMinor,
            currency = command.Currency,
            reason = command.Reason,
            stepUpChallengeId = command.StepUpChallengeId,
            holdOutboundUntil = command.HoldOutboundUntil,
            requestedBy = command.RequestedBy,
        };
        try
        {
            var result = await WriteAsync("v1/actions", body, command.IdempotencyKey, ParseActionResult, cancellationToken);
            if (result is null || !string.Equals(result.IdempotencyKey, command.IdempotencyKey, StringComparison.Ordinal))
            {
                throw new WalletProtocolException("The action result does not match the request.");
            }

            return result;
        }
        catch (WalletUnavailableException ex) when (ex.OutcomeUnknown)
        {
            // The request may have been applied: ask, do not re-send.
            _logger.LogWarning("Wallet action outcome unknown ({Reason}); querying its status", ex.Message);
            return await GetActionAsync(command.IdempotencyKey, cancellationToken)
                ?? throw new WalletUnavailableException("The wallet did not confirm the action and has no record of it yet.", outcomeUnknown: true, ex);
        }
    }

    private async Task<T?> ReadAsync<T>(string path, Func<JsonElement, T> parse, bool allowNotFound, CancellationToken ct) where T : class
    {
        try
        {
            return await _reads.ExecuteAsync(async token =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
                if (response.StatusCode == HttpStatusCode.NotFound && allowNotFound)
                {
                    return null;
                }

                EnsureSuccess(response);
                return parse(await ParseJsonAsync(response, token));
            }, ct);
        }
        catch (Exception ex) when (Translate(ex, outcomeUnknown: false) is { } translated)
        {
            throw translated;
        }
    }

    private async Task<T?> WriteAsync<T>(string path, object body, string idempotencyKey, Func<JsonElement, T> parse, CancellationToken ct) where T : class
    {
        var json = JsonSerializer.Serialize(body, JsonSerializerOptions.Web);
        var sent = false;
        try
        {
            return await _writes.ExecuteAsync(async token =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
                request.Headers.Add("Idempotency-Key", idempotencyKey);
                sent = true;
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
                if (response.StatusCode == HttpStatusCode.Conflict)
                {
                    throw new WalletProtocolException("The wallet reports the idempotency key was used for a different request.");
                }

                EnsureSuccess(response);
                return parse(await ParseJsonAsync(response, token));
            }, ct);
        }
        catch (Exception ex) when (Translate(ex, outcomeUnknown: sent && ex is TimeoutRejectedException or OperatorStatusException { Status: 500 } or HttpRequestException { InnerException: not SocketException { SocketErrorCode: SocketError.ConnectionRefused } } or WalletProtocolException) is { } translated)
        {
            throw translated;
        }
    }

    private static WalletUnavailableException? Translate(Exception ex, bool outcomeUnknown) => ex switch
    {
        WalletUnavailableException => null,
        BrokenCircuitException => new WalletUnavailableException("The wallet connection is paused after repeated failures (circuit open); try later.", false, ex),
        TimeoutRejectedException => new WalletUnavailableException("The wallet did not answer in time.", outcomeUnknown, ex),
        OperatorStatusException status => new WalletUnavailableException($"The wallet answered {status.Status}.", outcomeUnknown, ex),
        WalletProtocolException protocol => new WalletUnavailableException($"The wallet sent an invalid response: {protocol.Message}", outcomeUnknown, ex),
        HttpRequestException => new WalletUnavailableException("The wallet could not be reached.", outcomeUnknown, ex),
        _ => null,
    };

    private void EnsureSuccess(HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var retryAfter = response.Headers.RetryAfter?.Delta
            ?? (response.Headers.RetryAfter?.Date is { } date ? date - _time.GetUtcNow() : null);
        throw new OperatorStatusException((int)response.StatusCode, retryAfter);
    }

    private static async Task<JsonElement> ParseJsonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is not ("application/json" or "application/problem+json"))
        {
            throw new WalletProtocolException("the response is not JSON");
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        try
        {
            using var document = JsonDocument.Parse(bytes, JsonLimits);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new WalletProtocolException("the response is not a JSON object");
            }

            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new WalletProtocolException("the response is not valid JSON");
        }
    }

    private static ValueTask<TimeSpan?> RetryAfterDelay(RetryDelayGeneratorArguments<object> args) =>
        ValueTask.FromResult(args.Outcome.Exception is OperatorStatusException { RetryAfter: { } wait } && wait <= MaxRetryAfter ? wait : (TimeSpan?)null);

    private static string Seg(string value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 128)
        {
            throw new WalletUnavailableException("An id sent to the wallet was empty or too long.");
        }

        return Uri.EscapeDataString(value);
    }

    // ---------------------------------------------------------------- response validation (untrusted input)

    private static WalletAccount ParseAccount(JsonElement e)
    {
        var status = OneOf(e, "status", AccountStatuses.All);
        return new WalletAccount(
            Id(e, "accountId"),
            RequiredString(e, "customerId", 128),
            status,
            (int)Number(e, "kycTier", 0, 3),
            OneOf(e, "kycState", KycStates.All),
            Money.MaskPhone(OptionalString(e, "phone", 32)),
            TimeZoneId(OptionalString(e, "timeZone", 64)),
            OptionalTime(e, "outboundHoldUntil"),
            Time(e, "createdAt"),
            Items(e, "devices", 50, d => new WalletDevice(Id(d, "deviceId"), RequiredString(d, "name", 100), RequiredString(d, "platform", 32), Time(d, "firstSeenAt"), Time(d, "lastSeenAt"), Bool(d, "registered"))),
            Items(e, "fundingSources", 50, ParseFundingSource));
    }

    private static WalletFundingSource ParseFundingSource(JsonElement e)
    {
        var last4 = RequiredString(e, "last4", 4);
        var brand = RequiredString(e, "brand", 64);
        if (!Last4Pattern().IsMatch(last4) || DigitRun().IsMatch(brand))
        {
            // Never accept anything that could carry more of a card number than the last four digits.
            throw new WalletProtocolException("a funding source carries more than brand and last four digits");
        }

        return new WalletFundingSource(Id(e, "fundingSourceId"), OneOf(e, "kind", new HashSet<string>(StringComparer.Ordinal) { "card", "bank_account" }), brand, last4, RequiredString(e, "status", 16));
    }

    private static WalletBalance ParseBalance(JsonElement e) =>
        new(Currency(e, "currency"), Number(e, "availableMinor", -1_000_000_000_000_000, 1_000_000_000_000_000), Number(e, "pendingOutMinor", 0, 1_000_000_000_000_000));

    private static WalletTransaction ParseTransaction(JsonElement e)
    {
        var amount = Number(e, "amountMinor", 0, 1_000_000_000_000_000);
        var refunded = Number(e, "refundedMinor", 0, amount);
        var reason = OptionalString(e, "reasonCode", 32);
        if (reason is not null && !CodePattern().IsMatch(reason))
        {
            throw new WalletProtocolException("reasonCode is not a code");
        }

        return new WalletTransaction(
            Id(e, "transactionId"),
            Reference(e),
            OneOf(e, "type", TransactionTypes.All),
            OneOf(e, "direction", new HashSet<string>(StringComparer.Ordinal) { "in", "out" }),
            amount,
            Currency(e, "currency"),
            OneOf(e, "status", TransactionStatuses.All),
            reason,
            Clean(OptionalString(e, "counterparty", 128)),
            e.TryGetProperty("fundingSource", out var source) && source.ValueKind == JsonValueKind.Object ? ParseFundingSource(source) : null,
            Time(e, "createdAt"),
            Time(e, "updatedAt"),
            OptionalTime(e, "expectedSettlementAt"),
            refunded,
            e.TryGetProperty("originalTransactionId", out var original) && original.ValueKind == JsonValueKind.String ? Id(e, "originalTransactionId") : null,
            e.TryGetProperty("disputeOpen", out var dispute) && dispute.ValueKind == JsonValueKind.True);
    }

    private static WalletSecurityEvent ParseSecurityEvent(JsonElement e) => new(
        Id(e, "eventId"), OneOf(e, "kind", SecurityEventKinds.All), Time(e, "at"), Clean(OptionalString(e, "deviceName", 100)), Clean(OptionalString(e, "location", 100)), Bool(e, "suspicious"));

    private static StepUpChallenge ParseChallenge(JsonElement e) =>
        new(Id(e, "challengeId"), RequiredString(e, "purpose", 32), Time(e, "createdAt"), Time(e, "expiresAt"), OptionalTime(e, "passedAt"));

    private static WalletActionResult ParseActionResult(JsonElement e)
    {
        var code = OptionalString(e, "code", 32);
        if (code is not null && !CodePattern().IsMatch(code))
        {
            throw new WalletProtocolException("code is not a code");
        }

        var status = OptionalString(e, "accountStatus", 16);
        if (status is not null && !AccountStatuses.All.Contains(status))
        {
            throw new WalletProtocolException("accountStatus is unknown");
        }

        return new WalletActionResult(
            RequiredString(e, "idempotencyKey", 100),
            OneOf(e, "outcome", new HashSet<string>(StringComparer.Ordinal) { WalletActionOutcomes.Completed, WalletActionOutcomes.Pending, WalletActionOutcomes.Failed }),
            code,
            e.TryGetProperty("transactionId", out var tx) && tx.ValueKind == JsonValueKind.String ? Id(e, "transactionId") : null,
            e.TryGetProperty("transactionReference", out var r) && r.ValueKind == JsonValueKind.String ? Reference(e, "transactionReference") : null,
            status);
    }

    private static List<T> Items<T>(JsonElement e, string name, int max, Func<JsonElement, T> parse)
    {
        if (!e.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new WalletProtocolException($"{name} is missing");
        }

        if (array.GetArrayLength() > max)
        {
            throw new WalletProtocolException($"{name} has too many items");
        }

        return array.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.Object ? parse(item) : throw new WalletProtocolException($"{name} holds a non-object")).ToList();
    }

    private static string RequiredString(JsonElement e, string name, int max) =>
        OptionalString(e, name, max) ?? throw new WalletProtocolException($"{name} is missing");

    private static string? OptionalString(JsonElement e, string name, int max)
    {
        if (!e.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new WalletProtocolException($"{name} is not a string");
        }

        var text = value.GetString()!;
        return text.Length == 0 || text.Length > max ? throw new WalletProtocolException($"{name} is empty or too long") : text;
    }

    private static string Id(JsonElement e, string name)
    {
        var id = RequiredString(e, name, 64);
        return IdPattern().IsMatch(id) ? id : throw new WalletProtocolException($"{name} is not an id");
    }

    private static string Reference(JsonElement e, string name = "reference")
    {
        var reference = RequiredString(e, name, 32);
        return IdPattern().IsMatch(reference) ? reference : throw new WalletProtocolException($"{name} is not a reference");
    }

    private static string OneOf(JsonElement e, string name, IReadOnlySet<string> allowed)
    {
        var value = RequiredString(e, name, 32);
        return allowed.Contains(value) ? value : throw new WalletProtocolException($"{name} '{Clean(value)}' is not known");
    }

    private static string Currency(JsonElement e, string name)
    {
        var value = RequiredString(e, name, 3);
        return Money.IsCurrency(value) ? value : throw new WalletProtocolException($"{name} is not an ISO 4217 code");
    }

    private static long Number(JsonElement e, string name, long min, long max) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= min && number <= max
            ? number
            : throw new WalletProtocolException($"{name} is missing or out of range");

    private static bool Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new WalletProtocolException($"{name} is not a boolean");

    private static DateTimeOffset Time(JsonElement e, string name) =>
        OptionalTime(e, name) ?? throw new WalletProtocolException($"{name} is missing");

    private static DateTimeOffset? OptionalTime(JsonElement e, string name)
    {
        var text = OptionalString(e, name, 40);
        return text is null ? null
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at.ToUniversalTime()
            : throw new WalletProtocolException($"{name} is not a timestamp");
    }

    private static string TimeZoneId(string? id) => id is not null && TimeZonePattern().IsMatch(id) ? id : "UTC";

    private static string? Clean(string? text) => text is null ? null : new string(text.Where(c => !char.IsControl(c)).ToArray());

    [GeneratedRegex("^[0-9]{4}$")]
    private static partial Regex Last4Pattern();

    [GeneratedRegex("[0-9]{5,}")]
    private static partial Regex DigitRun();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,31}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,100}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}$|^UTC$")]
    private static partial Regex TimeZonePattern();
}

/// <summary>The operator answered with an error status.</summary>
internal sealed class OperatorStatusException(int status, TimeSpan? retryAfter) : Exception($"The wallet answered {status}.")
{
    public int Status { get; } = status;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>The operator's response broke the contract (bad JSON, missing or out-of-range fields, unmasked data).</summary>
internal sealed class WalletProtocolException(string message) : Exception(message);
