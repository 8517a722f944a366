using Microsoft.Extensions.Options;

namespace WalletDesk.Server.Infrastructure;

/// <summary>What features add to the site-wide Content-Security-Policy (configured by modules, not bound to configuration).</summary>
public sealed class SecurityHeadersOptions
{
    /// <summary>Hosts images may be loaded from over HTTPS besides this origin (the knowledge base's allowed image hosts).</summary>
    public List<string> ImageHosts { get; } = [];
}

/// <summary>CSP without unsafe-inline, nosniff, no referrer, no framing; private pages are never cached.</summary>
internal static class SecurityHeaders
{
    /// <summary>The policy; <paramref name="imageHosts"/> (plain host names, validated by the module that adds them) join img-src as https sources.</summary>
    internal static string Policy(IEnumerable<string> imageHosts)
    {
        var images = string.Concat(imageHosts.Distinct(StringComparer.OrdinalIgnoreCase).Select(h => " https://" + h));
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:" + images + "; font-src 'self'; connect-src 'self'; " +
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        var contentSecurityPolicy = Policy(app.ApplicationServices.GetRequiredService<IOptions<SecurityHeadersOptions>>().Value.ImageHosts);
        return app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                // An endpoint may have set a stricter policy (attachment downloads use `sandbox`): keep it.
                if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
                {
                    headers.ContentSecurityPolicy = contentSecurityPolicy;
                }

                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
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
}
