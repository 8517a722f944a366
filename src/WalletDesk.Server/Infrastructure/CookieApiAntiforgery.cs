using Microsoft.AspNetCore.Antiforgery;
using WalletDesk.Server.Features.Identity;

namespace WalletDesk.Server.Infrastructure;

/// <summary>
/// Cookie-authenticated API calls that change state must carry the antiforgery token in X-CSRF-TOKEN
/// (SameSite=Strict is the first line; this is the second). Bearer-token callers are not exposed to CSRF.
/// </summary>
internal static class CookieApiAntiforgery
{
    public static IApplicationBuilder UseCookieApiAntiforgery(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var method = context.Request.Method;
            if (context.Request.Path.StartsWithSegments("/api")
                && !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
                && context.User.AuthMethodOf() == WalletDeskClaims.MethodCookie)
            {
                var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
                if (!await antiforgery.IsRequestValidAsync(context))
                {
                    await TypedResults.Problem(
                        title: "Missing or invalid CSRF token",
                        detail: "Send the token from GET /api/antiforgery in the X-CSRF-TOKEN header.",
                        statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(context);
                    return;
                }
            }

            await next();
        });

    public static IEndpointRouteBuilder MapAntiforgeryToken(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/antiforgery", (HttpContext context, IAntiforgery antiforgery) =>
                TypedResults.Ok(new AntiforgeryTokenResponse(antiforgery.GetAndStoreTokens(context).RequestToken!)))
            .RequireAuthorization(StaffPolicies.Enrolling)
            .WithTags("Staff");
        return app;
    }
}

/// <summary>The request token to send as X-CSRF-TOKEN with cookie-authenticated changes.</summary>
public sealed record AntiforgeryTokenResponse(string Token);
