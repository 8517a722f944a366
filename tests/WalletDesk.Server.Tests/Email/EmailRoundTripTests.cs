using System.Diagnostics;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using WalletDesk.Server.Features.Email;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Email;

/// <summary>
/// The whole loop through the real postfix: a customer's mail to support@walletdesk.test lands in the Maildir and is
/// ingested; the acknowledgement and the agent's reply are delivered to the customer; the customer's reply to the
/// Reply-To address threads onto the same ticket.
/// </summary>
public sealed class EmailRoundTripTests(EmailChannelFixture fixture) : IClassFixture<EmailChannelFixture>
{
    [SmtpTheory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task CustomerMail_AgentReply_CustomerReply_ThreadThroughPostfix(string provider)
    {
        var app = await fixture.For(provider);
        var customer = TestSmtp.NewRecipient("cust");
        var marker = Guid.NewGuid().ToString("N");

        var first = new MimeMessage();
        first.From.Add(new MailboxAddress("李娜", customer));
        first.To.Add(MailboxAddress.Parse(EmailChannelFixture.Support));
        first.Subject = $"转账未到账 {marker}";
        first.MessageId = $"first-{marker}@walletdesk.test";
        first.Body = new TextPart("plain") { Text = $"您好，我昨天的转账还没有到账。{marker}\n\n发自我的iPhone" };
        await SendAsync(first);

        var received = await MaildirAsync(marker, 1);
        var opened = await app.IngestAsync(received[0]);
        opened.Outcome.ShouldBe(InboundOutcomes.TicketCreated);
        var ticketId = opened.TicketId!.Value;
        (await app.MessagesAsync(ticketId))[0].Body.ShouldBe($"您好，我昨天的转账还没有到账。{marker}");

        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<TicketService>().AddAgentMessageAsync(ticketId, "已经为您查到，款项今天到账。", isInternal: false, null,
                new TicketActor(TicketActors.Agent, Guid.NewGuid().ToString(), "Agent Lin"));
        }

        await app.Sender().SendDueAsync(default);
        var delivered = await TestMailbox.WaitForAsync(customer, 2);
        var ack = delivered.Single(m => m.Header("Auto-Submitted") == "auto-replied");
        ack.Subject.ShouldContain($"#{ticketId}");
        var reply = delivered.Single(m => m.Header("Auto-Submitted") is null);
        reply.TextBody.ShouldContain("已经为您查到，款项今天到账。");
        reply.Header("In-Reply-To").ShouldBe($"<first-{marker}@walletdesk.test>");
        var replyTo = app.ReplyAddressOf(ticketId);
        reply.Header("Reply-To").ShouldBe(replyTo);

        // The customer answers from their mail client: to the Reply-To address, quoting the agent.
        var answer = new MimeMessage();
        answer.From.Add(new MailboxAddress("李娜", customer));
        answer.To.Add(MailboxAddress.Parse(replyTo));
        answer.Subject = "Re: " + reply.Subject;
        answer.InReplyTo = reply.Header("Message-ID")!.Trim('<', '>');
        var answerMarker = Guid.NewGuid().ToString("N");
        answer.Body = new TextPart("plain") { Text = $"收到了，谢谢！{answerMarker}\n\n在 2026年12月7日 10:00，WalletDesk 客服 <support@walletdesk.test> 写道：\n> 已经为您查到，款项今天到账。" };
        await SendAsync(answer);

        var second = (await MaildirAsync(answerMarker, 1)).Single();
        Encoding.UTF8.GetString(second).ShouldContain(replyTo, Case.Insensitive);
        var threaded = await app.IngestAsync(second);
        threaded.Outcome.ShouldBe(InboundOutcomes.Appended);
        threaded.TicketId.ShouldBe(ticketId);
        (await app.MessagesAsync(ticketId)).Where(m => m.AuthorType == TicketActors.Customer).Select(m => m.Body)
            .ShouldBe([$"您好，我昨天的转账还没有到账。{marker}", $"收到了，谢谢！{answerMarker}"]);
        (await app.IngestAsync(second)).Outcome.ShouldBe(IngestResult.Duplicate, "the same delivery fed in twice");
    }

    private static async Task SendAsync(MimeMessage message)
    {
        using var smtp = new SmtpClient();
        await smtp.ConnectAsync(TestSmtp.Host, TestSmtp.Port, SecureSocketOptions.None);
        await smtp.SendAsync(message);
        await smtp.DisconnectAsync(true);
    }

    /// <summary>The raw messages in the test Maildir whose text body contains <paramref name="marker"/> (our answers carry the
    /// customer's subject, not their text), once there are <paramref name="count"/>.</summary>
    private static async Task<List<byte[]>> MaildirAsync(string marker, int count)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var found = new[] { "new", "cur" }.Select(f => Path.Combine(TestSmtp.MaildirPath!, f)).Where(Directory.Exists)
                .SelectMany(Directory.EnumerateFiles).Select(File.ReadAllBytes)
                .Where(raw => BodyHas(raw, marker)).ToList();
            if (found.Count >= count || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                found.Count.ShouldBe(count, $"messages with {marker} in the Maildir (see /var/log/postfix-walletdesk.log)");
                return found;
            }

            await Task.Delay(100);
        }
    }

    private static bool BodyHas(byte[] raw, string marker)
    {
        try
        {
            using var stream = new MemoryStream(raw);
            var message = MimeMessage.Load(stream);
            return (message.TextBody ?? "").Contains(marker, StringComparison.Ordinal);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
