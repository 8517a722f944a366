using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Email;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Email;

/// <summary>One server per provider with the email channel configured (support@walletdesk.test, a fixed reply key).</summary>
public sealed class EmailChannelFixture : IAsyncLifetime
{
    public const string Support = "support@walletdesk.test";
    public static readonly string ReplyKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private readonly ConcurrentDictionary<string, Lazy<Task<WalletDeskFactory>>> _factories = new();

    public static Dictionary<string, string?> Settings() => TestSmtp.Settings(more: new Dictionary<string, string?>
    {
        ["Email:Inbound:Address"] = Support,
        ["Email:Inbound:ReplyTokenKey"] = ReplyKey,
        ["Email:Inbound:TrustedAuthServIds:0"] = "mx.walletdesk.test",
    });

    public Task<WalletDeskFactory> For(string provider) =>
        _factories.GetOrAdd(provider, p => new Lazy<Task<WalletDeskFactory>>(() => WalletDeskFactory.CreateAsync(p, Settings()))).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var lazy in _factories.Values.Where(l => l.IsValueCreated))
        {
            await (await lazy.Value).DisposeAsync();
        }
    }
}

public static class InboundMail
{
    public static string NewSender(string label) => $"{label}-{Guid.NewGuid():N}"[..24] + "@example.com";

    public static byte[] Message(string from, string subject, string body, string to = EmailChannelFixture.Support, string? headers = null, string? messageId = null) =>
        Encoding.UTF8.GetBytes(
            $"{headers}From: Customer <{from}>\nTo: {to}\nSubject: {subject}\nDate: Mon, 7 Dec 2026 09:12:00 +0800\nMessage-ID: <{messageId ?? Guid.NewGuid().ToString("N") + "@example.com"}>\n" +
            $"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}\n");

    public static EmailIngest Ingest(this WalletDeskFactory app) => app.Services.GetRequiredService<EmailIngest>();

    public static async Task<IngestResult> IngestAsync(this WalletDeskFactory app, byte[] raw, string? providerId = null) =>
        await app.Ingest().IngestAsync(raw, "cli", providerId, default);

    public static Task<List<TicketMessage>> MessagesAsync(this WalletDeskFactory app, long ticketId) =>
        app.WithDbAsync(db => db.TicketMessages.AsNoTracking().Where(m => m.TicketId == ticketId).OrderBy(m => m.Seq).ToListAsync());

    public static Task<Ticket> TicketAsync(this WalletDeskFactory app, long ticketId) =>
        app.WithDbAsync(db => db.Tickets.AsNoTracking().SingleAsync(t => t.Id == ticketId));

    public static Task<List<EmailMessage>> OutboxForAsync(this WalletDeskFactory app, string to)
    {
        var lower = to.ToLowerInvariant();
        return app.WithDbAsync(db => db.EmailOutbox.AsNoTracking().Where(m => m.ToAddress == lower).OrderBy(m => m.Id).ToListAsync());
    }

    public static string ReplyAddressOf(this WalletDeskFactory app, long ticketId) => app.Services.GetRequiredService<ReplyAddress>().For(ticketId)!;
}

