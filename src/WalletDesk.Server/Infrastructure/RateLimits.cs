using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using WalletDesk.Server.Features.Identity;

namespace WalletDesk.Server.Infrastructure;

/// <summary>Rate-limit policies. Sign-in is limited per client IP; the account lockout covers the per-account side.</summary>
public static class RateLimits
{
    public const string SignIn = "sign-in";
    public const string Public = "public";

    public static IServiceCollection AddWalletDeskRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var signInPerMinute = configuration.GetValue("RateLimits:SignInPerMinute", 20);
        var publicPerMinute = configuration.GetValue("RateLimits:PublicPerMinute", 120);
        var apiPerMinute = configuration.GetValue("RateLimits:ApiPerMinute", 1200);
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(SignIn, context => RateLimitPartition.GetFixedWindowLimiter(
                "sign-in:" + ClientIp(context),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = signInPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            options.AddPolicy(Public, context => RateLimitPartition.GetFixedWindowLimiter(
                "public:" + ClientIp(context),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = publicPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

            // Every request counts against its caller (staff member, token owner or customer), or its IP when anonymous;
            // anonymous callers get the smaller public budget; API calls and pages are counted separately. Health checks are exempt (DisableRateLimiting on their endpoints).
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var subject = context.User.FindFirst(WalletDeskClaims.Subject)?.Value;
                var api = context.Request.Path.StartsWithSegments("/api");
                var who = subject ?? "ip:" + ClientIp(context);
                var limit = subject is null ? publicPerMinute : apiPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter((api ? "api:" : "page:") + who, _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });

            options.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? (int)Math.Ceiling(wait.TotalSeconds) : 60;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem(
                    title: "Too many requests",
                    detail: $"Slow down: try again in {retryAfter} seconds.",
                    statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    private static string ClientIp(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
