using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Assistant;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Chat;

/// <summary>The assistant's quick replies and help-center articles reach every client as data, live and on resume (issue 13).</summary>
public sealed class StructuredRepliesTests
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task KnowledgeAnswer_CarriesTheArticleCardAndTheDidThatSolveItButtons_LiveAndOnResume(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, AssistantFixture.Settings);
        await AssistantFixture.PrepareAsync(kit.App);
        var customer = await kit.CustomerAsync();

        var started = await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "what are the fees for a transfer?"));
        await customer.WaitForBotTurnAsync(started.ConversationId, started.Ack.Seq);
        var sync = await customer.Hub.InvokeAsync<ChatSync>("Resume", started.ConversationId, 0);

        var bot = sync.Messages.Where(m => m.AuthorType == TicketActors.Bot).ToList();
        var withArticle = bot.First(m => m.Article is not null);
        withArticle.Article!.Url.ShouldBe($"/help/articles/{withArticle.Article.Slug}");
        var asked = bot.Last();
        asked.QuickReplies.ShouldNotBeNull();
        asked.QuickReplies.ShouldBe(["Yes, thanks", "No, I still need help"]);
        (await customer.WaitForMessageAsync(started.ConversationId, m => m.Seq == asked.Seq)).QuickReplies.ShouldBe(asked.QuickReplies, "the live event carries the same buttons");
        (await customer.WaitForMessageAsync(started.ConversationId, m => m.Seq == withArticle.Seq)).Article.ShouldBe(withArticle.Article);

        // A button is the customer's words: sending it is an ordinary message the assistant understands.
        var yes = await customer.Hub.InvokeAsync<ChatAck>("Send", started.ConversationId, "q1", asked.QuickReplies[0]);
        await customer.WaitForBotTurnAsync(started.ConversationId, yes.Seq);
        (await customer.WaitForAsync<ChatState>(ChatEvents.State, s => s.ConversationId == started.ConversationId && s.Status == ChatStatuses.Closed)).Status.ShouldBe(ChatStatuses.Closed);
    }
}
