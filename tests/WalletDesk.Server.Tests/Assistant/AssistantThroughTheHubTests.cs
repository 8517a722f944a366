using WalletDesk.Server.Features.Assistant;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Chat;
using WalletDesk.Server.Tests.Infrastructure;
using WalletDesk.Server.Tests.Wallet;

namespace WalletDesk.Server.Tests.Assistant;

/// <summary>The assistant behind the real chat hub: a wallet customer over /hubs/chat, the bot's answers as messages, and a handoff an agent receives.</summary>
public sealed class AssistantThroughTheHubTests
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TransferQuestion_IsAnsweredFromTheWallet_ThenAskingForAPersonQueuesItWithTheSummary(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, AssistantFixture.Settings);
        var app = kit.App;
        var me = await app.CreateCustomerWithWalletAsync();
        var friend = await app.CreateCustomerWithWalletAsync();
        var tx = await app.PendingTransferAsync(me, friend, 600_000);
        var customer = await kit.ConnectAsync(me);

        var state = (await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("bot-1", "my transfer hasn't arrived"))).State;
        state.Status.ShouldBe(ChatStatuses.Bot);
        var id = state.ConversationId;
        var answer = await customer.WaitForMessageAsync(id, m => m.AuthorType == TicketActors.Bot && m.Text.Contains(tx.Reference, StringComparison.Ordinal));
        answer.Text.ShouldContain("being checked by our security team");
        answer.Visibility.ShouldNotBe(TicketService.Internal);

        var (agent, _) = await kit.AgentAsync();
        var asked = await customer.Hub.InvokeAsync<ChatAck>("Send", id, "c-2", "I want to speak to an agent");
        asked.AssistantAnswering.ShouldBeTrue();
        await customer.WaitForBotTurnAsync(id, asked.Seq);
        await customer.WaitForMessageAsync(id, m => m.AuthorType == TicketActors.Bot && m.Text.Contains("a colleague from our payments team", StringComparison.Ordinal));
        await agent.WaitForAsync<ChatState>(ChatEvents.Assigned, s => s.ConversationId == id);
        var sync = await agent.Hub.InvokeAsync<ChatSync>("Resume", id, 0);
        var note = sync.Messages.Single(m => m.Visibility == TicketService.Internal && m.Text.Contains("Assistant handoff: asked", StringComparison.Ordinal));
        note.Text.ShouldContain("Intent: transfer_not_arrived");
        note.Text.ShouldContain($"explained {tx.Reference}");
        note.Text.ShouldContain("> I want to speak to an agent");
        customer.Messages(id).ShouldNotContain(m => m.Visibility == TicketService.Internal);
        (await app.ConversationAsync(id)).HandoffReason.ShouldBe(HandoffReasons.Asked);
    }
}
