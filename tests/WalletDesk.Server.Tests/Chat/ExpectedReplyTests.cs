using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Assistant;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Chat;

/// <summary>One answer to "when will a person reply?" (issue 13): the assistant's handoff line, the state every client shows, the portal.</summary>
public sealed class ExpectedReplyTests
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Handoff_WithNobodyOnline_BotLineAndStateSayTheSameAnswerTime(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, AssistantFixture.Settings);
        await AssistantFixture.PrepareAsync(kit.App);
        var customer = await kit.CustomerAsync();

        var started = await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "I want to speak to an agent"));
        started.Ack.AssistantAnswering.ShouldBeTrue();
        await customer.WaitForBotTurnAsync(started.ConversationId, started.Ack.Seq);
        var sync = await customer.Hub.InvokeAsync<ChatSync>("Resume", started.ConversationId, 0);

        var state = sync.State;
        state.Status.ShouldBe(ChatStatuses.Offline);
        state.HandoffReason.ShouldNotBeNull("native apps get the handoff reason in the state, like the console");
        var expected = state.ExpectedReply.ShouldNotBeNull();
        expected.Kind.ShouldBe("request");
        expected.Text.ShouldContain("continues as a request");
        var due = await kit.App.WithDbAsync(db => db.Tickets.Where(t => t.Id == started.ConversationId).Select(t => t.NextSlaDueAt).SingleAsync());
        expected.By.ShouldBe(due);
        var botLines = sync.Messages.Where(m => m.AuthorType == TicketActors.Bot).Select(m => m.Text).ToList();
        botLines.ShouldContain(expected.Text, "the assistant's handoff line is the banner's sentence, word for word");
        botLines.ShouldNotContain(l => l.Contains("minutes", StringComparison.Ordinal));
        sync.Messages.ShouldNotContain(m => m.Visibility == TicketService.Internal);
        (await kit.App.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.TicketId == started.ConversationId && m.Body.Contains("Assistant handoff")))).ShouldBe(1);
    }

    [Fact]
    public void ExpectedReply_QueuedWithAWait_SaysTheMinutes()
    {
        var now = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

        var queued = ExpectedReplies.For(ChatStatuses.Queued, "en", 170, null, now).ShouldNotBeNull();
        var offline = ExpectedReplies.For(ChatStatuses.Offline, "zh", null, now.AddHours(4), now).ShouldNotBeNull();

        queued.Text.ShouldBe("A person will reply in about 3 minutes.");
        queued.By.ShouldBe(now.AddSeconds(170));
        offline.Text.ShouldContain("12月7日 14:00 (UTC)");
        ExpectedReplies.For(ChatStatuses.Active, "en", null, null, now).ShouldBeNull();
    }
}
