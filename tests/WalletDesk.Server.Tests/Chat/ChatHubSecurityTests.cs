using System.Net;
using System.Net.Http.Json;
using WalletDesk.HubClient;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Chat;

/// <summary>K1, K2, B1, B7, J1 for the chat hub: who may call what, on which conversation, from where, how often.</summary>
public sealed class ChatHubSecurityTests
{
    [Fact]
    public async Task A_Customer_Cannot_Read_Write_Or_Signal_Another_Customers_Conversation()
    {
        await using var kit = await ChatKit.StartAsync(Providers.Sqlite, ChatKit.HumanFirst);
        var (agent, _) = await kit.AgentAsync();
        var victim = await kit.CustomerAsync("Victim");
        var attacker = await kit.CustomerAsync("Attacker");
        var id = (await victim.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("v", "My PIN reset for account 88"))).ConversationId;
        var missing = id + 1000;

        // Every conversation-scoped method answers exactly as for a conversation that does not exist.
        var calls = new (string Method, object?[] Args)[]
        {
            ("Resume", [id, 0]),
            ("Send", [id, "x", "hello"]),
            ("Typing", [id, true]),
            ("MarkRead", [id, 1]),
            ("End", [id]),
            ("LeaveContact", [id, "a@example.com", null]),
            ("RequestTranscript", [id, "a@example.com"]),
        };
        foreach (var (method, args) in calls)
        {
            var foreign = await Should.ThrowAsync<HubCallException>(() => attacker.Hub.InvokeAsync(method, args));
            var absent = await Should.ThrowAsync<HubCallException>(() => attacker.Hub.InvokeAsync(method, args.Select(a => a is long ? (object?)missing : a).ToArray()));
            foreign.Message.ShouldBe(absent.Message, $"{method}: a foreign conversation must look like a missing one");
            foreign.Message.ShouldContain("No such conversation");
        }

        // Agent-only methods are refused to customers.
        foreach (var (method, args) in new (string, object?[])[]
        {
            ("Accept", [id]), ("Note", [id, "n", "x"]), ("Transfer", [id, new TransferChat(null, "security")]),
            ("Close", [id, "resolved"]), ("ConvertToTicket", [id]), ("InviteSupervisor", [id, null]), ("SetAvailability", ["online", 3]), ("Queue", []),
        })
        {
            var refused = await Should.ThrowAsync<HubCallException>(() => attacker.Hub.InvokeAsync(method, args));
            refused.Message.ShouldContain("Only agents");
        }

