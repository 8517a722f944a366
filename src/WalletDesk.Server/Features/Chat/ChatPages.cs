using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Components.Pages.Console.Tickets;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Server.Features.Chat;

/// <summary>
/// The customer's chat pages: <c>/chat/widget</c> (inside the iframe that <c>/widget.js</c> adds to an operator's site)
/// and <c>/chat</c> (the same app as a full page for mobile web views). Both are a static shell; the app is plain ES
/// modules under wwwroot/js/chat that talk to /hubs/chat. Plus the console's customer-panel fragment for a chat.
/// </summary>
public static class ChatPages
{
    public static WebApplication MapChatPages(this WebApplication app)
    {
        app.MapGet("/chat", FullPage).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/chat/widget", WidgetPage).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/console/chats/{id:long}/panel", CustomerPanelFragment).RequireAuthorization(StaffPolicies.Agent).ExcludeFromDescription();
        return app;
    }

    /// <summary>Allowed origins in canonical <c>scheme://host[:port]</c> form; anything malformed is left out.</summary>
    public static IReadOnlyList<string> CanonicalOrigins(IEnumerable<string> configured) => configured
        .Select(o => Uri.TryCreate(o.Trim().TrimEnd('/'), UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.PathAndQuery == "/" && uri.UserInfo.Length == 0
            ? uri.GetLeftPart(UriPartial.Authority)
            : null)
        .OfType<string>()
        .Distinct(StringComparer.OrdinalIgnoreCase)
        .ToList();

    private static IResult FullPage(HttpContext context, string? lang) => Shell(context, "page", lang);

    private static IResult WidgetPage(HttpContext context, IOptions<ChatOptions> options, string? lang)
    {
        // Only WalletDesk itself and the operator's own sites may frame the widget (clickjacking, K-items in the checklist).
        SecurityHeaders.AllowFramingBy(context, CanonicalOrigins(options.Value.AllowedOrigins));
        return Shell(context, "widget", lang);
    }

    private static ContentHttpResult Shell(HttpContext context, string mode, string? lang)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<ChatOptions>>().Value;
        var language = lang?.StartsWith("zh", StringComparison.OrdinalIgnoreCase) == true ? "zh" : lang is null ? "" : "en";
        var origins = WebUtility.HtmlEncode(string.Join(' ', CanonicalOrigins(options.AllowedOrigins)));
        context.Response.Headers.CacheControl = "no-store";
        var html = $$"""
            <!DOCTYPE html>
            <html lang="{{(language == "zh" ? "zh-CN" : "en")}}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
            <meta name="robots" content="noindex">
            <title>WalletDesk</title>
            <link rel="icon" href="data:,">
            <link rel="stylesheet" href="/css/chat.css">
            <script type="module" src="/js/chat/app.js"></script>
            </head>
            <body class="chat-body mode-{{mode}}" data-mode="{{mode}}" data-lang="{{language}}" data-allowed-origins="{{origins}}">
            <main id="chat" class="chat"><noscript>Chat needs JavaScript. 在线客服需要启用 JavaScript。</noscript></main>
            </body>
            </html>
            """;
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    /// <summary>The ticket page's customer panel (wallet, transactions, past tickets; audited) for the chat console.</summary>
    private static async Task<IResult> CustomerPanelFragment(long id, AppDbContext db, CancellationToken ct)
    {
        var ticket = await db.Tickets.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
        if (ticket is null)
        {
            return Problems.NotFound("The conversation");
        }

        return new RazorComponentResult<CustomerPanel>(new { Ticket = ticket });
    }
}
