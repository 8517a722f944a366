using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Assistant;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Tickets;

/// <summary>
/// The assistant's replies meet no SLA (a person's reply does) and are recorded apart; a conversation the assistant
/// resolved is solved by the bot: out of the agents' open views, clocks stopped, still reviewable (ADR 0014).
/// </summary>
public sealed class AssistantResolvedConversationTests
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task BotReply_MeetsNoResponseClock_IsRecordedApart_AndAPersonsReplyMeetsIt(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var customer = await app.CreateCustomerAsync();
        var created = await CreateAsync(customer);
        app.Clock.Advance(TimeSpan.FromSeconds(20));
        var botAt = app.Clock.GetUtcNow();

        await WithTicketsAsync(app, t => t.AddAgentMessageAsync(created.TicketId, "Top-ups usually arrive within minutes.", false, null, TicketService.Assistant("en")));

        var afterBot = await LoadAsync(app, created.TicketId);
        afterBot.FirstResponseAt.ShouldBeNull("a bot reply is not a person's first response");
        afterBot.BotFirstResponseAt!.Value.ShouldBe(botAt, TimeSpan.FromMilliseconds(1));
        afterBot.Status.ShouldBe(TicketStatuses.New, "the bot still holds it");
        afterBot.NextSlaDueAt.ShouldBe(afterBot.CreatedAt.AddMinutes(2), "the in-app first response is still owed by a person");

        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        await WithTicketsAsync(app, t => t.AddAgentMessageAsync(created.TicketId, "Hi, I'm looking at it now.", false, null, new TicketActor(TicketActors.Agent, agent.Id.ToString(), "Li")));
        var afterPerson = await LoadAsync(app, created.TicketId);
        afterPerson.FirstResponseAt!.Value.ShouldBe(botAt.AddSeconds(30), TimeSpan.FromMilliseconds(1));
        afterPerson.BotFirstResponseAt!.Value.ShouldBe(botAt, TimeSpan.FromMilliseconds(1));
        var events = await app.WithDbAsync(db => db.TicketEvents.Where(e => e.TicketId == created.TicketId).ToListAsync());
        var first = app.Services.GetRequiredService<TicketSla>().Evaluate(afterPerson, events, app.Clock.GetUtcNow()).Clocks.First(c => c.Metric == Features.Tickets.Sla.SlaMetric.FirstResponse);
        first.CompletedAt!.Value.ShouldBe(afterPerson.FirstResponseAt!.Value, TimeSpan.FromMilliseconds(1));
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task CustomerConfirmed_TicketIsSolvedByTheBot_LeavesTheOpenViews_AndShowsInTheReviewView(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var customer = await app.CreateCustomerAsync();
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var console = await (await app.SignInAsync(agent)).WithCsrfAsync();
        var created = await CreateAsync(customer);
        await WithTicketsAsync(app, t => t.AddAgentMessageAsync(created.TicketId, "Here is how to raise your limit.", false, null, TicketService.Assistant("en")));

        (await WithTicketsAsync(app, t => t.SolveByAssistantAsync(created.TicketId, "resolved_by_assistant"))).ShouldBeTrue();

        var ticket = await LoadAsync(app, created.TicketId);
        ticket.Status.ShouldBe(TicketStatuses.Solved);
        ticket.SolvedBy.ShouldBe(TicketActors.Bot);
        ticket.NextSlaDueAt.ShouldBeNull("solving stops every clock");
        ticket.NextSlaCheckAt.ShouldBeNull();
        foreach (var view in new[] { "open", "unassigned", "breaching" })
        {
            (await (await console.GetAsync($"/api/tickets?view={view}")).ReadAsAsync<TicketPageResponse>()).Items.ShouldNotContain(t => t.Id == created.TicketId, view);
        }

        (await (await console.GetAsync("/api/tickets?view=solved_by_bot")).ReadAsAsync<TicketPageResponse>()).Items.Select(t => t.Id).ShouldBe([created.TicketId]);

        // The customer writes again: the ticket reopens for people, and it is no longer "solved by the bot".
        await customer.Client.PostAsJsonAsync($"/api/me/tickets/{created.TicketId}/messages", new AddMessageRequest("It did not work after all", null));
        var reopened = await LoadAsync(app, created.TicketId);
        reopened.Status.ShouldBe(TicketStatuses.Open);
        reopened.SolvedBy.ShouldBeNull();
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task QuietRule_AnsweredAndQuietForTheWindow_IsSolvedByTheBot_ButNotHandedOffOrAnsweredByAPerson(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var customer = await app.CreateCustomerAsync();
        var quiet = await CreateAsync(customer);
        var handedOff = await CreateAsync(customer);
        var answered = await CreateAsync(customer);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        foreach (var t in new[] { quiet, handedOff, answered })
        {
            await WithTicketsAsync(app, s => s.AddAgentMessageAsync(t.TicketId, "Fees are listed in the app under Limits.", false, null, TicketService.Assistant("en")));
            await AddAssistantConversationAsync(app, t.TicketId, customer.Id, handedOff: t == handedOff);
        }

        await WithTicketsAsync(app, s => s.AddAgentMessageAsync(answered.TicketId, "Let me check that for you.", false, null, new TicketActor(TicketActors.Agent, agent.Id.ToString(), "Li")));
        var resolution = app.Services.GetRequiredService<AssistantQuietResolution>();

        app.Clock.Advance(TimeSpan.FromHours(23));
        (await resolution.RunOnceAsync(CancellationToken.None)).ShouldBe(0, "still inside the 24-hour window");

        app.Clock.Advance(TimeSpan.FromHours(2));
        (await resolution.RunOnceAsync(CancellationToken.None)).ShouldBe(1);
        (await resolution.RunOnceAsync(CancellationToken.None)).ShouldBe(0, "once");

        (await LoadAsync(app, quiet.TicketId)).SolvedBy.ShouldBe(TicketActors.Bot);
        (await LoadAsync(app, handedOff.TicketId)).Status.ShouldBe(TicketStatuses.New, "handed off: waiting for a person");
        (await LoadAsync(app, answered.TicketId)).Status.ShouldBe(TicketStatuses.Open, "a person has it");
    }

    private static async Task<TicketWriteResponse> CreateAsync(TestCustomer customer) =>
        await (await customer.Client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest("Limits", "how do I raise my limit", "fees_limits", "en", null, null)))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);

    private static Task AddAssistantConversationAsync(WalletDeskFactory app, long ticketId, Guid customerId, bool handedOff) =>
        app.WithDbAsync(db =>
        {
            var now = app.Clock.GetUtcNow();
            db.Set<AssistantConversation>().Add(new AssistantConversation
            {
                ConversationId = ticketId, CustomerId = customerId, Language = "en", State = "{}", LastSeq = 2, Turns = 1,
                HandedOff = handedOff, HandedOffAt = handedOff ? now : null, CreatedAt = now, LastMessageAt = now,
            });
            return db.SaveChangesAsync();
        });

    private static async Task<T> WithTicketsAsync<T>(WalletDeskFactory app, Func<TicketService, Task<T>> work)
    {
        await using var scope = app.Scope();
        return await work(scope.ServiceProvider.GetRequiredService<TicketService>());
    }

    private static Task<Ticket> LoadAsync(WalletDeskFactory app, long id) => app.WithDbAsync(db => db.Tickets.AsNoTracking().SingleAsync(t => t.Id == id));
}