        // Nothing the attacker did reached the victim's conversation or its agent.
        var sync = await victim.Hub.InvokeAsync<ChatSync>("Resume", id, 0);
        sync.Messages.Count.ShouldBe(1);
        agent.Events.ShouldNotContain(e => e.Kind == ChatEvents.Typing);
    }

    [Fact]
    public async Task Agents_Not_On_A_Chat_Can_Watch_But_Not_Write_And_Customers_Never_See_Notes()
    {
        await using var kit = await ChatKit.StartAsync(Providers.Sqlite, ChatKit.HumanFirst);
        var (assigned, _) = await kit.AgentAsync();
        var customer = await kit.CustomerAsync();
        var id = (await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "Refund"))).ConversationId;
        var (other, _) = await kit.AgentAsync(availability: AgentAvailability.Away);

        (await other.Hub.InvokeAsync<ChatSync>("Resume", id, 0)).Messages.ShouldNotBeEmpty();
        (await Should.ThrowAsync<HubCallException>(() => other.Hub.InvokeAsync<ChatAck>("Send", id, "x", "hi"))).Message.ShouldContain("not assigned to you");
        (await Should.ThrowAsync<HubCallException>(() => other.Hub.InvokeAsync<ChatState>("Close", id, "resolved"))).Message.ShouldContain("not assigned to you");

        var note = await assigned.Hub.InvokeAsync<ChatAck>("Note", id, "n", "VIP, be careful");
        await other.WaitForMessageAsync(id, m => m.Seq == note.Seq);
        var reply = await assigned.Hub.InvokeAsync<ChatAck>("Send", id, "r", "Hi!");
        await customer.WaitForMessageAsync(id, m => m.Seq == reply.Seq);
        customer.Messages(id).ShouldNotContain(m => m.Seq == note.Seq);
    }

    [Fact]
    public async Task Oversized_Messages_Are_Refused_Clearly_And_Huge_Frames_Close_Only_That_Connection()
    {
        await using var kit = await ChatKit.StartAsync(Providers.Sqlite, ChatKit.HumanFirst);
        await kit.AgentAsync();
        var customer = await kit.CustomerAsync();
        var id = (await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "Hello"))).ConversationId;

        var tooLong = await Should.ThrowAsync<HubCallException>(() => customer.Hub.InvokeAsync<ChatAck>("Send", id, "big", new string('a', 5000)));
        tooLong.Message.ShouldContain("the limit is 4,000");
        (await customer.Hub.InvokeAsync<ChatSync>("Resume", id, 0)).Messages.Count.ShouldBe(1, "nothing stored");

        var other = await kit.CustomerAsync();
        var frame = Should.ThrowAsync<Exception>(() => customer.Hub.InvokeAsync<ChatAck>("Send", id, "huge", new string('b', 200_000)));
        await frame;
        (await customer.Hub.WhenClosed.WaitAsync(ChatKit.Patience)).ShouldNotBeNull();
        (await other.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("o", "Still fine?"))).State.Status.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_Flood_From_One_Caller_Is_Rate_Limited_Without_Hurting_Others()
    {
        await using var kit = await ChatKit.StartAsync(Providers.Sqlite, ChatKit.HumanFirst);
        await kit.AgentAsync(capacity: 10);
        var flooder = await kit.CustomerAsync();
        var neighbour = await kit.CustomerAsync();
        var floodId = (await flooder.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("f", "spam"))).ConversationId;
        var calmId = (await neighbour.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("c", "Transfer question"))).ConversationId;

        var attempts = Enumerable.Range(0, 60).Select(i => Outcome(flooder.Hub.InvokeAsync<ChatAck>("Send", floodId, $"f{i}", $"spam {i}"))).ToList();
        var neighbourAck = await neighbour.Hub.InvokeAsync<ChatAck>("Send", calmId, "n1", "Any news on my transfer?");
        var results = await Task.WhenAll(attempts);

        results.Count(r => r == "limited").ShouldBeGreaterThan(20, "a burst of 60 exceeds the bucket of 20");
        results.Count(r => r == "ok").ShouldBeGreaterThan(0);
        neighbourAck.Duplicate.ShouldBeFalse();
        var stored = await kit.App.WithDbAsync(db => Task.FromResult(db.TicketMessages.Count(m => m.TicketId == floodId)));
        stored.ShouldBe(results.Count(r => r == "ok") + 1, "refused calls store nothing");
    }

    private static async Task<string> Outcome(Task<ChatAck> call)
    {
        try
        {
            await call;
            return "ok";
        }
        catch (HubCallException ex) when (ex.Message.Contains("Too many", StringComparison.Ordinal))
        {
            return "limited";
        }
    }

    [Fact]
    public async Task Foreign_Origins_Are_Refused_At_The_Handshake_Own_And_Listed_Ones_Are_Not()
    {
        await using var kit = await ChatKit.StartAsync(Providers.Sqlite, new Dictionary<string, string?>
        {
            ["Chat:AssistantFirst"] = "false",
            ["Chat:AllowedOrigins:0"] = "https://wallet.example.com",
        });

        var foreign = await Should.ThrowAsync<HubConnectionException>(() => kit.CustomerAsync(origin: "https://evil.example.net"));
        foreign.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await kit.CustomerAsync(origin: "https://wallet.example.com")).Hub.State.ShouldBe(HubConnectionState.Connected);
        (await kit.CustomerAsync(origin: kit.App.LiveUrl.GetLeftPart(UriPartial.Authority))).Hub.State.ShouldBe(HubConnectionState.Connected);
        (await kit.CustomerAsync()).Hub.State.ShouldBe(HubConnectionState.Connected, "native apps send no Origin");

        // The handshake itself (not only negotiate) is checked: a WebSocket upgrade with a foreign Origin gets 403.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(kit.HubUrl + "?id=whatever"));
        request.Headers.Add("Origin", "https://evil.example.net");
        (await http.SendAsync(request)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Unauthenticated_Or_Forged_Tokens_Cannot_Connect_And_Visitor_Tokens_Open_Only_The_Hub()
    {
        await using var kit = await ChatKit.StartAsync(Providers.Sqlite, ChatKit.HumanFirst);

        (await Should.ThrowAsync<HubConnectionException>(() => kit.ConnectAsync("", null))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Should.ThrowAsync<HubConnectionException>(() => kit.ConnectAsync("wd_vis_forged", null))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Should.ThrowAsync<HubConnectionException>(() => kit.ConnectAsync("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", null))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        using var http = new HttpClient { BaseAddress = kit.App.LiveUrl };
        var visitor = await (await http.PostAsJsonAsync("/api/chat/visitors", new { name = "Ana" })).Content.ReadFromJsonAsync<VisitorToken>();
        http.DefaultRequestHeaders.Authorization = new("Bearer", visitor!.Token);
        (await http.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "a visitor token is not a wallet customer");
        (await http.GetAsync("/api/me/wallet")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var tooLongName = await new HttpClient { BaseAddress = kit.App.LiveUrl }.PostAsJsonAsync("/api/chat/visitors", new { name = new string('x', 200) });
        tooLongName.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await tooLongName.Content.ReadAsStringAsync()).ShouldContain("at most 80 characters");
    }

    [Fact]
    public async Task A_Disabled_Agent_Is_Refused_On_The_Next_Call_And_Disconnected()
    {
        await using var kit = await ChatKit.StartAsync(Providers.Sqlite, ChatKit.HumanFirst);
        var (agent, staff) = await kit.AgentAsync();
        (await agent.Hub.InvokeAsync<QueueSnapshot>("Queue")).Me.Status.ShouldBe(AgentAvailability.Online);

        await using (var scope = kit.App.Scope())
        {
            var admin = await kit.App.CreateStaffAsync(StaffRoles.Admin);
            await scope.ServiceProvider.GetRequiredService<StaffDirectoryService>()
                .SetDisabledAsync(staff.Id, true, new StaffActor(admin.Id, admin.UserName, StaffRoles.Admin, null));
        }

        var refused = await Should.ThrowAsync<HubCallException>(() => agent.Hub.InvokeAsync<QueueSnapshot>("Queue"));
        refused.Message.ShouldContain("session has ended");
        await agent.Hub.WhenClosed.WaitAsync(ChatKit.Patience);

        // And a disabled agent's idle connection is closed by the monitor, so broadcasts stop reaching it.
        var (idle, idleStaff) = await kit.AgentAsync();
        await using (var scope = kit.App.Scope())
        {
            var admin = await kit.App.CreateStaffAsync(StaffRoles.Admin);
            await scope.ServiceProvider.GetRequiredService<StaffDirectoryService>()
                .SetDisabledAsync(idleStaff.Id, true, new StaffActor(admin.Id, admin.UserName, StaffRoles.Admin, null));
        }

        await kit.RunMonitorAsync();
        await idle.Hub.WhenClosed.WaitAsync(ChatKit.Patience);
    }
}
