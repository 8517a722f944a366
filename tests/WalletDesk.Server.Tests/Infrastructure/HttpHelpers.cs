using System.Net;
using System.Net.Http.Json;
using AngleSharp.Html.Parser;

namespace WalletDesk.Server.Tests.Infrastructure;

public static class HttpHelpers
{
    private static readonly HtmlParser Parser = new();

    /// <summary>GETs a page, fills the named Blazor form (keeping its antiforgery and handler fields) and posts it.</summary>
    public static async Task<HttpResponseMessage> SubmitFormAsync(this HttpClient client, string url, string formName, Dictionary<string, string> values, string? submitName = null, string? submitValue = null)
    {
        var page = await client.GetAsync(url);
        var html = await page.Content.ReadAsStringAsync();
        page.StatusCode.ShouldBe(HttpStatusCode.OK, html);
        var document = Parser.ParseDocument(html);
        var form = document.QuerySelectorAll("form").FirstOrDefault(f => f.QuerySelector($"input[name=_handler][value='{formName}']") is not null)
            ?? throw new InvalidOperationException($"No form '{formName}' on {url}:\n{html}");
        var fields = form.QuerySelectorAll("input[type=hidden]")
            .Where(i => i.GetAttribute("name") is not null)
            .Select(i => new KeyValuePair<string, string>(i.GetAttribute("name")!, i.GetAttribute("value") ?? ""))
            .ToList();
        fields.AddRange(values);
        if (submitName is not null)
        {
            fields.Add(new(submitName, submitValue ?? ""));
        }

        var action = form.GetAttribute("action") is { Length: > 0 } a ? a : url;
        return await client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    public static async Task<string> ShouldReturnAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, $"Body: {body}");
        return body;
    }

    public static async Task<T> ReadAsAsync<T>(this HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var body = await response.ShouldReturnAsync(status);
        return System.Text.Json.JsonSerializer.Deserialize<T>(body, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))
            ?? throw new InvalidOperationException("Empty body");
    }

    /// <summary>Fetches the antiforgery token and sends it on every later request, as the console's scripts do.</summary>
    public static async Task<HttpClient> WithCsrfAsync(this HttpClient client)
    {
        var token = await (await client.GetAsync("/api/antiforgery")).ReadAsAsync<AntiforgeryToken>();
        client.DefaultRequestHeaders.Remove("X-CSRF-TOKEN");
        client.DefaultRequestHeaders.Add("X-CSRF-TOKEN", token.Token);
        return client;
    }

    private sealed record AntiforgeryToken(string Token);

    public static AngleSharp.Html.Dom.IHtmlDocument Html(string html) => Parser.ParseDocument(html);

    public static Task<HttpResponseMessage> PostJsonAsync<T>(this HttpClient client, string url, T body) => client.PostAsJsonAsync(url, body);
}

public static class RedirectExtensions
{
    /// <summary>The redirect target as path and query, whether the server sent it absolute or relative.</summary>
    public static string LocationPath(this HttpResponseMessage response)
    {
        var location = response.Headers.Location ?? throw new InvalidOperationException($"No Location header (status {(int)response.StatusCode}).");
        return location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
    }
}
