using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Email;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Email;

/// <summary>One server per provider, pointed at the real postfix, with the sender driven by hand.</summary>
public sealed class EmailFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<WalletDeskFactory>>> _factories = new();

    public Task<WalletDeskFactory> For(string provider) =>
        _factories.GetOrAdd(provider, p => new Lazy<Task<WalletDeskFactory>>(() => WalletDeskFactory.CreateAsync(p, TestSmtp.Settings()))).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var lazy in _factories.Values.Where(l => l.IsValueCreated))
        {
            await (await lazy.Value).DisposeAsync();
        }
    }
}

public sealed class SendingEmailTests(EmailFixture fixture) : IClassFixture<EmailFixture>
{
    [SmtpTheory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Enqueue_EnglishAndChinese_ArriveAsUtf8WithTheRightHeaders(string provider)
    {
        var app = await fixture.For(provider);
        var english = TestSmtp.NewRecipient("en");
        var chinese = TestSmtp.NewRecipient("zh");
        const string zhSubject = "您的在线客服对话记录 #42 — 转账未到账";
        const string zhBody = "您好，李女士：\n\n这是您与 WalletDesk 客服的对话记录。\n我们绝不会向您索要密码、完整卡号或验证码。\n😀 表情也要原样到达。";

        var enId = await app.Outbox().EnqueueAsync(new OutgoingEmail(english, "Your chat transcript #41", "Hello,\n\nHere is your transcript.\nThanks for contacting us.", "chat_transcript", "41"), default);
        var zhId = await app.Outbox().EnqueueAsync(new OutgoingEmail(chinese, zhSubject, zhBody, "chat_transcript", "42", HtmlBody: "<p>您好，<b>李女士</b></p>"), default);
        (await app.EmailRowAsync(zhId)).Status.ShouldBe(EmailStatuses.Queued);

        await app.Sender().SendDueAsync(default);

        var en = (await TestMailbox.WaitForAsync(english)).Single();
        en.Subject.ShouldBe("Your chat transcript #41");
        en.TextBody.ReplaceLineEndings("\n").TrimEnd().ShouldBe("Hello,\n\nHere is your transcript.\nThanks for contacting us.");
        en.Header("To").ShouldBe(english);
        en.Header("Auto-Submitted").ShouldBe("auto-generated");
        var enRow = await app.EmailRowAsync(enId);
        en.Header("Message-ID").ShouldBe($"<{enRow.MessageKey:N}@walletdesk.test>");
        enRow.Status.ShouldBe(EmailStatuses.Sent);
        enRow.Attempts.ShouldBe(1);
        enRow.SentAt.ShouldNotBeNull().ShouldBe(app.Clock.GetUtcNow(), TimeSpan.FromMilliseconds(1));
        enRow.LeaseUntil.ShouldBeNull();

        var zh = (await TestMailbox.WaitForAsync(chinese)).Single();
        zh.Subject.ShouldBe(zhSubject);
        zh.Header("Subject")!.ShouldStartWith("=?utf-8?", Case.Insensitive); // RFC 2047: the header line itself is ASCII
        Rfc2047.Decode(zh.Header("From")!).ShouldBe("WalletDesk 客服 <support@walletdesk.test>");
        zh.Header("Content-Type")!.ShouldStartWith("multipart/alternative");
        zh.TextBody.ReplaceLineEndings("\n").TrimEnd().ShouldBe(zhBody);
        zh.HtmlBody!.ShouldContain("<b>李女士</b>");
        zh.Raw.ShouldContain("charset=utf-8", Case.Insensitive);
        (await app.EmailRowAsync(zhId)).Status.ShouldBe(EmailStatuses.Sent);
    }

    [SmtpTheory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Enqueue_CardNumbersInSubjectAndBodies_NeverReachTheMailboxOrTheOutbox(string provider)
    {
        var app = await fixture.For(provider);
        var to = TestSmtp.NewRecipient("pan");
        var id = await app.Outbox().EnqueueAsync(new OutgoingEmail(
            to,
            "Refund for card 4111 1111 1111 1111",
            "You wrote: my card is 4111-1111-1111-1111, CVV 123, and the other one 5500.0000.0000.0004.\nWe are on it.",
            "ticket_reply",
            "T-1",
            HtmlBody: "<p>Card <b>4111111111111111</b> exp 12/29</p>"), default);

        var row = await app.EmailRowAsync(id);
        foreach (var stored in new[] { row.Subject, row.TextBody, row.HtmlBody! })
        {
            Digits(stored).ShouldNotContain("4111111111111111");
            Digits(stored).ShouldNotContain("5500000000000004");
        }

        await app.Sender().SendDueAsync(default);
        var mail = (await TestMailbox.WaitForAsync(to)).Single();
        mail.TextBody.ShouldContain("We are on it.");
        mail.Subject.ShouldStartWith("Refund for card");
        foreach (var pan in new[] { "4111111111111111", "5500000000000004" })
        {
            Digits(mail.Everything).ShouldNotContain(pan);
            Digits(await File.ReadAllTextAsync(mail.File)).ShouldNotContain(pan);
        }

        mail.TextBody.ShouldNotContain("CVV 123");
        mail.TextBody.ShouldContain("411111******1111");
    }

    [SmtpTheory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Enqueue_LineBreaksInTheSubject_CannotAddHeadersOrRecipients(string provider)
    {
        var app = await fixture.For(provider);
        var to = TestSmtp.NewRecipient("inj");
        var smuggled = TestSmtp.NewRecipient("bcc");
        var id = await app.Outbox().EnqueueAsync(new OutgoingEmail(to, $"Hello\r\nBcc: {smuggled}\nX-Evil: 1", "Body", "test"), default);
        (await app.EmailRowAsync(id)).Subject.ShouldBe($"Hello Bcc: {smuggled} X-Evil: 1");

        await app.Sender().SendDueAsync(default);
        var mail = (await TestMailbox.WaitForAsync(to)).Single();
        mail.Subject.ShouldBe($"Hello Bcc: {smuggled} X-Evil: 1");
        mail.Header("X-Evil").ShouldBeNull();
        mail.Header("Bcc").ShouldBeNull();
        TestMailbox.For(smuggled).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-an-address")]
    [InlineData("Mallory <mallory@walletdesk.test>")]
    [InlineData("a@walletdesk.test, b@walletdesk.test")]
    [InlineData("a@walletdesk.test\r\nBcc: b@walletdesk.test")]
    [InlineData("李@walletdesk.test")]
    public async Task Enqueue_AnythingButOneBareAddress_IsRejected_AndNothingIsQueued(string to)
    {
        var app = await fixture.For(Providers.Sqlite);
        var before = await app.WithDbAsync(db => db.EmailOutbox.CountAsync());

        await Should.ThrowAsync<ArgumentException>(() => app.Outbox().EnqueueAsync(new OutgoingEmail(to, "Subject", "Body", "test"), default));

        (await app.WithDbAsync(db => db.EmailOutbox.CountAsync())).ShouldBe(before);
    }

    [SmtpTheory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task CrashedSender_RowLeftSending_IsSentAgainOnceItsLeaseLapses(string provider)
    {
        var app = await fixture.For(provider);
        var to = TestSmtp.NewRecipient("crash");
        var id = await app.Outbox().EnqueueAsync(new OutgoingEmail(to, "After a crash", "Sent by the second sender.", "test"), default);
        // What a process that died mid-send leaves behind: claimed by a token nobody holds any more, lease running.
        var now = app.Clock.GetUtcNow();
        await app.WithDbAsync(db => db.EmailOutbox.Where(m => m.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, EmailStatuses.Sending)
            .SetProperty(m => m.ClaimToken, Guid.NewGuid())
            .SetProperty(m => m.Attempts, 1)
            .SetProperty(m => m.LeaseUntil, now.AddSeconds(300))));

        await app.Sender().SendDueAsync(default);
        (await app.EmailRowAsync(id)).Status.ShouldBe(EmailStatuses.Sending, "the lease still holds");
        TestMailbox.For(to).ShouldBeEmpty();

        app.Clock.Advance(TimeSpan.FromSeconds(301));
        await app.Sender().SendDueAsync(default);

        var row = await app.EmailRowAsync(id);
        row.Status.ShouldBe(EmailStatuses.Sent);
        row.Attempts.ShouldBe(2);
        (await TestMailbox.WaitForAsync(to)).Single().TextBody.ShouldContain("Sent by the second sender.");
    }

    [SmtpTheory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TwoSenders_OneOutbox_SendEveryMessageExactlyOnce(string provider)
    {
        var app = await fixture.For(provider);
        var to = TestSmtp.NewRecipient("pair");
        var ids = new List<long>();
        for (var i = 0; i < 24; i++)
        {
            ids.Add(await app.Outbox().EnqueueAsync(new OutgoingEmail(to, $"Message {i}", $"Body {i}", "test"), default));
        }

        // Two independent senders (as in two server processes) race over the same rows.
        var first = ActivatorUtilities.CreateInstance<EmailSender>(app.Services);
        var second = ActivatorUtilities.CreateInstance<EmailSender>(app.Services);
        var sent = await Task.WhenAll(new[] { first, second }.Select(sender => Task.Run(async () =>
        {
            var total = 0;
            while (await app.WithDbAsync(db => db.EmailOutbox.AnyAsync(m => ids.Contains(m.Id) && m.Status == EmailStatuses.Queued)))
            {
                total += (await sender.SendDueAsync(default)).Sent;
            }

            return total;
        })));

        sent.Sum().ShouldBe(24);
        var rows = await app.WithDbAsync(db => db.EmailOutbox.AsNoTracking().Where(m => ids.Contains(m.Id)).ToListAsync());
        rows.ShouldAllBe(m => m.Status == EmailStatuses.Sent && m.Attempts == 1);
        var mails = await TestMailbox.WaitForAsync(to, 24);
        mails.Select(m => m.Subject).Distinct().Count().ShouldBe(24);
    }

    private static string Digits(string text) => string.Concat(text.Where(char.IsAsciiDigit));
}
