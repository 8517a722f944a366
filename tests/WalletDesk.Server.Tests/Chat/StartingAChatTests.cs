using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Chat;

/// <summary>
/// The first message, as a new customer sends it (issue 13): stored once even when redacted, never dropped when a
/// conversation is already open, and a returning customer's open conversation shown at once on a new device.
/// </summary>
public sealed class StartingAChatTests
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Start_FirstMessageWithACardNumber_IsAcknowledgedWithTheNoticeAndStoredOnce(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        await kit.AgentAsync();
        var customer = await kit.CustomerAsync();

        var started = await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("first", "my card 4111 1111 1111 1111 was charged twice"));

        started.Joined.ShouldBeFalse();
        started.Ack.Seq.ShouldBe(1);
        started.Ack.Duplicate.ShouldBeFalse();
        started.Ack.Notice.ShouldNotBeNull("the customer is told what was removed, with the message's own ack");

        // A client that sends the first text again under the start's id (what the widget used to do when the stored
        // text differed from what was typed) is a retry, not a second message.
        var resent = await customer.Hub.InvokeAsync<ChatAck>("Send", started.ConversationId, "first", "my card 4111 1111 1111 1111 was charged twice");
        resent.Duplicate.ShouldBeTrue();
        resent.Seq.ShouldBe(1);
        var customerMessages = await kit.App.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.TicketId == started.ConversationId && m.AuthorType == TicketActors.Customer));
        customerMessages.ShouldBe(1);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Start_WhileAConversationIsOpen_JoinsItAndKeepsTheNewText(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        await kit.AgentAsync();
        var customer = await kit.CustomerAsync();
        var first = await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("one", "Refund status please"));

        var second = await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("two", "Also my top-up failed"));
        var retried = await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("two", "Also my top-up failed"));

        second.Joined.ShouldBeTrue();
        second.ConversationId.ShouldBe(first.ConversationId);
        second.Ack.Seq.ShouldBeGreaterThan(first.Ack.Seq);
        second.State.LastSeq.ShouldBeGreaterThanOrEqualTo(second.Ack.Seq);
        retried.Joined.ShouldBeTrue();
        retried.Ack.Duplicate.ShouldBeTrue();
        retried.Ack.Seq.ShouldBe(second.Ack.Seq);
        var sync = await customer.Hub.InvokeAsync<ChatSync>("Resume", first.ConversationId, 0);
        sync.Messages.Count(m => m.Text == "Also my top-up failed").ShouldBe(1);
        (await customer.WaitForMessageAsync(first.ConversationId, m => m.Seq == second.Ack.Seq)).Text.ShouldBe("Also my top-up failed");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Current_OnANewDevice_ReturnsTheOpenConversationWithItsHistory(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var (agent, _) = await kit.AgentAsync();
        var phone = await kit.CustomerAsync();
        var started = await phone.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "My transfer has not arrived"));
        await agent.WaitForAsync<ChatState>(ChatEvents.Assigned, s => s.ConversationId == started.ConversationId);
        await agent.Hub.InvokeAsync<ChatAck>("Send", started.ConversationId, "a1", "Let me check that for you.");

        var laptop = await kit.ReconnectAsync(phone);
        var current = await laptop.Hub.InvokeAsync<ChatSync?>("Current");

        current.ShouldNotBeNull();
        current.State.ConversationId.ShouldBe(started.ConversationId);
        current.State.Status.ShouldBe(ChatStatuses.Active);
        current.State.AgentName.ShouldNotBeNull();
        current.Messages.Select(m => m.Text).ShouldBe(["My transfer has not arrived", "Let me check that for you."]);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Current_WithNoOpenConversation_ReturnsNull(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var customer = await kit.CustomerAsync();

        (await customer.Hub.InvokeAsync<ChatSync?>("Current")).ShouldBeNull();
    }
}
