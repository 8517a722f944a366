namespace WalletDesk.Server.Infrastructure;

/// <summary>CSP without unsafe-inline, nosniff, no referrer, no framing; private pages are never cached.</summary>
internal static class SecurityHeaders
{
    private const string PolicyWithoutFraming =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; ";

    private const string ContentSecurityPolicy = PolicyWithoutFraming + "frame-ancestors 'none'";

    /// <summary>
    /// The one exception to "never framed": a page (the chat widget) that WalletDesk itself and the listed origins may
    /// embed. The origins must already be validated <c>scheme://host[:port]</c> strings.
    /// </summary>
    public static void AllowFramingBy(HttpContext context, IEnumerable<string> origins)
    {
        context.Response.Headers.ContentSecurityPolicy = PolicyWithoutFraming + "frame-ancestors " + string.Join(' ', origins.Prepend("'self'"));
        context.Items[FramingAllowed] = true;
    }

    private const string FramingAllowed = "walletdesk.framing-allowed";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                // An endpoint may have set a stricter policy (attachment downloads use `sandbox`): keep it.
                if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
                {
                    headers.ContentSecurityPolicy = ContentSecurityPolicy;
                }

                headers.XContentTypeOptions = "nosniff";
                if (!context.Items.ContainsKey(FramingAllowed))
                {
                    // X-Frame-Options cannot list origins; where framing is allowed, CSP frame-ancestors decides alone.
                    headers.XFrameOptions = "DENY";
                }

                headers["Referrer-Policy"] = "no-referrer";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
                var path = context.Request.Path;
                if (path.StartsWithSegments("/console") || path.StartsWithSegments("/api") || path.StartsWithSegments("/health"))
                {
                    headers.CacheControl = "no-store";
                    headers.Pragma = "no-cache";
                }

                return Task.CompletedTask;
            });
            await next();
        });
}
