using Microsoft.EntityFrameworkCore;
using WalletDesk.HubClient;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Chat;

/// <summary>
/// The group-commit path for chat messages (ChatMessageWriter + TicketService.AppendLiveAsync): many senders at once end
/// up in shared batches, and what is stored must be exactly what the one-by-one ticket path would have stored.
/// </summary>
public sealed class ChatWriterTests
{
    /// <summary>PostgreSQL keeps microseconds; the test clock has ticks.</summary>
    private static readonly TimeSpan Microsecond = TimeSpan.FromTicks(10);

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Many_Customers_Sending_At_Once_Get_Gap_Free_Sequences_And_Every_Message_Once(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var (agent, _) = await kit.AgentAsync(capacity: 20);
        var customers = new List<(ChatClient Client, ChatClient SecondDevice, long Id)>();
        for (var i = 0; i < 12; i++)
        {
            var customer = await kit.CustomerAsync();
            var id = (await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat($"start-{i}", $"Transfer {i} missing"))).ConversationId;
            customers.Add((customer, await kit.ReconnectAsync(customer), id));
        }

        // Every customer fires five sends without waiting, and a retry of the last one from a second device races it:
        // the writer sees them in shared batches, with the duplicate often in the same batch as the original.
        var sends = customers.SelectMany(c => Enumerable.Range(1, 5)
            .Select(n => c.Client.Hub.InvokeAsync<ChatAck>("Send", c.Id, $"m-{c.Id}-{n}", $"line {n} from {c.Id}"))
            .Append(c.SecondDevice.Hub.InvokeAsync<ChatAck>("Send", c.Id, $"m-{c.Id}-5", $"line 5 from {c.Id}")))
            .ToList();
        var acks = await Task.WhenAll(sends);

