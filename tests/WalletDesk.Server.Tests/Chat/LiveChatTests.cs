using Microsoft.EntityFrameworkCore;
using WalletDesk.HubClient;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Chat;

/// <summary>Customers and agents talking through the real hub and database: routing, delivery, resync, idempotency.</summary>
public sealed class LiveChatTests
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Customer_And_Agent_Talk_Both_Ways_With_Typing_And_Read_Marks(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var (agent, agentStaff) = await kit.AgentAsync();
        var customer = await kit.CustomerAsync("Li Wei");

        var state = (await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("start-1", "My transfer to my sister has not arrived"))).State;

        // No assistant installed in this configuration: the chat goes straight to the only online agent.
        state.Status.ShouldBe(ChatStatuses.Active);
        state.AgentName.ShouldNotBeNull();
        var assigned = await agent.WaitForAsync<ChatState>(ChatEvents.Assigned, s => s.ConversationId == state.ConversationId);
        assigned.Status.ShouldBe(ChatStatuses.Active);
        var id = state.ConversationId;

        // The agent sees the history (the first message) when opening the conversation.
        var sync = await agent.Hub.InvokeAsync<ChatSync>("Resume", id, 0);
        sync.Messages.ShouldContain(m => m.Text == "My transfer to my sister has not arrived" && m.AuthorType == TicketActors.Customer);

        await customer.Hub.InvokeAsync("Typing", id, true);
        (await agent.WaitForAsync<TypingSignal>(ChatEvents.Typing, t => t.ConversationId == id)).IsTyping.ShouldBeTrue();

        var ack = await customer.Hub.InvokeAsync<ChatAck>("Send", id, "c-1", "It was 500 CNY yesterday");
        ack.Duplicate.ShouldBeFalse();
        (await agent.WaitForMessageAsync(id, m => m.Seq == ack.Seq)).Text.ShouldBe("It was 500 CNY yesterday");

        await agent.Hub.InvokeAsync("Typing", id, true);
        var typing = await customer.WaitForAsync<TypingSignal>(ChatEvents.Typing, t => t.ConversationId == id);
        typing.AuthorType.ShouldBe(TicketActors.Agent);

        var reply = await agent.Hub.InvokeAsync<ChatAck>("Send", id, "a-1", "Let me look that up for you.");
        var received = await customer.WaitForMessageAsync(id, m => m.Seq == reply.Seq);
        received.AuthorType.ShouldBe(TicketActors.Agent);
        received.Text.ShouldBe("Let me look that up for you.");

        // An internal note reaches staff only.
        var note = await agent.Hub.InvokeAsync<ChatAck>("Note", id, "n-1", "Checking the settlement batch");
        await agent.WaitForMessageAsync(id, m => m.Seq == note.Seq);
        await customer.Hub.InvokeAsync("MarkRead", id, reply.Seq);
        (await agent.WaitForAsync<ReadSignal>(ChatEvents.Read, r => r.ConversationId == id && r.Reader == "customer")).Seq.ShouldBe(reply.Seq);
        customer.Messages(id).ShouldNotContain(m => m.Visibility == TicketService.Internal);
        var customerView = await customer.Hub.InvokeAsync<ChatSync>("Resume", id, 0);
        customerView.Messages.ShouldNotContain(m => m.Seq == note.Seq);

        // It is a ticket like any other: channel chat, assigned to the agent, every message kept.
        var ticket = await kit.App.WithDbAsync(db => db.Tickets.AsNoTracking().SingleAsync(t => t.Id == id));
        ticket.Channel.ShouldBe(TicketChannels.Chat);
        ticket.AssigneeId.ShouldBe(agentStaff.Id);
        ticket.MessageCount.ShouldBe(note.Seq);

        var closed = await agent.Hub.InvokeAsync<ChatState>("Close", id, "resolved");
        closed.Status.ShouldBe(ChatStatuses.Closed);
        (await customer.WaitForAsync<ChatState>(ChatEvents.State, s => s.ConversationId == id && s.Status == ChatStatuses.Closed)).ShouldNotBeNull();
        (await kit.App.WithDbAsync(db => db.Tickets.AsNoTracking().SingleAsync(t => t.Id == id))).Status.ShouldBe(TicketStatuses.Solved);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Reconnecting_Customer_Gets_Everything_Missed_In_Order_Once(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var (agent, _) = await kit.AgentAsync();
        var customer = await kit.CustomerAsync();
        var id = (await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "Top-up failed twice"))).ConversationId;
        var first = await agent.Hub.InvokeAsync<ChatAck>("Send", id, "a-0", "Hello, I'm here.");
        await customer.WaitForMessageAsync(id, m => m.Seq == first.Seq);
        var lastSeen = customer.Messages(id).Max(m => m.Seq);

        // The phone goes into a tunnel: the connection drops while the agent keeps typing.
        await customer.Hub.DisposeAsync();
        var sent = new List<int>();
        for (var i = 1; i <= 5; i++)
        {
            sent.Add((await agent.Hub.InvokeAsync<ChatAck>("Send", id, $"a-{i}", $"Update {i}")).Seq);
        }

        var back = await kit.ReconnectAsync(customer);
        var sync = await back.Hub.InvokeAsync<ChatSync>("Resume", id, lastSeen);

        sync.Messages.Select(m => m.Seq).ShouldBe(sent, "everything after the last seen sequence, in order, nothing twice");
        sync.Messages.Select(m => m.Text).ShouldBe(Enumerable.Range(1, 5).Select(i => $"Update {i}"));
        sync.More.ShouldBeFalse();
        sync.State.LastSeq.ShouldBe(sent[^1]);

        // And live delivery carries on where the resync ended.
        var next = await agent.Hub.InvokeAsync<ChatAck>("Send", id, "a-6", "Found it");
        (await back.WaitForMessageAsync(id, m => m.Seq == next.Seq)).Seq.ShouldBe(sent[^1] + 1);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Retried_Send_With_The_Same_Client_Id_Is_Stored_Once(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        await kit.AgentAsync();
        var customer = await kit.CustomerAsync();
        var id = (await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "Refund status please"))).ConversationId;

        var first = await customer.Hub.InvokeAsync<ChatAck>("Send", id, "retry-me", "Order 7731 refund");
        var again = await customer.Hub.InvokeAsync<ChatAck>("Send", id, "retry-me", "Order 7731 refund");
        var otherDevice = await kit.ReconnectAsync(customer);
        var third = await otherDevice.Hub.InvokeAsync<ChatAck>("Send", id, "retry-me", "Order 7731 refund");

        again.Duplicate.ShouldBeTrue();
        third.Duplicate.ShouldBeTrue();
        again.Seq.ShouldBe(first.Seq);
        third.MessageId.ShouldBe(first.MessageId);
        var stored = await kit.App.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.TicketId == id && m.ClientMessageId == "retry-me"));
        stored.ShouldBe(1);

        // Starting again with the same request id returns the same conversation.
        (await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "Refund status please"))).ConversationId.ShouldBe(id);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Card_Numbers_Are_Redacted_Before_Storage_And_Broadcast(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var (agent, _) = await kit.AgentAsync();
        var customer = await kit.CustomerAsync();
        var id = (await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "Card problem"))).ConversationId;

        var ack = await customer.Hub.InvokeAsync<ChatAck>("Send", id, "pan", "my card is 4111 1111 1111 1111 cvv 123");

        ack.Notice.ShouldNotBeNull();
        var seen = await agent.WaitForMessageAsync(id, m => m.Seq == ack.Seq);
        seen.Text.ShouldNotContain("4111 1111 1111 1111");
        seen.Text.ShouldNotContain("123");
        var stored = await kit.App.WithDbAsync(db => db.TicketMessages.AsNoTracking().SingleAsync(m => m.TicketId == id && m.Seq == ack.Seq));
        stored.Body.ShouldNotContain("1111 1111 1111");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Two_Agents_Accepting_One_Chat_Only_One_Gets_It(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var (one, _) = await kit.AgentAsync(availability: AgentAvailability.Away);
        var (two, _) = await kit.AgentAsync(availability: AgentAvailability.Away);
        var customer = await kit.CustomerAsync();

        // Nobody online: the chat waits as an offline ticket; then both agents click "accept" at once.
        var state = (await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "Account locked"))).State;
        state.Status.ShouldBe(ChatStatuses.Offline);
        var results = await Task.WhenAll(
            ChatKit.AttemptAsync(one.Hub.InvokeAsync<ChatState>("Accept", state.ConversationId)),
            ChatKit.AttemptAsync(two.Hub.InvokeAsync<ChatState>("Accept", state.ConversationId)));

        results.Count(r => r is ChatState).ShouldBe(1);
        results.OfType<HubCallException>().Single().Message.ShouldContain("already taken");
        (await customer.WaitForAsync<ChatState>(ChatEvents.State, s => s.Status == ChatStatuses.Active)).AgentName.ShouldNotBeNull();
    }
}
