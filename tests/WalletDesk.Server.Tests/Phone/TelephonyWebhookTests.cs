using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Phone;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Phone;

/// <summary>The telephony provider is played by the test: it posts signed events over real HTTP.</summary>
public sealed class TelephonyWebhookTests(PhoneFixture fixture) : IClassFixture<PhoneFixture>
{
    private static string Event(string eventId, string type, string callId, string? customerExternalId = null, Guid? callbackId = null, int? duration = null, string? outcome = null, string direction = "inbound", string? notes = null) =>
        JsonSerializer.Serialize(new { eventId, type, callId, direction, from = "+86 139 1234 5678", to = "+86 400 800 8000", customerExternalId, callbackId, durationSeconds = duration, outcome, notes });

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SignedEvents_CreateThenUpdateOneCallLog_OnTheCustomersOpenTicket(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreatePhoneCustomerAsync();
        var callback = await customer.RequestCallbackAsync(app);
        var telephony = app.CreateBrowserClient();
        var callId = "call-" + Guid.NewGuid().ToString("N");

        var started = await (await telephony.PostTelephonyEventAsync(Event("evt-" + Guid.NewGuid(), "call.started", callId, customer.ExternalId), app.Now()))
            .ReadAsAsync<TelephonyEventResult>();
        var ended = await (await telephony.PostTelephonyEventAsync(Event("evt-" + Guid.NewGuid(), "call.ended", callId, customer.ExternalId, duration: 125, outcome: "reached", notes: "IVR: customer typed card 4111 1111 1111 1111"), app.Now()))
            .ReadAsAsync<TelephonyEventResult>();

        started.TicketId.ShouldBe(callback.TicketId, "the customer's open ticket");
        ended.CallLogId.ShouldBe(started.CallLogId);
        var log = await app.WithDbAsync(db => db.CallLogs.SingleAsync(c => c.ProviderCallId == callId));
        log.State.ShouldBe("ended");
        log.DurationSeconds.ShouldBe(125);
        log.Outcome.ShouldBe(CallOutcomes.Reached);
        log.Source.ShouldBe("telephony");
        log.MaskedNumber.ShouldBe("+86 *** **78");
        log.Notes.ShouldNotBeNull().ShouldNotContain("4111 1111 1111 1111");
        var notes = await app.WithDbAsync(db => db.TicketMessages.Where(m => m.TicketId == callback.TicketId && m.Visibility == TicketService.Internal).Select(m => m.Body).ToListAsync());
        notes.Count(n => n.StartsWith("Phone call (inbound, 2 min 5 s): reached.", StringComparison.Ordinal)).ShouldBe(1);
        notes.ShouldAllBe(n => !n.Contains("+86 139 1234 5678"));
    }

    public static TheoryData<string, long, string?> BadSignatures => new()
    {
        { "missing signature", 0, null },
        { "wrong secret", 0, "wrong-secret-wrong-secret-wrong-secret" },
        { "expired timestamp", -301, PhoneFixture.WebhookSecret },
        { "timestamp from the future", 301, PhoneFixture.WebhookSecret },
    };

    [Theory, MemberData(nameof(BadSignatures))]
    public async Task BadSignature_Is401_AndWritesNothing(string label, long skewSeconds, string? secret)
    {
        var app = await fixture.For(Providers.Sqlite);
        var customer = await app.CreatePhoneCustomerAsync();
        var callId = "call-" + Guid.NewGuid().ToString("N");

        var response = await app.CreateBrowserClient().PostTelephonyEventAsync(Event("evt-" + Guid.NewGuid(), "call.started", callId, customer.ExternalId), app.Now() + skewSeconds, secret);

        (await response.ShouldReturnAsync(HttpStatusCode.Unauthorized)).ShouldContain("signature", Case.Insensitive, label);
        (await app.WithDbAsync(db => db.CallLogs.CountAsync(c => c.ProviderCallId == callId))).ShouldBe(0, label);
        (await app.WithDbAsync(db => db.Tickets.CountAsync(t => t.CustomerId == customer.Id))).ShouldBe(0, label);
    }

