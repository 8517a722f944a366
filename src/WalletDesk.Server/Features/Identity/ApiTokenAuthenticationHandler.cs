using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace WalletDesk.Server.Features.Identity;

internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = BearerToken.From(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        var found = await tokens.ValidateAsync(presented, Context.RequestAborted);
        if (found is not { } match)
        {
            return AuthenticateResult.Fail("The API token is unknown, revoked or expired.");
        }

        var claims = new List<Claim>
        {
            new(WalletDeskClaims.Subject, match.Owner.Id.ToString()),
            new(WalletDeskClaims.Name, match.Owner.UserName),
            new(WalletDeskClaims.DisplayName, match.Owner.DisplayName),
            new(WalletDeskClaims.Role, match.Owner.Role),
            new(WalletDeskClaims.AuthMethod, WalletDeskClaims.MethodApiToken),
            new("token_id", match.Token.Id.ToString()),
        };
        // A scope the owner's current role no longer allows is dropped, so demotion narrows tokens at once.
        claims.AddRange(match.Token.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => ApiScopes.AllowedFor(s, match.Owner.Role))
            .Select(s => new Claim(WalletDeskClaims.Scope, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name, WalletDeskClaims.Name, WalletDeskClaims.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }
}

internal static class BearerToken
{
    public static string? From(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var value = header["Bearer ".Length..].Trim();
            return value.Length == 0 ? null : value;
        }

        // Browsers cannot set headers on WebSocket handshakes, so the hub accepts the token in the query string (scrubbed from logs).
        if (request.Path.StartsWithSegments("/hubs") && request.Query.TryGetValue("access_token", out var fromQuery))
        {
            var value = fromQuery.ToString();
            return value.Length == 0 ? null : value;
        }

        return null;
    }
}
