using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using WalletDesk.Server.Features.Phone;
using WalletDesk.Server.Tests.Infrastructure;
using WalletDesk.Server.Tests.Wallet;

namespace WalletDesk.Server.Tests.Phone;

/// <summary>One server per provider with a telephony webhook secret configured and the settlement job off.</summary>
public sealed class PhoneFixture : IAsyncLifetime
{
    public const string WebhookSecret = "test-telephony-secret-0123456789abcdef";

    private readonly ConcurrentDictionary<string, Lazy<Task<WalletDeskFactory>>> _factories = new();

    public static readonly Dictionary<string, string?> Settings = new()
    {
        ["Wallet:RunSettlementJob"] = "false",
        ["Phone:WebhookSecret"] = WebhookSecret,
        ["Phone:WebhookToleranceSeconds"] = "300",
        ["Phone:MaxOpenCallbacksPerCustomer"] = "2",
    };

    public Task<WalletDeskFactory> For(string provider) =>
        _factories.GetOrAdd(provider, p => new Lazy<Task<WalletDeskFactory>>(() => WalletDeskFactory.CreateAsync(p, Settings))).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var lazy in _factories.Values.Where(l => l.IsValueCreated))
        {
            await (await lazy.Value).DisposeAsync();
        }
    }
}

/// <summary>A wallet customer (registered phone +86 138 0013 8021) with an app client.</summary>
public sealed record PhoneCustomer(Guid Id, string ExternalId, HttpClient Client);

public static class PhoneTestSupport
{
    public const string WalletMaskedPhone = "+86 *** **21";

    public static async Task<PhoneCustomer> CreatePhoneCustomerAsync(this WalletDeskFactory app)
    {
        var wallet = await app.CreateCustomerWithWalletAsync(balance: 0);
        return new PhoneCustomer(wallet.Customer.Id, wallet.Customer.ExternalId, app.CustomerClient(wallet.Customer.ExternalId));
    }

    public static object CallbackBody(WalletDeskFactory app, string topic = "My transfer has not arrived", int startInHours = 1, long? ticketId = null, string? clientRequestId = null) => new
    {
        windowStart = app.Clock.GetUtcNow().AddHours(startInHours),
        windowEnd = app.Clock.GetUtcNow().AddHours(startInHours + 2),
        topic,
        ticketId,
        clientRequestId,
    };

    public static async Task<CustomerCallbackResponse> RequestCallbackAsync(this PhoneCustomer customer, WalletDeskFactory app, int startInHours = 1, string topic = "My transfer has not arrived") =>
        await (await customer.Client.PostAsJsonAsync("/api/me/callbacks", CallbackBody(app, topic, startInHours))).ReadAsAsync<CustomerCallbackResponse>(HttpStatusCode.Created);

    /// <summary>Posts a call event as the telephony provider does: HMAC-SHA256 over "timestamp.body" with the shared secret.</summary>
    public static Task<HttpResponseMessage> PostTelephonyEventAsync(this HttpClient client, string body, long timestamp, string? secret = PhoneFixture.WebhookSecret, string? signatureOverride = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/telephony/events") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Telephony-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        if (signatureOverride is not null)
        {
            request.Headers.Add("X-Telephony-Signature", signatureOverride);
        }
        else if (secret is not null)
        {
            request.Headers.Add("X-Telephony-Signature", Signature(secret, timestamp, body));
        }

        return client.SendAsync(request);
    }

    public static string Signature(string secret, long timestamp, string body) =>
        "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body)));

    public static long Now(this WalletDeskFactory app) => app.Clock.GetUtcNow().ToUnixTimeSeconds();
}

public sealed record ValidationProblem(string Title, Dictionary<string, string[]> Errors);
