using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Tickets;

public sealed class SlaOnTicketsTests
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EmailTicket_DueInFourHours_PausesWhilePendingCustomer_AndResumesOnReply(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var customer = await app.CreateCustomerAsync();
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var console = await (await app.SignInAsync(agent)).WithCsrfAsync();
        var created = await (await console.PostAsJsonAsync("/api/tickets", new CreateStaffTicketRequest(customer.Id, "email", "Question", "How do fees work?", "fees_limits", "en", null)))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);
        var ticket = await Load(app, created.TicketId);
        ticket.NextSlaDueAt!.Value.ShouldBe(ticket.CreatedAt.AddHours(4), TimeSpan.FromMilliseconds(1), "email: first reply within 4 hours, 24/7");

        await console.PostAsJsonAsync($"/api/tickets/{created.TicketId}/messages", new AddMessageRequest("Which fee do you mean?", null, Status: TicketStatuses.PendingCustomer));
        var pending = await Load(app, created.TicketId);
        pending.NextSlaDueAt.ShouldBeNull("first response is met and the resolution clock is paused while we wait for the customer");

        app.Clock.Advance(TimeSpan.FromHours(30));
        var back = app.CustomerAgain(customer);
        await back.Client.PostAsJsonAsync($"/api/me/tickets/{created.TicketId}/messages", new AddMessageRequest("The FX fee", null));
        var resumed = await Load(app, created.TicketId);
        resumed.NextSlaDueAt!.Value.ShouldBe(app.Clock.GetUtcNow().AddHours(4), TimeSpan.FromMilliseconds(1), "next response within 4 hours of the customer's reply");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Monitor_FiresWarningThenBreach_Once_AndRaisesStalePriority(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var customer = await app.CreateCustomerAsync();
        var written = await (await customer.Client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest("Fees", "what are the fees", "fees_limits", "en", null, null)))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);
        var monitor = app.Services.GetRequiredService<SlaMonitor>();
        (await Load(app, written.TicketId)).Priority.ShouldBe(TicketPriorities.Low);

        app.Clock.Advance(TimeSpan.FromSeconds(100));
        await monitor.RunOnceAsync(CancellationToken.None);
        (await Kinds(app, written.TicketId)).Count(k => k == "sla_warning").ShouldBe(1, "in-app first reply is due in 2 minutes; 75% has passed");

        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await monitor.RunOnceAsync(CancellationToken.None);
        await monitor.RunOnceAsync(CancellationToken.None);
        var kinds = await Kinds(app, written.TicketId);
        kinds.Count(k => k == "sla_warning").ShouldBe(1);
        kinds.Count(k => k == "sla_breached").ShouldBe(1);
        kinds.Count(k => k == "sla_notify").ShouldBeGreaterThanOrEqualTo(2);

        app.Clock.Advance(TimeSpan.FromHours(2));
        await monitor.RunOnceAsync(CancellationToken.None);
        (await Load(app, written.TicketId)).Priority.ShouldBe(TicketPriorities.Normal, "a breached low-priority response is raised one step after an hour");
        var keys = await app.WithDbAsync(db => db.TicketSlaFired.Where(f => f.TicketId == written.TicketId).Select(f => f.Key).ToListAsync());
        keys.ShouldBe(
            ["first_response/1/warning", "first_response/1/escalation/warn-assignee", "first_response/1/breach", "first_response/1/escalation/breach-lead", "first_response/1/escalation/stale-response-raise"],
            ignoreOrder: true);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Monitor_UnassignedTicket_NotifiesTheGroupLeadOncePerEscalation_NeverAnAbsentAssignee(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var customer = await app.CreateCustomerAsync();
        var written = await (await customer.Client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest("Fees", "what are the fees", "fees_limits", "en", null, null)))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);
        var monitor = app.Services.GetRequiredService<SlaMonitor>();

        app.Clock.Advance(TimeSpan.FromMinutes(10));
        await monitor.RunOnceAsync(CancellationToken.None);

        var notices = await app.WithDbAsync(db => db.TicketEvents.Where(e => e.TicketId == written.TicketId && e.Kind == "sla_notify").Select(e => new { e.ToValue, e.Note }).ToListAsync());
        notices.ShouldNotContain(n => n.ToValue == "assignee", "nobody is assigned");
        notices.Count.ShouldBe(2, "one notice for the warning, one for the breach: there the assignee and the lead are the same person");
        notices.ShouldAllBe(n => n.ToValue == "group_lead");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Monitor_AssignedTicket_NotifiesTheAssigneeAndTheLead(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var customer = await app.CreateCustomerAsync();
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var console = await (await app.SignInAsync(agent)).WithCsrfAsync();
        var written = await (await customer.Client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest("Fees", "what are the fees", "fees_limits", "en", null, null)))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);
        (await console.PatchAsJsonAsync($"/api/tickets/{written.TicketId}", new UpdateTicketRequest(null, null, agent.Id, false, null, null, null, null))).EnsureSuccessStatusCode();

        app.Clock.Advance(TimeSpan.FromMinutes(10));
        await app.Services.GetRequiredService<SlaMonitor>().RunOnceAsync(CancellationToken.None);

        var recipients = await app.WithDbAsync(db => db.TicketEvents.Where(e => e.TicketId == written.TicketId && e.Kind == "sla_notify").OrderBy(e => e.Id).Select(e => e.ToValue).ToListAsync());
        recipients.ShouldBe(["assignee", "assignee", "group_lead"]);
    }

    [Fact]
    public async Task BreachingView_ListsTicketsDueWithinTheHour()
    {
        await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite);
        var customer = await app.CreateCustomerAsync();
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var console = await (await app.SignInAsync(agent)).WithCsrfAsync();
        var chat = await (await customer.Client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest("Now", "urgent-ish", "other", "en", null, null))).ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);
        var email = await (await console.PostAsJsonAsync("/api/tickets", new CreateStaffTicketRequest(customer.Id, "email", "Later", "no rush", "other", "en", null))).ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);

        var page = await (await console.GetAsync("/api/tickets?view=breaching&sort=sla")).ReadAsAsync<TicketPageResponse>();

        page.Items.Select(t => t.Id).ShouldContain(chat.TicketId);
        page.Items.Select(t => t.Id).ShouldNotContain(email.TicketId);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ComplaintTag_AddsTheFifteenBusinessDayRegulatoryClock(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var customer = await app.CreateCustomerAsync();
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var console = await (await app.SignInAsync(agent)).WithCsrfAsync();
        var written = await (await customer.Client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest("Formal complaint", "I want to complain formally", "other", "en", null, null)))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);

        await console.PatchAsJsonAsync($"/api/tickets/{written.TicketId}", new UpdateTicketRequest(TicketStatuses.PendingCustomer, null, null, false, null, null, [TicketSla.ComplaintTag], null));

        var ticket = await Load(app, written.TicketId);
        var events = await app.WithDbAsync(db => db.TicketEvents.Where(e => e.TicketId == written.TicketId).ToListAsync());
        var evaluation = app.Services.GetRequiredService<TicketSla>().Evaluate(ticket, events, app.Clock.GetUtcNow());
        var regulatory = evaluation.Clocks.Single(c => c.Target.BusinessDays == 15);
        regulatory.IsPaused.ShouldBeFalse("the regulator's clock keeps running while we wait for the customer");
        // Created Monday 2026-11-23 09:00 UTC (17:00 Shanghai): day 1 is the 24th, day 15 ends at Shanghai midnight on 2026-12-14.
        regulatory.TargetAt.ShouldBe(new DateTimeOffset(2026, 12, 14, 16, 0, 0, TimeSpan.Zero));
        ticket.NextSlaDueAt.ShouldBe(regulatory.TargetAt);
    }

    private static Task<Ticket> Load(WalletDeskFactory app, long id) => app.WithDbAsync(db => db.Tickets.AsNoTracking().SingleAsync(t => t.Id == id));

    private static Task<List<string>> Kinds(WalletDeskFactory app, long id) =>
        app.WithDbAsync(db => db.TicketEvents.Where(e => e.TicketId == id).OrderBy(e => e.Id).Select(e => e.Kind).ToListAsync());
}