public sealed class EmailChannelTests(EmailChannelFixture fixture) : IClassFixture<EmailChannelFixture>
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Ingest_NewMessage_OpensAnEmailTicketWithTheReplyRedactedAndTheOriginalKept(string provider)
    {
        var app = await fixture.For(provider);
        var sender = InboundMail.NewSender("new");
        var raw = InboundMail.Message(sender, "Card charged twice", "My card 4111 1111 1111 1111 was charged twice.\n\nOn Mon, Dec 7, 2026 at 9:12 AM Shop <shop@example.com> wrote:\n> Your order was paid.", messageId: "first-" + Guid.NewGuid().ToString("N") + "@example.com");

        var result = await app.IngestAsync(raw);

        result.Outcome.ShouldBe(InboundOutcomes.TicketCreated);
        var ticket = await app.TicketAsync(result.TicketId!.Value);
        ticket.Channel.ShouldBe(TicketChannels.Email);
        ticket.Subject.ShouldBe("Card charged twice");
        var messages = await app.MessagesAsync(ticket.Id);
        var first = messages[0];
        first.AuthorType.ShouldBe(TicketActors.Customer);
        first.Visibility.ShouldBe(TicketService.Public);
        first.Body.ShouldNotContain("4111 1111 1111 1111");
        first.Body.ShouldNotContain("Your order was paid");
        first.Body.ShouldStartWith("My card 411111");
        first.Redactions.ShouldContain("pan");
        var notes = messages.Where(m => m.Visibility == TicketService.Internal).Select(m => m.Body).ToList();
        notes.ShouldContain(n => n.Contains($"Email from {sender}", StringComparison.Ordinal) && n.Contains("sender check: none", StringComparison.Ordinal));
        notes.ShouldContain(n => n.Contains("Your order was paid", StringComparison.Ordinal) && !n.Contains("4111 1111 1111 1111", StringComparison.Ordinal), "the original is kept, redacted");

        var ack = (await app.OutboxForAsync(sender)).ShouldHaveSingleItem();
        ack.Kind.ShouldBe(EmailKinds.Acknowledgement);
        ack.Subject.ShouldContain($"#{ticket.Id}");
        ack.ReplyToAddress.ShouldBe(app.ReplyAddressOf(ticket.Id));
        ack.InReplyTo.ShouldStartWith("<first-");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Ingest_SameMessageDeliveredTwice_IsOneEntry(string provider)
    {
        var app = await fixture.For(provider);
        var sender = InboundMail.NewSender("dup");
        var raw = InboundMail.Message(sender, "Twice", "Please help with my transfer.");
        var relayed = Encoding.ASCII.GetBytes("Received: from backup-mx.example by mx.walletdesk.test; Mon, 7 Dec 2026 09:13:00 +0800\n").Concat(raw).ToArray();

        var first = await app.IngestAsync(raw);
        var second = await app.IngestAsync(relayed);
        var third = await app.IngestAsync(raw);

        first.Outcome.ShouldBe(InboundOutcomes.TicketCreated);
        second.Outcome.ShouldBe(IngestResult.Duplicate);
        third.Outcome.ShouldBe(IngestResult.Duplicate);
        (await app.WithDbAsync(db => db.Tickets.CountAsync(t => t.Id == first.TicketId))).ShouldBe(1);
        (await app.MessagesAsync(first.TicketId!.Value)).Count(m => m.AuthorType == TicketActors.Customer).ShouldBe(1);
        (await app.OutboxForAsync(sender)).Count.ShouldBe(1, "one acknowledgement");

        // The provider's id catches a redelivery even when the bytes changed on the way; the same Message-ID alone does not merge two messages.
        var byId = await app.IngestAsync(InboundMail.Message(sender, "Other", "A different message.", messageId: "same@example.com"), providerId: "imap-uid-" + sender);
        var sameProviderId = await app.IngestAsync(InboundMail.Message(sender, "Other", "A different message, re-encoded.", messageId: "same@example.com"), providerId: "imap-uid-" + sender);
        var sameMessageIdOnly = await app.IngestAsync(InboundMail.Message(sender, "Third", "Yet another message.", messageId: "same@example.com"));
        byId.Outcome.ShouldBe(InboundOutcomes.TicketCreated);
        sameProviderId.Outcome.ShouldBe(IngestResult.Duplicate);
        sameMessageIdOnly.Outcome.ShouldBe(InboundOutcomes.TicketCreated);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Ingest_ReplyToTheSignedAddress_ThreadsOntoTheTicket_ForgedOrForeignTokensOpenNewTickets(string provider)
    {
        var app = await fixture.For(provider);
        var sender = InboundMail.NewSender("thread");
        var opened = await app.IngestAsync(InboundMail.Message(sender, "Locked out", "My account is locked.", messageId: "open-" + sender));
        var ticketId = opened.TicketId!.Value;
        var replyTo = app.ReplyAddressOf(ticketId);

        var reply = await app.IngestAsync(InboundMail.Message(sender, "Re: Locked out", "I tried again, still locked.\n\n> My account is locked.", to: replyTo));
        reply.Outcome.ShouldBe(InboundOutcomes.Appended);
        reply.TicketId.ShouldBe(ticketId);
        (await app.MessagesAsync(ticketId)).Where(m => m.AuthorType == TicketActors.Customer).Select(m => m.Body)
            .ShouldBe(["My account is locked.", "I tried again, still locked."]);

        // The signature of another ticket, a flipped character, a truncated token: none joins the ticket.
        var other = app.ReplyAddressOf(ticketId + 1);
        var forged = replyTo.Replace($"+t{ticketId}.", $"+t{ticketId + 1}.", StringComparison.Ordinal);
        var flipped = replyTo[..^20] + (replyTo[^20] == 'a' ? 'b' : 'a') + replyTo[^19..];
        var truncated = replyTo[..(replyTo.IndexOf('@', StringComparison.Ordinal) - 5)] + "@walletdesk.test";
        foreach (var address in new[] { forged, flipped, truncated })
        {
            var result = await app.IngestAsync(InboundMail.Message(sender, "Re: Locked out", "Forged " + address, to: address));
            result.Outcome.ShouldBe(InboundOutcomes.TicketCreated, address);
            result.TicketId.ShouldNotBe(ticketId);
            (await app.MessagesAsync(result.TicketId!.Value)).ShouldContain(m => m.Visibility == TicketService.Internal && m.Body.Contains("did not verify", StringComparison.Ordinal));
        }

        other.ShouldNotBe(forged, "the signature covers the ticket id");

        // A valid reply address, but someone else writes to it: a new ticket for them, never a message on this one.
        var stranger = InboundMail.NewSender("stranger");
        var foreign = await app.IngestAsync(InboundMail.Message(stranger, "Re: Locked out", "I am not the customer.", to: replyTo));
        foreign.Outcome.ShouldBe(InboundOutcomes.TicketCreated);
        foreign.TicketId.ShouldNotBe(ticketId);
        (await app.MessagesAsync(ticketId)).ShouldNotContain(m => m.Body.Contains("not the customer", StringComparison.Ordinal));

        // In-Reply-To alone is a hint for the agent, not a key.
        var hinted = await app.IngestAsync(InboundMail.Message(sender, "Re: Locked out", "Replying from another client.", headers: $"In-Reply-To: <open-{sender}>\n"));
        hinted.Outcome.ShouldBe(InboundOutcomes.TicketCreated);
        hinted.TicketId.ShouldNotBe(ticketId);
        (await app.MessagesAsync(hinted.TicketId!.Value)).ShouldContain(m => m.Visibility == TicketService.Internal && m.Body.Contains($"ticket #{ticketId}", StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Ingest_AutoRepliesAndOurOwnMail_NeverOpenTicketsNorGetAnswers(string provider)
    {
        var app = await fixture.For(provider);
        var ticketsBefore = await app.WithDbAsync(db => db.Tickets.CountAsync());
        var senders = new List<string>();
        foreach (var name in EmailCorpusTests.Names.Where(n => EmailCorpusTests.Expected(n).Meta.GetValueOrDefault("loop") == "AutoReply"))
        {
            var sender = InboundMail.NewSender("auto");
            senders.Add(sender);
            var raw = File.ReadAllText(Path.Combine(EmailCorpusTests.CorpusFolder, name + ".eml"))
                .Replace("alice@example.com", sender, StringComparison.Ordinal).Replace("news@shop.example", sender, StringComparison.Ordinal).Replace("dev@lists.example", sender, StringComparison.Ordinal);
            (await app.IngestAsync(Encoding.UTF8.GetBytes(raw))).Outcome.ShouldBe(InboundOutcomes.AutoReply, name);
        }

        // An auto-responder that sets no header answers our acknowledgement with our own address in From: still no ticket.
        var echo = await app.IngestAsync(InboundMail.Message(EmailChannelFixture.Support, "[#1] We received your request", "Echo"));
        echo.Outcome.ShouldBe(InboundOutcomes.AutoReply);

        (await app.WithDbAsync(db => db.Tickets.CountAsync())).ShouldBe(ticketsBefore);
        foreach (var sender in senders)
        {
            (await app.OutboxForAsync(sender)).ShouldBeEmpty();
        }

        // A mail loop partner that keeps writing new messages gets one acknowledgement per quiet period, not one per message.
        var chatty = InboundMail.NewSender("chatty");
        for (var i = 0; i < 3; i++)
        {
            (await app.IngestAsync(InboundMail.Message(chatty, "Ticket " + i, "New message " + i))).Outcome.ShouldBe(InboundOutcomes.TicketCreated);
        }

        (await app.OutboxForAsync(chatty)).Count.ShouldBe(1);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Ingest_Bounce_MarksTheAddressFailing_AndTheSenderDoesNotMailIt(string provider)
    {
        var app = await fixture.For(provider);
        var gone = InboundMail.NewSender("gone");
        var dsn = File.ReadAllText(Path.Combine(EmailCorpusTests.CorpusFolder, "40-dsn-report.eml")).Replace("gone@example.com", gone, StringComparison.Ordinal);
        var ticketsBefore = await app.WithDbAsync(db => db.Tickets.CountAsync());

        (await app.IngestAsync(Encoding.UTF8.GetBytes(dsn))).Outcome.ShouldBe(InboundOutcomes.Bounce);

        (await app.WithDbAsync(db => db.Tickets.CountAsync())).ShouldBe(ticketsBefore);
        (await app.WithDbAsync(db => db.EmailAddressHealth.SingleAsync(h => h.Address == gone))).Failing.ShouldBeTrue();
        var id = await app.Outbox().EnqueueAsync(new OutgoingEmail(gone, "Hello", "Hello", EmailKinds.Reply), default);
        await app.Sender().SendDueAsync(default);
        var row = await app.EmailRowAsync(id);
        row.Status.ShouldBe(EmailStatuses.Failed);
        row.LastError.ShouldNotBeNull().ShouldContain("bounced");

        // A new message from a failing address still opens a ticket (the person is real), but gets no acknowledgement.
        (await app.IngestAsync(InboundMail.Message(gone, "Back", "I fixed my mailbox."))).Outcome.ShouldBe(InboundOutcomes.TicketCreated);
        (await app.OutboxForAsync(gone)).Count.ShouldBe(1, "only the reply queued above");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Ingest_SpoofedWalletCustomer_IsNotLinkedIsMarkedAndGetsNoAcknowledgement(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreateCustomerAsync("Wallet Owner");
        var address = InboundMail.NewSender("owner");
        await app.WithDbAsync(db => db.Customers.Where(c => c.Id == customer.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Email, address)));
        var domain = address.Split('@')[1];

        var spoofed = await app.IngestAsync(InboundMail.Message(address, "Change my phone number", "Please change my phone number to +65 5555 0199 and refund me.",
            headers: $"Authentication-Results: mx.walletdesk.test; spf=fail smtp.mailfrom=evil.example; dkim=none; dmarc=fail header.from={domain}\n"));
        var genuine = await app.IngestAsync(InboundMail.Message(address, "Transfer question", "Where is my transfer?",
            headers: $"Authentication-Results: mx.walletdesk.test; spf=pass smtp.mailfrom={address}; dkim=pass header.d={domain}; dmarc=pass header.from={domain}\n"));

        var spoofedTicket = await app.TicketAsync(spoofed.TicketId!.Value);
        spoofedTicket.CustomerId.ShouldNotBe(customer.Id, "a failing sender never reaches the wallet customer");
        spoofedTicket.Tags.ShouldContain(" email-sender-unverified ");
        (await app.MessagesAsync(spoofedTicket.Id)).ShouldContain(m => m.Visibility == TicketService.Internal && m.Body.Contains("FAILED", StringComparison.Ordinal) && m.Body.Contains("change contact details", StringComparison.Ordinal));
        (await app.WithDbAsync(db => db.Customers.SingleAsync(c => c.Id == customer.Id))).Phone.ShouldBeNull("email never changes contact details");

        var genuineTicket = await app.TicketAsync(genuine.TicketId!.Value);
        genuineTicket.CustomerId.ShouldBe(customer.Id);
        (await app.MessagesAsync(genuineTicket.Id)).ShouldContain(m => m.Body.Contains("sender check: pass", StringComparison.Ordinal));
        (await app.OutboxForAsync(address)).Select(m => m.Reference).ShouldBe([$"ticket:{genuineTicket.Id}"], "only the verified message is acknowledged");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AgentReply_OnAnEmailTicket_IsMailedWithThreadingHeaders_NotesAreNot(string provider)
    {
        var app = await fixture.For(provider);
        var sender = InboundMail.NewSender("reply");
        var opened = await app.IngestAsync(InboundMail.Message(sender, "退款", "请帮我退款。", messageId: "zh-" + sender));
        await using (var scope = app.Scope())
        {
            var tickets = scope.ServiceProvider.GetRequiredService<TicketService>();
            var agent = new TicketActor(TicketActors.Agent, Guid.NewGuid().ToString(), "Agent Lin");
            await tickets.AddAgentMessageAsync(opened.TicketId!.Value, "Internal: check the ledger first.", isInternal: true, null, agent);
            await tickets.AddAgentMessageAsync(opened.TicketId!.Value, "已为您退款，卡号 4111 1111 1111 1111 的款项三天内到账。", isInternal: false, null, agent);
        }

        var mails = await app.OutboxForAsync(sender);
        mails.Select(m => m.Kind).ShouldBe([EmailKinds.Acknowledgement, EmailKinds.Reply]);
        var reply = mails[1];
        reply.Subject.ShouldBe($"Re: 退款 [#{opened.TicketId}]");
        reply.TextBody.ShouldContain("已为您退款");
        reply.TextBody.ShouldNotContain("4111 1111 1111 1111");
        reply.TextBody.ShouldNotContain("ledger");
        reply.HtmlBody.ShouldNotBeNull().ShouldContain("已为您退款");
        reply.ReplyToAddress.ShouldBe(app.ReplyAddressOf(opened.TicketId!.Value));
        reply.InReplyTo.ShouldBe($"<zh-{sender}>");
        reply.References.ShouldBe($"<zh-{sender}>");

        var composed = EmailSender.Compose(reply, new EmailOptions { Host = "x", FromAddress = "support@walletdesk.test" });
        composed.Headers.Contains("Auto-Submitted").ShouldBeFalse("a person's answer is not automatic mail");
        composed.InReplyTo.ShouldBe("zh-" + sender);
        composed.ReplyTo.Mailboxes.Single().Address.ShouldBe(reply.ReplyToAddress);
        EmailSender.Compose(mails[0], new EmailOptions { Host = "x", FromAddress = "support@walletdesk.test" }).Headers["Auto-Submitted"].ShouldBe("auto-replied");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Quarantine_UnreadableOrUnstorable_IsKeptWholeVisibleToAdminsAndReprocessable(string provider)
    {
        var app = await fixture.For(provider);
        var unreadable = Encoding.UTF8.GetBytes("To: support@walletdesk.test\nSubject: no sender " + Guid.NewGuid() + "\n\nWho sent this?\n");
        var held = await app.IngestAsync(unreadable);
        held.Outcome.ShouldBe(IngestResult.Quarantined);
        held.Detail.ShouldNotBeNull().ShouldContain("From");

        // A readable message whose storing failed (simulated) waits in the quarantine until an admin reprocesses it.
        var sender = InboundMail.NewSender("held");
        var good = InboundMail.Message(sender, "Stuck", "This one failed to store the first time.");
        var stuck = await app.Ingest().QuarantineAsync(good, "cli", null, "Could not store: database full", default);

        var admin = await app.CreateStaffAsync(StaffRoles.Admin, withTotp: true);
        var console = await (await app.SignInAsync(admin)).WithCsrfAsync();
        var list = await (await console.GetAsync("/api/email/quarantine?status=held")).ReadAsAsync<List<QuarantinedEmailResponse>>();
        list.ShouldContain(q => q.Id == held.QuarantineId && q.Reason.Contains("From", StringComparison.Ordinal));
        (await console.GetByteArrayAsync($"/api/email/quarantine/{held.QuarantineId}/raw")).ShouldBe(unreadable);

        var again = await (await console.PostAsync($"/api/email/quarantine/{held.QuarantineId}/reprocess", null)).ReadAsAsync<IngestResponse>();
        again.Outcome.ShouldBe(IngestResult.Quarantined);
        var fixedOne = await (await console.PostAsync($"/api/email/quarantine/{stuck.QuarantineId}/reprocess", null)).ReadAsAsync<IngestResponse>();
        fixedOne.Outcome.ShouldBe(InboundOutcomes.TicketCreated);
        (await app.MessagesAsync(fixedOne.TicketId!.Value))[0].Body.ShouldBe("This one failed to store the first time.");

        var rows = await app.WithDbAsync(db => db.EmailQuarantine.AsNoTracking().Where(q => q.Id == held.QuarantineId || q.Id == stuck.QuarantineId).OrderBy(q => q.Id).ToListAsync());
        rows[0].Status.ShouldBe(QuarantineStatuses.Held);
        rows[0].Attempts.ShouldBe(1);
        rows[1].Status.ShouldBe(QuarantineStatuses.Reprocessed);
        rows[1].TicketId.ShouldBe(fixedOne.TicketId);
        (await console.PostAsync($"/api/email/quarantine/{stuck.QuarantineId}/reprocess", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound, "reprocessed once");

        // The console page shows what is held and reprocesses it too.
        var third = await app.Ingest().QuarantineAsync(InboundMail.Message(InboundMail.NewSender("page"), "From the page", "Reprocessed from the console."), "http", null, "Could not store: simulated", default);
        var page = HttpHelpers.Html(await (await console.GetAsync("/console/admin/email")).ShouldReturnAsync(HttpStatusCode.OK));
        page.QuerySelector($"#email-quarantine tr[data-quarantine-id='{third.QuarantineId}']").ShouldNotBeNull().TextContent.ShouldContain("simulated");
        page.QuerySelector($"#email-quarantine tr[data-quarantine-id='{stuck.QuarantineId}']").ShouldBeNull("reprocessed messages leave the list");
        var posted = await console.SubmitFormAsync("/console/admin/email", "email-reprocess", new() { ["ReprocessId"] = third.QuarantineId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        (await posted.ShouldReturnAsync(HttpStatusCode.OK)).ShouldContain("ticket_created");
        (await app.WithDbAsync(db => db.EmailQuarantine.SingleAsync(q => q.Id == third.QuarantineId))).Status.ShouldBe(QuarantineStatuses.Reprocessed);

        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var agentClient = await app.SignInAsync(agent);
        (await agentClient.GetAsync("/api/email/quarantine")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task HttpDoor_TakesTheRawMessage_OnlyWithAnIngestScopedToken(string provider)
    {
        var app = await fixture.For(provider);
        var admin = await app.CreateStaffAsync(StaffRoles.Admin, withTotp: true);
        var console = await (await app.SignInAsync(admin)).WithCsrfAsync();
        var ingestToken = (await (await console.PostAsJsonAsync("/api/api-tokens", new CreateApiTokenRequest("mta", [ApiScopes.EmailIngest], null))).ReadAsAsync<CreatedApiTokenResponse>(HttpStatusCode.Created)).Token;
        var readToken = (await (await console.PostAsJsonAsync("/api/api-tokens", new CreateApiTokenRequest("reader", [ApiScopes.TicketsRead], null))).ReadAsAsync<CreatedApiTokenResponse>(HttpStatusCode.Created)).Token;
        var sender = InboundMail.NewSender("http");
        var raw = InboundMail.Message(sender, "Via HTTP", "Sent through the HTTP door.");

        async Task<HttpResponseMessage> PostAsync(string? token)
        {
            var client = app.CreateClient(app.Options(handleCookies: false));
            if (token is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            var content = new ByteArrayContent(raw);
            content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
            content.Headers.Add("X-Provider-Message-Id", "http-" + sender);
            return await client.PostAsync("/api/email/inbound", content);
        }

        (await PostAsync(null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await PostAsync(readToken)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var created = await (await PostAsync(ingestToken)).ReadAsAsync<IngestResponse>();
        created.Outcome.ShouldBe(InboundOutcomes.TicketCreated);
        (await (await PostAsync(ingestToken)).ReadAsAsync<IngestResponse>()).Outcome.ShouldBe(IngestResult.Duplicate);
    }
}
