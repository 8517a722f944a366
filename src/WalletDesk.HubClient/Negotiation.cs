using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace WalletDesk.HubClient;

/// <summary>The negotiate step: <c>POST {hub}/negotiate?negotiateVersion=1</c> → the connection token for the WebSocket URL.</summary>
internal static class Negotiation
{
    private const int MaxRedirects = 5;

    public sealed record Result(Uri Url, string ConnectionToken, string ConnectionId, string? AccessToken);

    public static async Task<Result> NegotiateAsync(HttpMessageInvoker http, HubConnectionOptions options, CancellationToken cancellationToken)
    {
        var url = options.Url;
        var accessToken = options.AccessToken;
        for (var redirect = 0; redirect <= MaxRedirects; redirect++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, NegotiateUrl(url));
            request.Content = new ByteArrayContent([]);
            if (accessToken is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            }

            foreach (var (name, value) in options.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new HubConnectionException($"Negotiate at {url} answered {(int)response.StatusCode} {response.ReasonPhrase}: {Shorten(body)}", response.StatusCode);
            }

            using var json = ParseObject(body, url);
            var root = json.RootElement;
            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
            {
                throw new HubConnectionException($"Negotiate at {url} failed: {error.GetString()}", response.StatusCode);
            }

            // A redirect (as Azure SignalR Service answers): connect to another URL, with its token.
            if (root.TryGetProperty("url", out var redirectUrl) && redirectUrl.ValueKind == JsonValueKind.String)
            {
                url = new Uri(redirectUrl.GetString()!);
                accessToken = root.TryGetProperty("accessToken", out var t) ? t.GetString() : accessToken;
                continue;
            }

            if (!OffersWebSockets(root))
            {
                throw new HubConnectionException($"The hub at {url} does not offer the WebSockets transport with text frames.");
            }

            var connectionId = String(root, "connectionId") ?? throw Malformed(url, "connectionId");
            var version = root.TryGetProperty("negotiateVersion", out var v) && v.TryGetInt32(out var n) ? n : 0;
            var connectionToken = version >= 1 ? String(root, "connectionToken") ?? throw Malformed(url, "connectionToken") : connectionId;
            return new Result(url, connectionToken, connectionId, accessToken);
        }

        throw new HubConnectionException($"Negotiate was redirected more than {MaxRedirects} times.");
    }

    internal static Uri NegotiateUrl(Uri hub)
    {
        var builder = new UriBuilder(hub);
        builder.Path = builder.Path.TrimEnd('/') + "/negotiate";
        builder.Query = AppendQuery(builder.Query, "negotiateVersion=1");
        return builder.Uri;
    }

    internal static Uri WebSocketUrl(Uri hub, string connectionToken, string? accessToken)
    {
        var builder = new UriBuilder(hub) { Scheme = hub.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" };
        var query = AppendQuery(builder.Query, "id=" + Uri.EscapeDataString(connectionToken));
        if (accessToken is not null)
        {
            query = AppendQuery(query, "access_token=" + Uri.EscapeDataString(accessToken));
        }

        builder.Query = query;
        return builder.Uri;
    }

    private static string AppendQuery(string query, string pair) =>
        query.Length <= 1 ? pair : query.TrimStart('?') + "&" + pair;

    private static bool OffersWebSockets(JsonElement root)
    {
        if (!root.TryGetProperty("availableTransports", out var transports) || transports.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var transport in transports.EnumerateArray())
        {
            if (transport.TryGetProperty("transport", out var name) && name.ValueEquals("WebSockets")
                && transport.TryGetProperty("transferFormats", out var formats) && formats.ValueKind == JsonValueKind.Array
                && formats.EnumerateArray().Any(f => f.ValueEquals("Text")))
            {
                return true;
            }
        }

        return false;
    }

    private static JsonDocument ParseObject(string body, Uri url)
    {
        try
        {
            var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
        }
        catch (JsonException)
        {
            // Reported below with the body.
        }

        throw new HubConnectionException($"Negotiate at {url} did not answer a JSON object: {Shorten(body)}", HttpStatusCode.OK);
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static HubConnectionException Malformed(Uri url, string missing) => new($"Negotiate at {url} answered without '{missing}'.");

    private static string Shorten(string body) => body.Length <= 300 ? body : body[..300] + "…";
}
