using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Identity;

/// <summary>Every route is authorized on the server unless it is deliberately public; a new route without a decision fails here.</summary>
public sealed class EndpointCoverageTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    // Deliberately anonymous routes: health, the API description, the sign-in pages and the root redirect.
    private static readonly string[] PublicRoutes =
    [
        "/health/live", "/health/ready", "/openapi/{documentName}.json", "/", "/console/sign-in", "/console/sign-in/two-factor", "/console/denied",
        "/api/ticket-categories", "/portal/session", "/portal/sign-out", "/portal/signed-out",
        "/api/telephony/events", // authenticated by its HMAC signature, not by a user
        "/api/chat/visitors", "/api/chat/availability", // the web widget's anonymous start (rate limited per IP)
    ];

    [Fact]
    public async Task EveryApiAndConsoleRoute_RequiresAuthorization_UnlessListedAsPublic()
    {
        var app = await fixture.For(Providers.Sqlite);
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        endpoints.Count.ShouldBeGreaterThan(10);

        var unprotected = endpoints
            .Where(e => e.RoutePattern.RawText is { } route && (route.StartsWith("/api", StringComparison.Ordinal) || route.StartsWith("/console", StringComparison.Ordinal) || route.StartsWith("/hubs", StringComparison.Ordinal) || route.StartsWith("/portal", StringComparison.Ordinal)))
            .Where(e => e.Metadata.GetMetadata<IAuthorizeData>() is null && e.Metadata.GetMetadata<AuthorizationPolicy>() is null)
            .Select(e => e.RoutePattern.RawText!)
            .Where(route => !PublicRoutes.Contains(route))
            .Distinct()
            .ToList();

        unprotected.ShouldBeEmpty("routes without an authorization decision");
    }
}
