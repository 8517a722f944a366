using Microsoft.Extensions.DependencyInjection;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Chat;

/// <summary>A visitor token lives by the server's clock (TimeProvider), not the machine's: it works until its expiry and not after.</summary>
public sealed class VisitorTokenTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task VisitorToken_ValidUntilItsExpiryByTheServersClock_ThenRefused_AndATamperedOneNever()
    {
        var app = await fixture.For(Providers.Sqlite);
        await using var scope = app.Scope();
        var visitors = scope.ServiceProvider.GetRequiredService<ChatVisitors>();
        var token = await visitors.CreateAsync(new VisitorRequest("Ann", "en"), default);

        visitors.Validate(token.Token).ShouldBe(token.VisitorId);
        visitors.Validate(token.Token[..^2] + "xx").ShouldBeNull();

        app.Clock.Advance(token.ExpiresAt - app.Clock.GetUtcNow() - TimeSpan.FromSeconds(1));
        visitors.Validate(token.Token).ShouldBe(token.VisitorId);
        app.Clock.Advance(TimeSpan.FromSeconds(2));
        visitors.Validate(token.Token).ShouldBeNull();
    }
}
