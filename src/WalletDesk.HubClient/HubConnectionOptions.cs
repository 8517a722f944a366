using System.Text.Json;

namespace WalletDesk.HubClient;

/// <summary>How to reach a hub and how to behave on the connection.</summary>
public sealed class HubConnectionOptions
{
    /// <param name="url">The hub's HTTP(S) URL, e.g. <c>http://127.0.0.1:5000/hubs/chat</c>.</param>
    public HubConnectionOptions(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException("The hub URL must be http or https.", nameof(url));
        }

        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Sent as <c>Authorization: Bearer</c> on negotiate and as <c>access_token</c> on the WebSocket URL (browsers cannot set headers there, so servers read it from the query).</summary>
    public string? AccessToken { get; set; }

    /// <summary>Extra headers for both the negotiate request and the WebSocket upgrade, e.g. <c>Origin</c> or <c>Cookie</c>.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>A ping is sent when nothing else was sent for this long (the server drops clients silent for its ClientTimeoutInterval, 30 s by default).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The connection is closed when nothing, not even a ping, arrived from the server for this long (servers ping every 15 s by default).</summary>
    public TimeSpan ServerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Limit for negotiate, the WebSocket upgrade and the handshake together.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long <see cref="HubConnection.DisposeAsync"/> waits for the server to acknowledge the close before dropping the socket.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A single message from the server larger than this closes the connection.</summary>
    public int MaximumReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Serializer for arguments, results and events; defaults to the web defaults (camelCase, case-insensitive), like ASP.NET Core.</summary>
    public JsonSerializerOptions SerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// HTTP handler for negotiate and the WebSocket upgrade; by default one shared handler without a cookie jar (cookies are
    /// only what <see cref="Headers"/> says). Many connections sharing one handler keep the client's own memory small.
    /// </summary>
    public HttpMessageInvoker? HttpClient { get; set; }

    /// <summary>Called when an event handler throws (the connection carries on). Without it, handler exceptions are dropped.</summary>
    public Action<string, Exception>? HandlerError { get; set; }
}
