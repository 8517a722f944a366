using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Chat;

/// <summary>Customers see an agent's display name, never the user name they sign in with (issue 13).</summary>
public sealed class AgentNamesTests
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AgentReplies_InChatTranscriptAndTicketApi_CarryTheDisplayNameNotTheUserName(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var staff = await kit.App.CreateStaffAsync(StaffRoles.Agent, userName: "mchen_ops7");
        await kit.App.WithDbAsync(db => db.StaffUsers.Where(u => u.Id == staff.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, "Mei Chen")));
        var token = await kit.TokenForAsync(staff);
        var agent = await kit.ConnectAsync(token, null);
        await agent.Hub.InvokeAsync<AgentState>("SetAvailability", AgentAvailability.Online, 3);
        var customer = await kit.CustomerAsync();
        var id = (await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "Where is my refund?"))).ConversationId;
        await agent.WaitForAsync<ChatState>(ChatEvents.Assigned, s => s.ConversationId == id);

        var ack = await agent.Hub.InvokeAsync<ChatAck>("Send", id, "a1", "Checking it now.");
        using var api = kit.App.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TicketsTokenAsync(kit, staff));
        var posted = await api.PostAsJsonAsync($"/api/tickets/{id}/messages", new { body = "Your refund is on its way." });
        posted.IsSuccessStatusCode.ShouldBeTrue(await posted.Content.ReadAsStringAsync());
        await kit.App.WithDbAsync(db => db.Customers.Where(c => db.ChatConversations.Any(x => x.TicketId == id && x.CustomerId == c.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Email, "names.customer@walletdesk.test")));
        var transcript = await customer.Hub.InvokeAsync<TranscriptRequested>("RequestTranscript", id, null);

        (await customer.WaitForMessageAsync(id, m => m.Seq == ack.Seq)).AuthorName.ShouldBe("Mei Chen");
        (await customer.Hub.InvokeAsync<ChatSync>("Resume", id, 0)).State.AgentName.ShouldBe("Mei Chen");
        var names = await kit.App.WithDbAsync(db => db.TicketMessages.Where(m => m.TicketId == id && m.AuthorType == "agent").Select(m => m.AuthorName).ToListAsync());
        names.ShouldBe(["Mei Chen", "Mei Chen"]);
        var email = await kit.App.WithDbAsync(db => db.EmailOutbox.SingleAsync(e => e.Id == transcript.EmailId));
        email.TextBody.ShouldContain("Mei Chen");
        email.TextBody.ShouldNotContain("mchen_ops7");
    }

    private static async Task<string> TicketsTokenAsync(ChatKit kit, TestStaff staff)
    {
        await using var scope = kit.App.Scope();
        var created = await scope.ServiceProvider.GetRequiredService<ApiTokenService>()
            .CreateAsync(new StaffActor(staff.Id, staff.UserName, staff.Role, null), "tickets", [ApiScopes.TicketsWrite], 1);
        return created.PlainText;
    }
}
