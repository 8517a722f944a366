using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using WalletDesk.HubClient;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Tests.Chat;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Security;

/// <summary>Issue 15, item 5: chat transcripts go only to a proven address, and mail from chats is rate-limited per conversation and per address.</summary>
public sealed partial class TranscriptRelayTests
{
    private const string Spam = "CLICK http://evil.example/win to claim your prize";

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Visitor_NewAddress_GetsOnlyACode_ThenTheTranscriptOnceTheCodeIsEntered(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var visitor = await kit.VisitorAsync();
        var id = (await visitor.Hub.InvokeAsync<ChatState>("Start", new StartChat("s", Spam))).ConversationId;

        var asked = await Should.ThrowAsync<HubCallException>(() => visitor.Hub.InvokeAsync<TranscriptRequested>("RequestTranscript", id, "victim@walletdesk.test"));
        asked.Message.ShouldContain("sent a code");

        var mails = await MailsAsync(kit, "victim@walletdesk.test");
        var codeMail = mails.ShouldHaveSingleItem();
        codeMail.Kind.ShouldBe("chat_transcript_code");
        codeMail.TextBody.ShouldNotContain("evil.example");
        codeMail.Subject.ShouldNotContain("evil.example");

        var wrong = await Should.ThrowAsync<HubCallException>(() => visitor.Hub.InvokeAsync<TranscriptRequested>("RequestTranscript", id, CodeIn(codeMail.TextBody).StartsWith('B') ? "CCCC-CCCC" : "BBBB-BBBB"));
        wrong.Message.ShouldContain("not right");
        (await MailsAsync(kit, "victim@walletdesk.test")).Count.ShouldBe(1, "a wrong code sends nothing");

        var sent = await visitor.Hub.InvokeAsync<TranscriptRequested>("RequestTranscript", id, CodeIn(codeMail.TextBody));
        sent.SentTo.ShouldBe("victim@walletdesk.test");
        (await MailsAsync(kit, "victim@walletdesk.test")).ShouldContain(m => m.Kind == "chat_transcript" && m.TextBody.Contains("evil.example"));

        // The proven address is used again without a new code.
        (await visitor.Hub.InvokeAsync<TranscriptRequested>("RequestTranscript", id, null)).SentTo.ShouldBe("victim@walletdesk.test");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Visitor_GuessingTheCode_StopsAfterFiveTries(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var visitor = await kit.VisitorAsync();
        var id = (await visitor.Hub.InvokeAsync<ChatState>("Start", new StartChat("s", Spam))).ConversationId;
        await Should.ThrowAsync<HubCallException>(() => visitor.Hub.InvokeAsync<TranscriptRequested>("RequestTranscript", id, "guess@walletdesk.test"));
        var code = CodeIn((await MailsAsync(kit, "guess@walletdesk.test")).Single().TextBody);

        for (var i = 0; i < 5; i++)
        {
            var guess = new string("BCDFGH"[i] == code[0] ? 'Z' : "BCDFGH"[i], 4) + "-" + code[5..];
            await Should.ThrowAsync<HubCallException>(() => visitor.Hub.InvokeAsync<TranscriptRequested>("RequestTranscript", id, guess));
        }

        (await Should.ThrowAsync<HubCallException>(() => visitor.Hub.InvokeAsync<TranscriptRequested>("RequestTranscript", id, code))).Message.ShouldContain("expired");
        (await MailsAsync(kit, "guess@walletdesk.test")).ShouldNotContain(m => m.Kind == "chat_transcript");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ManyConversations_MailingOneAddress_AreCutOffPerAddress_AndPerConversation(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        for (var i = 0; i < ChatService.TranscriptMailsPerAddressPerDay + 2; i++)
        {
            var visitor = await kit.VisitorAsync("Bot " + i);
            var id = (await visitor.Hub.InvokeAsync<ChatState>("Start", new StartChat("s" + i, Spam))).ConversationId;
            await Should.ThrowAsync<HubCallException>(() => visitor.Hub.InvokeAsync<TranscriptRequested>("RequestTranscript", id, "flooded@walletdesk.test"));
        }

        (await MailsAsync(kit, "flooded@walletdesk.test")).Count.ShouldBe(ChatService.TranscriptMailsPerAddressPerDay);

        var one = await kit.VisitorAsync("One");
        var mine = (await one.Hub.InvokeAsync<ChatState>("Start", new StartChat("one", Spam))).ConversationId;
        for (var i = 0; i < ChatService.TranscriptMailsPerConversationPerDay + 2; i++)
        {
            await Should.ThrowAsync<HubCallException>(() => one.Hub.InvokeAsync<TranscriptRequested>("RequestTranscript", mine, $"other{i}@walletdesk.test"));
        }

        var sentForConversation = await kit.App.WithDbAsync(db => db.EmailOutbox.CountAsync(m => m.Reference == mine.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        sentForConversation.ShouldBe(ChatService.TranscriptMailsPerConversationPerDay);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task WalletCustomer_TypingAnotherAddress_StillGetsItOnlyAtTheWalletsAddress(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        var customer = await kit.CustomerAsync("Mei");
        var id = (await customer.Hub.InvokeAsync<ChatState>("Start", new StartChat("s", "Where is my refund?"))).ConversationId;
        await kit.App.WithDbAsync(async db =>
        {
            var conversation = await db.ChatConversations.SingleAsync(c => c.TicketId == id);
            return await db.Customers.Where(c => c.Id == conversation.CustomerId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Email, "mei@walletdesk.test"));
        });

        var sent = await customer.Hub.InvokeAsync<TranscriptRequested>("RequestTranscript", id, "someone-else@walletdesk.test");

        sent.SentTo.ShouldBe("mei@walletdesk.test");
        (await MailsAsync(kit, "someone-else@walletdesk.test")).ShouldBeEmpty();
    }

    private static Task<List<WalletDesk.Server.Features.Email.EmailMessage>> MailsAsync(ChatKit kit, string to) =>
        kit.App.WithDbAsync(db => db.EmailOutbox.AsNoTracking().Where(m => m.ToAddress == to).OrderBy(m => m.Id).ToListAsync());

    private static string CodeIn(string body) => SixDigits().Match(body).Value;

    [GeneratedRegex(@"\b[A-Z]{4}-[A-Z]{4}\b")]
    private static partial Regex SixDigits();
}