        acks.Count(a => !a.Duplicate).ShouldBe(customers.Count * 5);
        foreach (var (_, _, id) in customers)
        {
            var stored = await kit.App.WithDbAsync(db => db.TicketMessages.AsNoTracking().Where(m => m.TicketId == id).OrderBy(m => m.Seq).ToListAsync());
            stored.Select(m => m.Seq).ShouldBe(Enumerable.Range(1, 6).ToList(), "the opening message plus five, gap-free");
            stored[0].ClientMessageId.ShouldStartWith("start-", customMessage: "the opening message answers to the start's request id");
            stored.Where(m => m.Seq > 1).Select(m => m.ClientMessageId).ShouldBe(Enumerable.Range(1, 5).Select(n => $"m-{id}-{n}").ToList(), ignoreOrder: true);
            stored.Where(m => m.Seq > 1).Select(m => m.Body).Order().ShouldBe(Enumerable.Range(1, 5).Select(n => $"line {n} from {id}").ToList());

            // Each connection's sends are stored in the order it made them (line 5 may come first from the other device).
            stored.Where(m => m.Seq > 1 && m.ClientMessageId != $"m-{id}-5").Select(m => m.Body).ShouldBe(Enumerable.Range(1, 4).Select(n => $"line {n} from {id}").ToList());
            var ticket = await kit.App.WithDbAsync(db => db.Tickets.AsNoTracking().SingleAsync(t => t.Id == id));
            ticket.MessageCount.ShouldBe(6);
            ticket.LastCustomerMessageAt.ShouldNotBeNull();
            var events = await kit.App.WithDbAsync(db => db.TicketEvents.AsNoTracking().CountAsync(e => e.TicketId == id && e.Kind == "message_added"));
            events.ShouldBe(5, "one history entry per message, as on the ticket path");

            // The agent saw every new message exactly once, each pointing at the public message before it.
            var seen = new List<ChatMessage>();
            foreach (var seq in Enumerable.Range(2, 5))
            {
                seen.Add(await agent.WaitForMessageAsync(id, m => m.Seq == seq));
            }

            agent.Messages(id).Where(m => m.Seq > 1).Select(m => m.Seq).ShouldBe(Enumerable.Range(2, 5).ToList(), ignoreOrder: true);
            seen.Select(m => m.PreviousPublicSeq).ShouldBe(Enumerable.Range(1, 5).ToList());
        }
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_Card_Number_Typed_Across_Two_Chat_Messages_Is_Redacted_In_Both(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var (agent, _) = await kit.AgentAsync();
        var customer = await kit.CustomerAsync();
        var id = (await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "Card problem"))).ConversationId;

        await customer.Hub.InvokeAsync<ChatAck>("Send", id, "a", "my card is 4111 1111");
        var second = await customer.Hub.InvokeAsync<ChatAck>("Send", id, "b", "1111 1111");

        var bodies = await kit.App.WithDbAsync(db => db.TicketMessages.AsNoTracking().Where(m => m.TicketId == id).OrderBy(m => m.Seq).Select(m => new { m.Body, m.Redactions }).ToListAsync());
        string.Concat(bodies.Select(b => b.Body)).Replace(" ", "", StringComparison.Ordinal).ShouldNotContain("4111111111111111");
        bodies[1].Body.ShouldNotContain("4111 1111");
        bodies[1].Redactions.ShouldContain("pan");
        (await agent.WaitForMessageAsync(id, m => m.Seq == second.Seq)).Text.ShouldNotContain("1111 1111");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Sla_Clock_And_First_Response_Match_The_Ticket_History(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var (agent, _) = await kit.AgentAsync();
        var customer = await kit.CustomerAsync();
        var id = (await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "Top-up failed"))).ConversationId;
        await agent.WaitForAsync<ChatState>(ChatEvents.Assigned, s => s.ConversationId == id);

        // The agent's first reply opens the new ticket (the one-by-one path), later lines take the batch path.
        kit.App.Clock.Advance(TimeSpan.FromMinutes(3));
        await agent.Hub.InvokeAsync<ChatAck>("Send", id, "a1", "Looking at it now");
        var opened = await kit.App.WithDbAsync(db => db.Tickets.AsNoTracking().SingleAsync(t => t.Id == id));
        opened.Status.ShouldBe(TicketStatuses.Open);
        opened.FirstResponseAt!.Value.ShouldBe(kit.App.Clock.GetUtcNow(), Microsecond);

        kit.App.Clock.Advance(TimeSpan.FromMinutes(2));
        await customer.Hub.InvokeAsync<ChatAck>("Send", id, "c1", "It says declined");
        kit.App.Clock.Advance(TimeSpan.FromMinutes(1));
        await agent.Hub.InvokeAsync<ChatAck>("Note", id, "n1", "Issuer declined, check limits");
        await customer.Hub.InvokeAsync<ChatAck>("Send", id, "c2", "Still waiting");

        var ticket = await kit.App.WithDbAsync(db => db.Tickets.AsNoTracking().SingleAsync(t => t.Id == id));
        var history = await kit.App.WithDbAsync(db => db.TicketEvents.AsNoTracking().Where(e => e.TicketId == id).ToListAsync());
        var expected = kit.App.Services.GetRequiredService<TicketSla>().Evaluate(ticket, history, kit.App.Clock.GetUtcNow());
        ticket.NextSlaDueAt.ShouldNotBeNull("a customer is waiting for the next reply");
        ticket.NextSlaDueAt.Value.ShouldBe(expected.NextDeadline!.Value, Microsecond);
        ticket.NextSlaCheckAt!.Value.ShouldBe(expected.NextChangeAt!.Value, Microsecond);
        ticket.FirstResponseAt.ShouldBe(opened.FirstResponseAt, "later replies do not move the first response");
        ticket.LastCustomerMessageAt!.Value.ShouldBe(kit.App.Clock.GetUtcNow(), Microsecond);
        history.Count(e => e.Kind == "note_added").ShouldBe(1);
        (await customer.Hub.InvokeAsync<ChatSync>("Resume", id, 0)).Messages.ShouldNotContain(m => m.Text.Contains("Issuer declined"));
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_Line_To_A_Ticket_Solved_Meanwhile_Reopens_It(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var (agent, staff) = await kit.AgentAsync();
        var customer = await kit.CustomerAsync();
        var id = (await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "Refund status"))).ConversationId;
        await agent.WaitForAsync<ChatState>(ChatEvents.Assigned, s => s.ConversationId == id);
        await agent.Hub.InvokeAsync<ChatAck>("Send", id, "a1", "Refunded yesterday");

        // Solved from the ticket screen while the chat window is still open on the customer's phone.
        await using (var scope = kit.App.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<TicketService>()
                .UpdateAsync(id, new TicketChanges(Status: TicketStatuses.Solved), new TicketActor(TicketActors.Agent, staff.Id.ToString(), staff.UserName));
        }

        var ack = await customer.Hub.InvokeAsync<ChatAck>("Send", id, "c1", "I don't see it yet");

        var ticket = await kit.App.WithDbAsync(db => db.Tickets.AsNoTracking().SingleAsync(t => t.Id == id));
        ticket.Status.ShouldBe(TicketStatuses.Open);
        (await kit.App.WithDbAsync(db => db.TicketEvents.AsNoTracking().AnyAsync(e => e.TicketId == id && e.Kind == "reopened"))).ShouldBeTrue();
        (await agent.WaitForMessageAsync(id, m => m.Seq == ack.Seq)).Text.ShouldBe("I don't see it yet");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Refusals_In_A_Batch_Touch_Only_Their_Own_Message(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        await kit.AgentAsync();
        var owner = await kit.CustomerAsync();
        var stranger = await kit.CustomerAsync();
        var id = (await owner.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "Locked out"))).ConversationId;

        var results = await Task.WhenAll(
            ChatKit.AttemptAsync(owner.Hub.InvokeAsync<ChatAck>("Send", id, "ok-1", "first")),
            ChatKit.AttemptAsync(stranger.Hub.InvokeAsync<ChatAck>("Send", id, "evil", "let me in")),
            ChatKit.AttemptAsync(owner.Hub.InvokeAsync<ChatAck>("Send", id, new string('x', 101), "bad client id")),
            ChatKit.AttemptAsync(owner.Hub.InvokeAsync<ChatAck>("Send", id, "ok-2", "second")));

        results[0].ShouldBeOfType<ChatAck>();
        results[1].ShouldBeOfType<HubCallException>().Message.ShouldContain("No such conversation");
        results[2].ShouldBeOfType<HubCallException>().Message.ShouldContain("clientMessageId");
        results[3].ShouldBeOfType<ChatAck>();
        var stored = await kit.App.WithDbAsync(db => db.TicketMessages.AsNoTracking().Where(m => m.TicketId == id).OrderBy(m => m.Seq).Select(m => m.Body).ToListAsync());
        stored.ShouldBe(["Locked out", "first", "second"]);
    }
}
