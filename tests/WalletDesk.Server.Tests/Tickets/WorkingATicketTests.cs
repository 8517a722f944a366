using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Tickets;

public sealed class WorkingATicketTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherCustomersTicket_IsNotFound_WithTheSameBodyAsAMissingOne(string provider)
    {
        var app = await fixture.For(provider);
        var alice = await app.CreateCustomerAsync("Alice");
        var bob = await app.CreateCustomerAsync("Bob");
        var ticket = await OpenAsync(alice, "Alice's refund", "refund please");

        var foreign = await bob.Client.GetAsync($"/api/me/tickets/{ticket}");
        var missing = await bob.Client.GetAsync("/api/me/tickets/987654321");
        var foreignReply = await bob.Client.PostAsJsonAsync($"/api/me/tickets/{ticket}/messages", new AddMessageRequest("let me in", null));

        foreign.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        foreignReply.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        Strip(await foreign.Content.ReadAsStringAsync()).ShouldBe(Strip(await missing.Content.ReadAsStringAsync()));
        (await bob.Client.GetFromJsonAsync<List<CustomerTicketSummaryResponse>>("/api/me/tickets"))!.ShouldBeEmpty();
        (await app.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.TicketId == ticket))).ShouldBe(1);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Customer_NeverSeesInternalNotes_AgentReplyIsRedactedOnTheWayOut(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreateCustomerAsync();
        var ticket = await OpenAsync(customer, "Charged twice", "I see two charges");
        var console = await AgentAsync(app);

        (await console.PostAsJsonAsync($"/api/tickets/{ticket}/messages", new AddMessageRequest("Looks like a duplicate auth hold, check with acquirer", null, Internal: true))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var reply = await (await console.PostAsJsonAsync($"/api/tickets/{ticket}/messages", new AddMessageRequest("You wrote: card 4111 1111 1111 1111. The second charge is a hold.", null, Status: TicketStatuses.PendingCustomer)))
            .ReadAsAsync<TicketWriteResponse>();
        reply.Notice.ShouldNotBeNull();

        var view = await (await customer.Client.GetAsync($"/api/me/tickets/{ticket}")).ReadAsAsync<CustomerTicketResponse>();
        var raw = await (await customer.Client.GetAsync($"/api/me/tickets/{ticket}")).Content.ReadAsStringAsync();
        raw.ShouldNotContain("acquirer");
        raw.ShouldNotContain("internal", Case.Insensitive);
        view.Messages.Count.ShouldBe(2);
        view.Messages[1].Body.ShouldNotContain("4111 1111 1111 1111");
        view.Status.ShouldBe(TicketStatuses.PendingCustomer);
        view.StatusText.ShouldBe("Waiting for your reply");
        view.Timeline.Select(s => s.Text).ShouldContain("We're waiting for your reply.");
        var staffView = await (await console.GetAsync($"/api/tickets/{ticket}")).ReadAsAsync<TicketDetailResponse>();
        staffView.Messages.Count(m => m.Visibility == "internal").ShouldBe(1);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task CustomerReply_ReopensPendingAndSolved_ButAfterTheWindowStartsAFollowUp(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreateCustomerAsync();
        var ticket = await OpenAsync(customer, "Refund", "where is it");
        var console = await AgentAsync(app);

        await console.PostAsJsonAsync($"/api/tickets/{ticket}/messages", new AddMessageRequest("Which order?", null, Status: TicketStatuses.PendingCustomer));
        await customer.Client.PostAsJsonAsync($"/api/me/tickets/{ticket}/messages", new AddMessageRequest("Order 778812", null));
        (await StatusAsync(app, ticket)).ShouldBe(TicketStatuses.Open);

        await console.PatchAsJsonAsync($"/api/tickets/{ticket}", new UpdateTicketRequest(TicketStatuses.Solved, null, null, false, null, null, null, null));
        app.Clock.Advance(TimeSpan.FromDays(2));
        customer = app.CustomerAgain(customer);
        console = await AgentAsync(app);
        var reopened = await (await customer.Client.PostAsJsonAsync($"/api/me/tickets/{ticket}/messages", new AddMessageRequest("Still not there", null))).ReadAsAsync<TicketWriteResponse>();
        reopened.TicketId.ShouldBe(ticket);
        (await StatusAsync(app, ticket)).ShouldBe(TicketStatuses.Open);

        await console.PatchAsJsonAsync($"/api/tickets/{ticket}", new UpdateTicketRequest(TicketStatuses.Solved, null, null, false, null, null, null, null));
        app.Clock.Advance(TimeSpan.FromDays(8));
        customer = app.CustomerAgain(customer);
        var followUp = await (await customer.Client.PostAsJsonAsync($"/api/me/tickets/{ticket}/messages", new AddMessageRequest("It happened again", null))).ReadAsAsync<TicketWriteResponse>();
        followUp.TicketId.ShouldNotBe(ticket);
        followUp.FollowUpOf.ShouldBe(ticket);
        (await StatusAsync(app, ticket)).ShouldBe(TicketStatuses.Solved);
        var child = await app.WithDbAsync(db => db.Tickets.SingleAsync(t => t.Id == followUp.TicketId));
        child.ParentId.ShouldBe(ticket);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RetriedAndConcurrentMessages_AreStoredOnce_InGapFreeOrder(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreateCustomerAsync();
        var ticket = await OpenAsync(customer, "Many messages", "first");

        var sends = Enumerable.Range(0, 20).Select(i => customer.Client.PostAsJsonAsync($"/api/me/tickets/{ticket}/messages", new AddMessageRequest($"message {i}", $"client-{i % 10}")));
        var results = await Task.WhenAll(sends);

        results.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);
        var seqs = await app.WithDbAsync(db => db.TicketMessages.Where(m => m.TicketId == ticket).OrderBy(m => m.Seq).Select(m => m.Seq).ToListAsync());
        seqs.ShouldBe(Enumerable.Range(1, 11).ToList());
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task CardNumberSplitAcrossTwoMessages_IsRedactedInBoth(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreateCustomerAsync();
        var ticket = await OpenAsync(customer, "Card", "my card is 4111 1111");

        await customer.Client.PostAsJsonAsync($"/api/me/tickets/{ticket}/messages", new AddMessageRequest("1111 1111", null));

        var bodies = await app.WithDbAsync(db => db.TicketMessages.Where(m => m.TicketId == ticket).OrderBy(m => m.Seq).Select(m => m.Body).ToListAsync());
        var joined = string.Concat(bodies).Replace(" ", "", StringComparison.Ordinal);
        joined.ShouldNotContain("4111111111111111");
        bodies[0].ShouldNotContain("4111 1111");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Merge_KeepsHistory_AndRoutesLaterRepliesToTheSurvivor(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreateCustomerAsync();
        var first = await OpenAsync(customer, "Transfer missing", "ref TX-1", ["TX-AAA111"]);
        var duplicate = await OpenAsync(customer, "Transfer missing again", "same thing", ["TX-BBB222"]);
        var console = await AgentAsync(app);

        (await console.PostAsJsonAsync($"/api/tickets/{duplicate}/merge", new MergeTicketRequest(first))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var survivor = await (await console.GetAsync($"/api/tickets/{first}")).ReadAsAsync<TicketDetailResponse>();
        survivor.TransactionReferences.ShouldBe(["TX-AAA111", "TX-BBB222"], ignoreOrder: true);
        survivor.Messages.ShouldContain(m => m.Visibility == "internal" && m.Body.Contains($"Merged ticket #{duplicate}"));
        var merged = await (await console.GetAsync($"/api/tickets/{duplicate}")).ReadAsAsync<TicketDetailResponse>();
        merged.Ticket.Status.ShouldBe(TicketStatuses.Closed);
        merged.MergedIntoId.ShouldBe(first);
        merged.Messages.Count.ShouldBe(1, "the merged ticket keeps its own history");

        var reply = await (await customer.Client.PostAsJsonAsync($"/api/me/tickets/{duplicate}/messages", new AddMessageRequest("any news?", null))).ReadAsAsync<TicketWriteResponse>();
        reply.TicketId.ShouldBe(first);
    }

    [Fact]
    public async Task Merge_AcrossCustomers_IsRefused()
    {
        var app = await fixture.For(Providers.Sqlite);
        var a = await OpenAsync(await app.CreateCustomerAsync(), "A", "a");
        var b = await OpenAsync(await app.CreateCustomerAsync(), "B", "b");
        var console = await AgentAsync(app);

        (await console.PostAsJsonAsync($"/api/tickets/{a}/merge", new MergeTicketRequest(b))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Split_MovesChosenMessagesToANewTicket()
    {
        var app = await fixture.For(Providers.Sqlite);
        var customer = await app.CreateCustomerAsync();
        var ticket = await OpenAsync(customer, "Two problems", "My top-up failed");
        await customer.Client.PostAsJsonAsync($"/api/me/tickets/{ticket}/messages", new AddMessageRequest("Also, how do I close my account?", null));
        var console = await AgentAsync(app);
        var detail = await (await console.GetAsync($"/api/tickets/{ticket}")).ReadAsAsync<TicketDetailResponse>();

        var split = await (await console.PostAsJsonAsync($"/api/tickets/{ticket}/split", new SplitTicketRequest([detail.Messages[1].Id], "Close account"))).ReadAsAsync<TicketSummaryResponse>(HttpStatusCode.Created);

        var splitDetail = await (await console.GetAsync($"/api/tickets/{split.Id}")).ReadAsAsync<TicketDetailResponse>();
        splitDetail.ParentId.ShouldBe(ticket);
        splitDetail.Messages.ShouldHaveSingleItem().Body.ShouldContain("close my account");
        (await customer.Client.GetAsync($"/api/me/tickets/{split.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Inbox_ViewsSearchAndKeysetPaging(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var customer = await app.CreateCustomerAsync("Zhang San");
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var console = await (await app.SignInAsync(agent)).WithCsrfAsync();
        var ids = new List<long>();
        for (var i = 0; i < 55; i++)
        {
            ids.Add(await OpenAsync(customer, $"Question {i}", i == 7 ? "我的转账还没有到账" : $"body {i}", i == 3 ? ["T20261122-000123"] : null));
            app.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        (await console.PostAsJsonAsync("/api/tickets/bulk", new BulkUpdateRequest(ids.Take(5).ToList(), null, null, agent.Id, false, ["vip"]))).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await Page(console, "/api/tickets?view=mine")).Items.Count.ShouldBe(5);
        (await Page(console, "/api/tickets?view=unassigned&limit=200")).Items.Count.ShouldBe(50);
        (await Page(console, "/api/tickets?tag=vip")).Items.Count.ShouldBe(5);
        (await Page(console, $"/api/tickets?q=%23{ids[9]}")).Items.ShouldHaveSingleItem().Id.ShouldBe(ids[9]);
        (await Page(console, "/api/tickets?q=T20261122-000123")).Items.ShouldHaveSingleItem().Id.ShouldBe(ids[3]);
        (await Page(console, $"/api/tickets?q={customer.ExternalId}&limit=200")).Items.Count.ShouldBe(55);
        (await Page(console, $"/api/tickets?q={Uri.EscapeDataString("转账还没有")}")).Items.ShouldHaveSingleItem().Id.ShouldBe(ids[7]);
        (await Page(console, "/api/tickets?q=100%25_")).Items.ShouldBeEmpty("LIKE wildcards in the query are literal");

        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await Page(console, "/api/tickets?limit=10" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            seen.AddRange(page.Items.Select(t => t.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        seen.Count.ShouldBe(55);
        seen.Distinct().Count().ShouldBe(55);
        // Most recently updated first: the five bulk-assigned tickets, then the rest newest first.
        seen.Take(5).ShouldBe(ids.Take(5).OrderByDescending(id => id).ToList());
        seen.Skip(5).ShouldBe(ids.Skip(5).OrderByDescending(id => id).ToList());
    }

    [Theory]
    [InlineData("/api/tickets?view=everything", "view")]
    [InlineData("/api/tickets?sort=subject;DROP TABLE tickets", "sort")]
    [InlineData("/api/tickets?status=lost", "status")]
    [InlineData("/api/tickets?limit=5000", "limit")]
    [InlineData("/api/tickets?cursor=%%%", "cursor")]
    public async Task Inbox_UnknownFilterValues_Are400NamingTheField(string url, string field)
    {
        var app = await fixture.For(Providers.Sqlite);
        var console = await AgentAsync(app);

        (await (await console.GetAsync(url)).ShouldReturnAsync(HttpStatusCode.BadRequest)).ShouldContain(field);
    }

    [Fact]
    public async Task AgentUpdates_AreRecordedInHistory()
    {
        var app = await fixture.For(Providers.Sqlite);
        var customer = await app.CreateCustomerAsync();
        var ticket = await OpenAsync(customer, "History", "x");
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var console = await (await app.SignInAsync(agent)).WithCsrfAsync();

        (await console.PatchAsJsonAsync($"/api/tickets/{ticket}", new UpdateTicketRequest(TicketStatuses.OnHold, TicketPriorities.High, agent.Id, false, "payments", "refund", ["bank"], null))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var detail = await (await console.GetAsync($"/api/tickets/{ticket}")).ReadAsAsync<TicketDetailResponse>();
        detail.Events.Select(e => e.Kind).ShouldBe(["created", "status_changed", "priority_changed", "assigned", "group_changed", "category_changed", "tag_added"], ignoreOrder: true);
        detail.Events.ShouldAllBe(e => e.Kind == "created" || e.ActorName == agent.UserName);
        (await customer.Client.GetFromJsonAsync<CustomerTicketResponse>($"/api/me/tickets/{ticket}"))!.Timeline.Select(s => s.Text)
            .ShouldContain(t => t.Contains("third party", StringComparison.Ordinal));
    }

    private static async Task<long> OpenAsync(TestCustomer customer, string subject, string body, IReadOnlyList<string>? references = null)
    {
        var written = await (await customer.Client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest(subject, body, "other", null, null, references)))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);
        return written.TicketId;
    }

    private static async Task<HttpClient> AgentAsync(WalletDeskFactory app) =>
        await (await app.SignInAsync(await app.CreateStaffAsync(StaffRoles.Agent))).WithCsrfAsync();

    private static Task<string> StatusAsync(WalletDeskFactory app, long ticket) =>
        app.WithDbAsync(db => db.Tickets.Where(t => t.Id == ticket).Select(t => t.Status).SingleAsync());

    private static async Task<TicketPageResponse> Page(HttpClient client, string url) => await (await client.GetAsync(url)).ReadAsAsync<TicketPageResponse>();

    private static string Strip(string problem) => System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");
}
