using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using WalletDesk.HubClient;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Chat;

/// <summary>Queues, capacity, expected waits, escalation, transfers, offline chats and transcripts.</summary>
public sealed class ChatRoutingTests
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Busy_Agents_Queue_Chats_With_Live_Position_And_Wait_Then_Escalate_And_Route_When_Free(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var (agent, _) = await kit.AgentAsync(capacity: 1);
        var first = await kit.CustomerAsync();
        var second = await kit.CustomerAsync();
        var third = await kit.CustomerAsync();

        var a = (await first.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("a", "Top-up failed"))).State;
        var b = (await second.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("b", "Refund status"))).State;
        var c = (await third.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("c", "Question about my limits"))).State;

        a.Status.ShouldBe(ChatStatuses.Active);
        b.Status.ShouldBe(ChatStatuses.Queued);
        b.QueuePosition.ShouldBe(1);
        c.QueuePosition.ShouldBe(2);
        // One agent, capacity one, no history yet: the default handling time per place in the queue.
        b.ExpectedWaitSeconds.ShouldBe(360);
        c.ExpectedWaitSeconds.ShouldBe(720);
        var queue = await agent.Hub.InvokeAsync<QueueSnapshot>("Queue");
        queue.Waiting.Select(w => w.ConversationId).ShouldBe([b.ConversationId, c.ConversationId]);
        queue.Mine.Single().ConversationId.ShouldBe(a.ConversationId);
        queue.Me.Active.ShouldBe(1);

        // The third waits too long: escalated, raised to high priority, ahead of the second.
        kit.App.Clock.Advance(TimeSpan.FromSeconds(61));
        var d = (await (await kit.CustomerAsync()).Hub.InvokeAsync<ChatStarted>("Start", new StartChat("d", "Another question"))).State;
        kit.App.Clock.Advance(TimeSpan.FromSeconds(60));
        await kit.RunMonitorAsync();
        var tickets = await kit.App.WithDbAsync(db => db.Tickets.AsNoTracking().Where(t => t.Id == b.ConversationId || t.Id == c.ConversationId || t.Id == d.ConversationId).ToDictionaryAsync(t => t.Id));
        tickets[b.ConversationId].Priority.ShouldBe(TicketPriorities.High);
        tickets[c.ConversationId].Priority.ShouldBe(TicketPriorities.High);
        tickets[d.ConversationId].Priority.ShouldNotBe(TicketPriorities.High, "waited only 60 s");
        (await agent.WaitForAsync<QueueChanged>(ChatEvents.Queue, q => q.ConversationId == b.ConversationId)).ShouldNotBeNull();
        var escalated = await agent.Hub.InvokeAsync<QueueSnapshot>("Queue");
        escalated.Waiting.Where(w => w.Escalated).Select(w => w.ConversationId).ShouldBe([b.ConversationId, c.ConversationId]);

        // The agent finishes the first chat: capacity frees, the longest-waiting escalated chat is routed, positions move up.
        await agent.Hub.InvokeAsync<ChatState>("Close", a.ConversationId, "resolved");
        (await agent.WaitForAsync<ChatState>(ChatEvents.Assigned, s => s.ConversationId == b.ConversationId)).Status.ShouldBe(ChatStatuses.Active);
        (await third.WaitForAsync<ChatState>(ChatEvents.State, s => s.ConversationId == c.ConversationId && s.QueuePosition == 1)).ShouldNotBeNull();
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Routing_Prefers_The_Queue_And_Language_And_Balances_By_Load(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var (english, englishStaff) = await kit.AgentAsync(capacity: 5);
        var (chinese, chineseStaff) = await kit.AgentAsync(capacity: 5);
        var (security, securityStaff) = await kit.AgentAsync(capacity: 5);
        // A supervisor sets the agents' chat profiles through the API (a chat-scoped token).
        using var api = new HttpClient { BaseAddress = kit.App.LiveUrl };
        api.DefaultRequestHeaders.Authorization = new("Bearer", await kit.TokenForAsync(await kit.App.CreateStaffAsync(StaffRoles.Supervisor)));
        (await api.PutAsJsonAsync($"/api/chat/agents/{englishStaff.Id}", new { groups = new[] { "general", "payments" }, languages = new[] { "en" } })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync($"/api/chat/agents/{chineseStaff.Id}", new { groups = new[] { "general", "payments" }, languages = new[] { "zh" } })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync($"/api/chat/agents/{securityStaff.Id}", new { groups = new[] { "security" }, languages = new[] { "en", "zh" } })).EnsureSuccessStatusCode();
        var bad = await api.PutAsJsonAsync($"/api/chat/agents/{englishStaff.Id}", new { languages = new[] { "fr" } });
        bad.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);

        var zh = (await (await kit.CustomerAsync(locale: "zh")).Hub.InvokeAsync<ChatStarted>("Start", new StartChat("z", "我的转账还没到", Language: "zh"))).State;
        var en = (await (await kit.CustomerAsync()).Hub.InvokeAsync<ChatStarted>("Start", new StartChat("e", "My transfer has not arrived", Category: "transfer_delayed"))).State;
        var fraud = (await (await kit.CustomerAsync()).Hub.InvokeAsync<ChatStarted>("Start", new StartChat("f", "Someone stole my account, unauthorized transaction", Category: "security"))).State;

        (await chinese.WaitForAsync<ChatState>(ChatEvents.Assigned, s => s.ConversationId == zh.ConversationId)).Language.ShouldBe("zh");
        (await english.WaitForAsync<ChatState>(ChatEvents.Assigned, s => s.ConversationId == en.ConversationId)).Queue.ShouldBe(TicketGroups.Payments);
        (await security.WaitForAsync<ChatState>(ChatEvents.Assigned, s => s.ConversationId == fraud.ConversationId)).Queue.ShouldBe(TicketGroups.Security);
        fraud.AgentName.ShouldNotBeNull();
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Transfer_To_An_Agent_Or_A_Group_And_Invite_A_Supervisor(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var (first, _) = await kit.AgentAsync();
        var customer = await kit.CustomerAsync();
        var id = (await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("t", "Question about fees"))).ConversationId;
        var (second, secondStaff) = await kit.AgentAsync();

        var moved = await first.Hub.InvokeAsync<ChatState>("Transfer", id, new TransferChat(secondStaff.Id, null));
        moved.Status.ShouldBe(ChatStatuses.Active);
        (await second.WaitForAsync<ChatState>(ChatEvents.Assigned, s => s.ConversationId == id)).ShouldNotBeNull();
        (await Should.ThrowAsync<HubCallException>(() => first.Hub.InvokeAsync<ChatAck>("Send", id, "late", "still me"))).Message.ShouldContain("not assigned to you");
        var reply = await second.Hub.InvokeAsync<ChatAck>("Send", id, "s1", "I'll take it from here.");
        (await customer.WaitForMessageAsync(id, m => m.Seq == reply.Seq)).AuthorName.ShouldBe(secondStaff.UserName);

        var (supervisor, supervisorStaff) = await kit.AgentAsync(StaffRoles.Supervisor);
        var invited = await second.Hub.InvokeAsync<ChatState>("InviteSupervisor", id, supervisorStaff.Id);
        invited.ConversationId.ShouldBe(id);
        (await supervisor.WaitForAsync<ChatState>(ChatEvents.Assigned, s => s.ConversationId == id)).ShouldNotBeNull();
        var fromSupervisor = await supervisor.Hub.InvokeAsync<ChatAck>("Send", id, "sup", "Supervisor here.");
        await customer.WaitForMessageAsync(id, m => m.Seq == fromSupervisor.Seq);

        (await Should.ThrowAsync<HubCallException>(() => second.Hub.InvokeAsync<ChatState>("Transfer", id, new TransferChat(null, "no-such-team")))).Message.ShouldContain("no-such-team");
        var toGroup = await second.Hub.InvokeAsync<ChatState>("Transfer", id, new TransferChat(null, TicketGroups.Accounts));
        toGroup.Queue.ShouldBe(TicketGroups.Accounts);
        var ticket = await kit.App.WithDbAsync(db => db.Tickets.AsNoTracking().SingleAsync(t => t.Id == id));
        ticket.Group.ShouldBe(TicketGroups.Accounts);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_Visitor_With_Nobody_Online_Gets_An_Answer_Time_Leaves_Contact_And_Nothing_Is_Lost(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var visitor = await kit.VisitorAsync("Ana");

        var state = (await visitor.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("v", "Can I use the wallet abroad?"))).State;

        state.Status.ShouldBe(ChatStatuses.Offline);
        state.AnswerBy.ShouldNotBeNull();
        state.AnswerBy.Value.ShouldBeGreaterThan(kit.App.Clock.GetUtcNow());
        state.ContactKnown.ShouldBeFalse();
        var more = await visitor.Hub.InvokeAsync<ChatAck>("Send", state.ConversationId, "v2", "And what are the fees?");
        (await Should.ThrowAsync<HubCallException>(() => visitor.Hub.InvokeAsync<ChatState>("LeaveContact", state.ConversationId, "not-an-email", null))).Message.ShouldContain("does not look right");
        var withContact = await visitor.Hub.InvokeAsync<ChatState>("LeaveContact", state.ConversationId, "ana@example.com", null);
        withContact.ContactKnown.ShouldBeTrue();

        // It is a ticket in the inbox with every word, and an agent can pick it up from there later.
        var messages = await kit.App.WithDbAsync(db => db.TicketMessages.AsNoTracking().Where(m => m.TicketId == state.ConversationId && m.Visibility == "public").OrderBy(m => m.Seq).Select(m => m.Body).ToListAsync());
        messages.ShouldBe(["Can I use the wallet abroad?", "And what are the fees?"]);
        more.Seq.ShouldBe(3, "the offline note for agents took sequence 2");
        (await visitor.WaitForMessageAsync(state.ConversationId, m => m.Seq == 3)).PreviousPublicSeq.ShouldBe(1, "so the customer can tell a skipped note from a missed message");
        var (agent, _) = await kit.AgentAsync();
        (await agent.Hub.InvokeAsync<ChatState>("Accept", state.ConversationId)).Status.ShouldBe(ChatStatuses.Active);
        var reply = await agent.Hub.InvokeAsync<ChatAck>("Send", state.ConversationId, "a", "Yes, in 40 countries.");
        await visitor.WaitForMessageAsync(state.ConversationId, m => m.Seq == reply.Seq);

        // The address left for contact is not proven: a transcript goes there only after the code mailed to it comes back.
        (await Should.ThrowAsync<HubCallException>(() => visitor.Hub.InvokeAsync<TranscriptRequested>("RequestTranscript", state.ConversationId, "ana@example.com"))).Message.ShouldContain("sent a code");
        var codeMail = await kit.App.WithDbAsync(db => db.EmailOutbox.AsNoTracking().SingleAsync(e => e.ToAddress == "ana@example.com" && e.Kind == "chat_transcript_code"));
        var code = System.Text.RegularExpressions.Regex.Match(codeMail.TextBody, @"\b[A-Z]{4}-[A-Z]{4}\b").Value;
        var transcript = await visitor.Hub.InvokeAsync<TranscriptRequested>("RequestTranscript", state.ConversationId, code);
        transcript.SentTo.ShouldBe("ana@example.com");
        var email = await kit.App.WithDbAsync(db => db.EmailOutbox.AsNoTracking().SingleAsync(e => e.Id == transcript.EmailId));
        email.TextBody.ShouldContain("Can I use the wallet abroad?");
        email.TextBody.ShouldContain("Yes, in 40 countries.");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Availability_Is_Published_And_Agents_Gone_Silent_Are_Set_Away(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        using var http = new HttpClient { BaseAddress = kit.App.LiveUrl };
        (await http.GetFromJsonAsync<ChatAvailability>("/api/chat/availability?lang=zh"))!.AgentsOnline.ShouldBeFalse();

        var (agent, staff) = await kit.AgentAsync();
        var online = await http.GetFromJsonAsync<ChatAvailability>("/api/chat/availability");
        online!.AgentsOnline.ShouldBeTrue();
        online.ExpectedWaitSeconds.ShouldBe(0);
        online.PublishedResponseTime.ShouldContain("2 minutes");

        // While connected the monitor keeps the agent fresh; once the connection is gone for 90 s they are set away.
        kit.App.Clock.Advance(TimeSpan.FromSeconds(120));
        await kit.RunMonitorAsync();
        (await agent.Hub.InvokeAsync<QueueSnapshot>("Queue")).Me.Status.ShouldBe(AgentAvailability.Online);
        await agent.DisposeAsync();
        await WaitUntilAsync(() => kit.App.Services.GetRequiredService<ChatConnections>().StaffIds().Count == 0);
        kit.App.Clock.Advance(TimeSpan.FromSeconds(91));
        await kit.RunMonitorAsync();
        (await kit.App.WithDbAsync(db => db.ChatAgents.AsNoTracking().SingleAsync(a => a.StaffId == staff.Id))).Status.ShouldBe(AgentAvailability.Away);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(ChatKit.Patience);
        while (!condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
