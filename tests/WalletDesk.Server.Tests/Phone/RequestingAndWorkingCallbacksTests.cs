using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Phone;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;
using WalletDesk.Server.Tests.Wallet;

namespace WalletDesk.Server.Tests.Phone;

public sealed class RequestingAndWorkingCallbacksTests(PhoneFixture fixture) : IClassFixture<PhoneFixture>
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Customer_RequestsCallback_NumberComesFromTheWallet_NotFromTheBody(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreatePhoneCustomerAsync();
        var other = await app.CreatePhoneCustomerAsync();

        // Mass assignment: a number, another customer, a status and a claimer in the body are all ignored.
        var response = await customer.Client.PostAsJsonAsync("/api/me/callbacks", new
        {
            windowStart = app.Clock.GetUtcNow().AddHours(1),
            windowEnd = app.Clock.GetUtcNow().AddHours(3),
            topic = "Refund for TX-8F3K2Q, card 4111 1111 1111 1111",
            phone = "+1 202 555 0100",
            phoneNumber = "+1 202 555 0100",
            maskedPhone = "+1 *** **00",
            customerId = other.Id,
            status = "completed",
            claimedById = Guid.NewGuid(),
        });

        var created = await response.ReadAsAsync<CustomerCallbackResponse>(HttpStatusCode.Created);
        created.Phone.ShouldBe(PhoneTestSupport.WalletMaskedPhone);
        created.Status.ShouldBe(CallbackStatuses.Requested);
        created.Notice.ShouldNotBeNull();
        var row = await app.WithDbAsync(db => db.CallbackRequests.SingleAsync(c => c.Id == created.Id));
        row.CustomerId.ShouldBe(customer.Id);
        row.MaskedPhone.ShouldBe(PhoneTestSupport.WalletMaskedPhone);
        row.ClaimedById.ShouldBeNull();
        row.Topic.ShouldNotContain("4111 1111 1111 1111");
        row.Topic.ShouldContain("TX-8F3K2Q");
        row.TimeZone.ShouldBe("Asia/Shanghai");
        var ticket = await app.WithDbAsync(db => db.Tickets.SingleAsync(t => t.Id == created.TicketId));
        ticket.CustomerId.ShouldBe(customer.Id);
        ticket.Channel.ShouldBe(TicketChannels.Phone);
        (await app.WithDbAsync(db => db.CallbackRequests.AnyAsync(c => c.CustomerId == other.Id))).ShouldBeFalse();
        var mine = await (await customer.Client.GetAsync("/api/me/callbacks")).ReadAsAsync<List<CustomerCallbackResponse>>();
        mine.ShouldHaveSingleItem().Id.ShouldBe(created.Id);
        var everything = System.Text.Json.JsonSerializer.Serialize(row);
        // The body's number in any spelling (a bare "555" also turns up inside random GUIDs: that made this test flaky).
        foreach (var spelling in new[] { "202 555 0100", "2025550100", "555 0100", "5550100" })
        {
            everything.ShouldNotContain(spelling);
        }
    }

    [Fact]
    public async Task CustomerWithoutAWalletPhone_Is422_AndNothingIsWritten()
    {
        var app = await fixture.For(Providers.Sqlite);
        var customer = await app.CreateCustomerAsync(); // no wallet account

        var response = await customer.Client.PostAsJsonAsync("/api/me/callbacks", PhoneTestSupport.CallbackBody(app));

        (await response.ShouldReturnAsync(HttpStatusCode.UnprocessableEntity)).ShouldContain("no phone number");
        (await app.WithDbAsync(db => db.Tickets.CountAsync(t => t.CustomerId == customer.Id))).ShouldBe(0);
        (await app.WithDbAsync(db => db.CallbackRequests.CountAsync(c => c.CustomerId == customer.Id))).ShouldBe(0);
    }

    public static TheoryData<string, int, int, string?> BadWindows => new()
    {
        { "topic", 1, 2, null },
        { "windowStart", -2, 1, "past" },
        { "windowStart", 24 * 30, 2, "too far ahead" },
        { "windowEnd", 1, 0, "empty window" },
        { "windowEnd", 3, -1, "ends before it starts" },
        { "windowEnd", 1, 24, "too long" },
    };

    [Theory, MemberData(nameof(BadWindows))]
    public async Task BadRequest_NamesTheField_AndWritesNothing(string field, int startInHours, int lengthHours, string? topicOrReason)
    {
        var app = await fixture.For(Providers.Sqlite);
        var customer = await app.CreatePhoneCustomerAsync();
        var start = app.Clock.GetUtcNow().AddHours(startInHours);

        var response = await customer.Client.PostAsJsonAsync("/api/me/callbacks", new { windowStart = start, windowEnd = start.AddHours(lengthHours), topic = field == "topic" ? null : "Call me" });

        var problem = await response.ReadAsAsync<ValidationProblem>(HttpStatusCode.BadRequest);
        problem.Errors.Keys.ShouldContain(field, topicOrReason);
        (await app.WithDbAsync(db => db.CallbackRequests.CountAsync(c => c.CustomerId == customer.Id))).ShouldBe(0);
        (await app.WithDbAsync(db => db.Tickets.CountAsync(t => t.CustomerId == customer.Id))).ShouldBe(0);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TicketOfAnotherCustomer_IsNotFound_AndCancellingTheirCallbackToo(string provider)
    {
        var app = await fixture.For(provider);
        var alice = await app.CreatePhoneCustomerAsync();
        var mallory = await app.CreatePhoneCustomerAsync();
        var aliceCallback = await alice.RequestCallbackAsync(app);

        var onHerTicket = await mallory.Client.PostAsJsonAsync("/api/me/callbacks", PhoneTestSupport.CallbackBody(app, ticketId: aliceCallback.TicketId));
        var cancelHers = await mallory.Client.PostAsync($"/api/me/callbacks/{aliceCallback.Id}/cancel", null);

        onHerTicket.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        cancelHers.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.WithDbAsync(db => db.CallbackRequests.SingleAsync(c => c.Id == aliceCallback.Id))).Status.ShouldBe(CallbackStatuses.Requested);
        (await app.WithDbAsync(db => db.CallbackRequests.CountAsync(c => c.CustomerId == mallory.Id))).ShouldBe(0);

        var cancelled = await (await alice.Client.PostAsync($"/api/me/callbacks/{aliceCallback.Id}/cancel", null)).ReadAsAsync<CustomerCallbackResponse>();
        cancelled.Status.ShouldBe(CallbackStatuses.Cancelled);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RetriedRequest_WithTheSameClientRequestId_MakesOneCallback(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreatePhoneCustomerAsync();
        var body = PhoneTestSupport.CallbackBody(app, clientRequestId: "cb-" + Guid.NewGuid().ToString("N"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => customer.Client.PostAsJsonAsync("/api/me/callbacks", body)));

        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created || r.StatusCode == HttpStatusCode.OK);
        (await app.WithDbAsync(db => db.CallbackRequests.CountAsync(c => c.CustomerId == customer.Id))).ShouldBe(1);
        (await app.WithDbAsync(db => db.Tickets.CountAsync(t => t.CustomerId == customer.Id))).ShouldBe(1);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TwoAgentsClaimingOneCallback_ExactlyOneWins(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreatePhoneCustomerAsync();
        var callback = await customer.RequestCallbackAsync(app);
        var agents = new List<HttpClient>();
        for (var i = 0; i < 4; i++)
        {
            agents.Add((await app.StaffClientAsync(StaffRoles.Agent)).Client);
        }

        var results = await Task.WhenAll(agents.Select(a => a.PostAsync($"/api/callbacks/{callback.Id}/claim", null)));

        results.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(1, string.Join(", ", results.Select(r => r.StatusCode)));
        results.Count(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBe(agents.Count - 1);
        var winner = agents[Array.FindIndex(results, r => r.StatusCode == HttpStatusCode.OK)];
        var loser = agents[Array.FindIndex(results, r => r.StatusCode == HttpStatusCode.Conflict)];
        var row = await app.WithDbAsync(db => db.CallbackRequests.SingleAsync(c => c.Id == callback.Id));
        row.Status.ShouldBe(CallbackStatuses.Claimed);
        (await winner.PostAsync($"/api/callbacks/{callback.Id}/claim", null)).StatusCode.ShouldBe(HttpStatusCode.OK, "claiming one's own claim again is a no-op");
        (await loser.PostAsJsonAsync($"/api/callbacks/{callback.Id}/complete", new CompleteCallbackRequest(CallOutcomes.Reached, 60, null))).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await loser.PostAsync($"/api/callbacks/{callback.Id}/release", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await winner.PostAsync($"/api/callbacks/{Guid.NewGuid()}/claim", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Queue_IsOrderedByDueTime_AndCompletingLogsTheCallOnTheTicket(string provider)
    {
        var app = await fixture.For(provider);
        var (_, agent) = await app.StaffClientAsync(StaffRoles.Agent);
        var late = await (await app.CreatePhoneCustomerAsync()).RequestCallbackAsync(app, startInHours: 30);
        var customer = await app.CreatePhoneCustomerAsync();
        var soon = await customer.RequestCallbackAsync(app, startInHours: 1);
        var middle = await (await app.CreatePhoneCustomerAsync()).RequestCallbackAsync(app, startInHours: 20);

        var queue = await (await agent.GetAsync("/api/callbacks?limit=200")).ReadAsAsync<List<CallbackResponse>>();
        var ours = queue.Where(c => c.Id == late.Id || c.Id == soon.Id || c.Id == middle.Id).Select(c => c.Id).ToList();
        ours.ShouldBe([soon.Id, middle.Id, late.Id]);
        queue.Select(c => c.WindowStart).ShouldBeInOrder();

        (await agent.PostAsync($"/api/callbacks/{soon.Id}/claim", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var mineQueue = await (await agent.GetAsync("/api/callbacks?status=mine")).ReadAsAsync<List<CallbackResponse>>();
        mineQueue.ShouldHaveSingleItem().Id.ShouldBe(soon.Id);
        var done = await (await agent.PostAsJsonAsync($"/api/callbacks/{soon.Id}/complete",
            new CompleteCallbackRequest(CallOutcomes.Reached, 312, "Explained the delay; customer read out card 4111 1111 1111 1111, told not to."))).ReadAsAsync<CompleteCallbackResponse>();

        done.Callback.Status.ShouldBe(CallbackStatuses.Completed);
        done.Call.Direction.ShouldBe(CallDirections.Outbound);
        done.Call.DurationSeconds.ShouldBe(312);
        done.Call.MaskedNumber.ShouldBe(PhoneTestSupport.WalletMaskedPhone);
        done.Call.Notes.ShouldNotBeNull().ShouldNotContain("4111 1111 1111 1111");
        done.Call.Redacted.ShouldContain("pan");
        var calls = await (await agent.GetAsync($"/api/tickets/{soon.TicketId}/calls")).ReadAsAsync<List<CallLogResponse>>();
        calls.ShouldHaveSingleItem().Id.ShouldBe(done.Call.Id);
        var notes = await app.WithDbAsync(db => db.TicketMessages.Where(m => m.TicketId == soon.TicketId && m.Visibility == TicketService.Internal).Select(m => m.Body).ToListAsync());
        notes.ShouldContain(n => n.StartsWith("Phone call (outbound, 5 min 12 s): reached.", StringComparison.Ordinal));
        notes.ShouldAllBe(n => !n.Contains("4111 1111 1111 1111"));

        // The customer sees the callback completed, but not the agent's internal note.
        var customerTicket = await (await customer.Client.GetAsync($"/api/me/tickets/{soon.TicketId}")).ShouldReturnAsync(HttpStatusCode.OK);
        customerTicket.ShouldNotContain("Phone call (outbound");
        (await agent.PostAsJsonAsync($"/api/callbacks/{soon.Id}/complete", new CompleteCallbackRequest(CallOutcomes.Reached, 1, null))).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Agent_LogsACall_ValidatedPerField_AndACallbackOfAnotherTicketIsRefused(string provider)
    {
        var app = await fixture.For(provider);
        var (_, agent) = await app.StaffClientAsync(StaffRoles.Agent);
        var first = await (await app.CreatePhoneCustomerAsync()).RequestCallbackAsync(app);
        var second = await (await app.CreatePhoneCustomerAsync()).RequestCallbackAsync(app);

        var logged = await (await agent.PostAsJsonAsync($"/api/tickets/{first.TicketId}/calls", new LogCallRequest(CallDirections.Inbound, CallOutcomes.Reached, 95, "Customer called about the refund", null, first.Id)))
            .ReadAsAsync<CallLogResponse>(HttpStatusCode.Created);
        logged.CallbackId.ShouldBe(first.Id);

        var mismatched = await agent.PostAsJsonAsync($"/api/tickets/{first.TicketId}/calls", new LogCallRequest(CallDirections.Inbound, CallOutcomes.Reached, 10, null, null, second.Id));
        (await mismatched.ReadAsAsync<ValidationProblem>(HttpStatusCode.BadRequest)).Errors.Keys.ShouldContain("callbackId");
        var badDirection = await agent.PostAsJsonAsync($"/api/tickets/{first.TicketId}/calls", new LogCallRequest("sideways", CallOutcomes.Reached, 10, null, null, null));
        (await badDirection.ReadAsAsync<ValidationProblem>(HttpStatusCode.BadRequest)).Errors.Keys.ShouldContain("direction");
        var badOutcome = await agent.PostAsJsonAsync($"/api/tickets/{first.TicketId}/calls", new LogCallRequest(CallDirections.Inbound, "great", 10, null, null, null));
        (await badOutcome.ReadAsAsync<ValidationProblem>(HttpStatusCode.BadRequest)).Errors.Keys.ShouldContain("outcome");
        var badDuration = await agent.PostAsJsonAsync($"/api/tickets/{first.TicketId}/calls", new LogCallRequest(CallDirections.Inbound, CallOutcomes.Reached, -5, null, null, null));
        (await badDuration.ReadAsAsync<ValidationProblem>(HttpStatusCode.BadRequest)).Errors.Keys.ShouldContain("durationSeconds");
        (await agent.PostAsJsonAsync("/api/tickets/999999999/calls", new LogCallRequest(CallDirections.Inbound, CallOutcomes.Reached, 1, null, null, null))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.WithDbAsync(db => db.CallLogs.CountAsync(c => c.TicketId == first.TicketId))).ShouldBe(1);
    }

    [Fact]
    public async Task Customer_CannotUseTheAgentQueue_AndAgentsCannotUseTheCustomerRoutes()
    {
        var app = await fixture.For(Providers.Sqlite);
        var customer = await app.CreatePhoneCustomerAsync();
        var callback = await customer.RequestCallbackAsync(app);
        var (_, agent) = await app.StaffClientAsync(StaffRoles.Agent);

        (await customer.Client.GetAsync("/api/callbacks")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await customer.Client.PostAsync($"/api/callbacks/{callback.Id}/claim", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await customer.Client.PostAsJsonAsync($"/api/tickets/{callback.TicketId}/calls", new LogCallRequest(CallDirections.Inbound, CallOutcomes.Reached, 1, null, null, null))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agent.PostAsJsonAsync("/api/me/callbacks", PhoneTestSupport.CallbackBody(app))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}
