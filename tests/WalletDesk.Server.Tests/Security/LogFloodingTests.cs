using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WalletDesk.HubClient;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Customers;
using WalletDesk.Server.Tests.Chat;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Security;

/// <summary>Issue 15, item 12: what an outsider can cause at will (refused hub calls, unique-key conflicts, bad bodies) is not an error and carries no stack.</summary>
public sealed class LogFloodingTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RefusedHubCalls_AreNotLoggedAsErrorsOrWithStacks(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var victim = await kit.CustomerAsync("Victim");
        var attacker = await kit.CustomerAsync("Attacker");
        var id = (await victim.Hub.InvokeAsync<ChatState>("Start", new StartChat("v", "Hello"))).ConversationId;
        var before = kit.App.Logs.Entries.Count;

        for (var i = 0; i < 10; i++)
        {
            await Should.ThrowAsync<HubCallException>(() => attacker.Hub.InvokeAsync("Send", id, "x" + i, "hello"));
            await Should.ThrowAsync<HubCallException>(() => attacker.Hub.InvokeAsync("Resume", id, 0));
            await Should.ThrowAsync<HubCallException>(() => attacker.Hub.InvokeAsync("Accept", id));
            await Should.ThrowAsync<HubCallException>(() => attacker.Hub.InvokeAsync("Send", id + 1000, "y" + i, new string('a', 20_000)));
            await Should.ThrowAsync<HubCallException>(() => attacker.Hub.InvokeAsync("NoSuchMethod", id));
        }

        var flood = kit.App.Logs.Entries.Skip(before).Where(e => e.Level >= LogLevel.Error || e.Exception is not null).ToList();
        flood.ShouldBeEmpty(string.Join('\n', flood));
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task HandledUniqueKeyConflict_IsNotLoggedAsAnErrorOrWithAStack(string provider)
    {
        var app = await fixture.For(provider);
        var externalId = "dup_" + Guid.NewGuid().ToString("N")[..10];
        await app.WithDbAsync(db =>
        {
            db.Customers.Add(new Customer { Id = Guid.CreateVersion7(), ExternalId = externalId, DisplayName = "First", Locale = "en", CreatedAt = app.Clock.GetUtcNow() });
            return db.SaveChangesAsync();
        });
        var before = app.Logs.Entries.Count;

        for (var i = 0; i < 5; i++)
        {
            await Should.ThrowAsync<DbUpdateException>(() => app.WithDbAsync(db =>
            {
                db.Customers.Add(new Customer { Id = Guid.CreateVersion7(), ExternalId = externalId, DisplayName = "Again", Locale = "en", CreatedAt = app.Clock.GetUtcNow() });
                return db.SaveChangesAsync();
            }));
        }

        // And through the API: many first requests of one new customer race on the unique external id.
        var sub = "race_" + Guid.NewGuid().ToString("N")[..10];
        var token = app.Services.GetRequiredService<WalletDesk.Server.Features.Identity.CustomerTokenValidator>().MintForDemo(sub, "Racer", TimeSpan.FromMinutes(10));
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
        {
            var client = app.CreateClient(app.Options(handleCookies: false));
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return client.GetAsync("/api/me");
        }));
        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);

        var flood = app.Logs.Entries.Skip(before).Where(e => e.Level >= LogLevel.Error || e.Exception is not null).ToList();
        flood.ShouldBeEmpty(string.Join('\n', flood));
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RealDatabaseFailure_IsStillAnErrorWithItsException(string provider)
    {
        var app = await fixture.For(provider);
        var before = app.Logs.Entries.Count;

        await Should.ThrowAsync<Exception>(() => app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("SELECT no_such_column FROM no_such_table")));

        app.Logs.Entries.Skip(before).ShouldContain(e => e.Level == LogLevel.Error && e.Exception != null && e.Category == "WalletDesk.Server.Data.DatabaseErrors");
    }

    [Fact]
    public async Task MalformedBodies_AreNotLoggedAsErrors()
    {
        var app = await fixture.For(Providers.Sqlite);
        var customer = await app.CreateCustomerAsync();
        var before = app.Logs.Entries.Count;

        foreach (var body in new[] { "{", "{\"subject\":5}", "[1,2,3]", "{\"subject\":\"x\",\"body\":{\"a\":1}}" })
        {
            var response = await customer.Client.PostAsync("/api/me/tickets", new StringContent(body, Encoding.UTF8, "application/json"));
            ((int)response.StatusCode).ShouldBeInRange(400, 499, body);
        }

        var flood = app.Logs.Entries.Skip(before).Where(e => e.Level >= LogLevel.Warning || e.Exception is not null).ToList();
        flood.ShouldBeEmpty(string.Join('\n', flood));
    }
}