    [Fact]
    public async Task TamperedBody_MalformedHeader_AndTruncatedSignature_AreAll401()
    {
        var app = await fixture.For(Providers.Sqlite);
        var client = app.CreateBrowserClient();
        var now = app.Now();
        var body = Event("evt-" + Guid.NewGuid(), "call.started", "call-x");
        var signature = PhoneTestSupport.Signature(PhoneFixture.WebhookSecret, now, body);

        (await client.PostTelephonyEventAsync(body.Replace("call-x", "call-y", StringComparison.Ordinal), now, signatureOverride: signature)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.PostTelephonyEventAsync(body, now, signatureOverride: signature[..^2])).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.PostTelephonyEventAsync(body, now, signatureOverride: signature.ToUpperInvariant())).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.PostTelephonyEventAsync(body, now + 1, signatureOverride: signature)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.PostTelephonyEventAsync(body, now, signatureOverride: "")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.PostTelephonyEventAsync(body, now, signatureOverride: "v1=,garbage, " + signature)).StatusCode.ShouldBe(HttpStatusCode.OK, "a valid entry among several is accepted (secret rotation)");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ReplayedOrDuplicatedEvent_IsAppliedOnce_AndAReusedIdWithOtherContentIsRefused(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreatePhoneCustomerAsync();
        var client = app.CreateBrowserClient();
        var callId = "call-" + Guid.NewGuid().ToString("N");
        var eventId = "evt-" + Guid.NewGuid();
        var body = Event(eventId, "call.missed", callId, customer.ExternalId);
        var now = app.Now();

        // The same signed request delivered five times at once (provider retries), then replayed later within the window.
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.PostTelephonyEventAsync(body, now)));
        app.Clock.Advance(TimeSpan.FromSeconds(120));
        var replay = await client.PostTelephonyEventAsync(body, now);

        concurrent.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);
        var results = await Task.WhenAll(concurrent.Append(replay).Select(r => r.ReadAsAsync<TelephonyEventResult>()));
        results.Count(r => !r.Duplicate).ShouldBe(1);
        results.Select(r => r.CallLogId).Distinct().ShouldHaveSingleItem();
        (await app.WithDbAsync(db => db.CallLogs.CountAsync(c => c.ProviderCallId == callId))).ShouldBe(1);
        (await app.WithDbAsync(db => db.TelephonyEvents.CountAsync(e => e.EventId == eventId))).ShouldBe(1);
        (await app.WithDbAsync(db => db.Tickets.CountAsync(t => t.CustomerId == customer.Id))).ShouldBe(1, "one ticket opened for the call");
        var ticketId = results[0].TicketId.ShouldNotBeNull();
        (await app.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.TicketId == ticketId && m.Body.StartsWith("Phone call")))).ShouldBe(1);

        // After the tolerance window the same request is refused outright.
        app.Clock.Advance(TimeSpan.FromSeconds(200));
        (await client.PostTelephonyEventAsync(body, now)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var reused = await client.PostTelephonyEventAsync(Event(eventId, "call.ended", callId, customer.ExternalId, duration: 999), app.Now());
        reused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await app.WithDbAsync(db => db.CallLogs.SingleAsync(c => c.ProviderCallId == callId))).DurationSeconds.ShouldBe(0);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task CallbackCall_IsLinkedToTheCallbacksTicket_AndAnUnknownCaller_IsLoggedWithoutOne(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreatePhoneCustomerAsync();
        var callback = await customer.RequestCallbackAsync(app);
        var client = app.CreateBrowserClient();

        var linked = await (await client.PostTelephonyEventAsync(Event("evt-" + Guid.NewGuid(), "call.ended", "call-" + Guid.NewGuid().ToString("N"), callbackId: callback.Id, duration: 30, outcome: "reached", direction: "outbound"), app.Now()))
            .ReadAsAsync<TelephonyEventResult>();
        var unknownCall = "call-" + Guid.NewGuid().ToString("N");
        var unknown = await (await client.PostTelephonyEventAsync(Event("evt-" + Guid.NewGuid(), "call.started", unknownCall, customerExternalId: "nobody-" + Guid.NewGuid()), app.Now()))
            .ReadAsAsync<TelephonyEventResult>();

        linked.TicketId.ShouldBe(callback.TicketId);
        (await app.WithDbAsync(db => db.CallLogs.SingleAsync(c => c.Id == linked.CallLogId))).CallbackId.ShouldBe(callback.Id);
        unknown.TicketId.ShouldBeNull();
        (await app.WithDbAsync(db => db.CallLogs.SingleAsync(c => c.ProviderCallId == unknownCall))).CustomerId.ShouldBeNull();
    }

    [Fact]
    public async Task SignedButInvalidEvent_Is400PerField()
    {
        var app = await fixture.For(Providers.Sqlite);
        var client = app.CreateBrowserClient();

        var notJson = await client.PostTelephonyEventAsync("{not json", app.Now());
        var badType = await client.PostTelephonyEventAsync(Event("evt-" + Guid.NewGuid(), "call.exploded", "call-1"), app.Now());
        var noCall = await client.PostTelephonyEventAsync(JsonSerializer.Serialize(new { eventId = "evt-" + Guid.NewGuid(), type = "call.started" }), app.Now());

        (await notJson.ReadAsAsync<ValidationProblem>(HttpStatusCode.BadRequest)).Errors.Keys.ShouldContain("body");
        (await badType.ReadAsAsync<ValidationProblem>(HttpStatusCode.BadRequest)).Errors.Keys.ShouldContain("type");
        (await noCall.ReadAsAsync<ValidationProblem>(HttpStatusCode.BadRequest)).Errors.Keys.ShouldContain("callId");
    }
}
