using System.Net;
using WalletDesk.Server.Features.Email;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Email;

/// <summary>The SMTP server goes away (a proxy in front of postfix is cut) and comes back.</summary>
public sealed class SmtpOutageTests
{
    [SmtpTheory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SmtpDown_RetriesWithBackoff_ThenDeliversWhenItIsBack(string provider)
    {
        await using var proxy = new TcpProxy(TestSmtp.Host, TestSmtp.Port);
        proxy.Start();
        proxy.Cut(); // the port now refuses connections
        await using var app = await WalletDeskFactory.CreateAsync(provider, TestSmtp.Settings(proxy.Port, new Dictionary<string, string?> { ["Email:RetryDelaySeconds"] = "30" }));
        var to = TestSmtp.NewRecipient("outage");
        var id = await app.Outbox().EnqueueAsync(new OutgoingEmail(to, "Through the outage", "Still arrives.", "test"), default);

        (await app.Sender().SendDueAsync(default)).Retrying.ShouldBe(1);
        var row = await app.EmailRowAsync(id);
        row.Status.ShouldBe(EmailStatuses.Queued);
        row.Attempts.ShouldBe(1);
        row.NextAttemptAt.ShouldBe(app.Clock.GetUtcNow().AddSeconds(30), TimeSpan.FromMilliseconds(1));
        row.LastError.ShouldNotBeNull().ShouldContain("SocketException: Connection refused");

        (await app.Sender().SendDueAsync(default)).ShouldBe(new EmailPassResult(0, 0, 0), "not due before the backoff has passed");

        app.Clock.Advance(TimeSpan.FromSeconds(30));
        (await app.Sender().SendDueAsync(default)).Retrying.ShouldBe(1);
        row = await app.EmailRowAsync(id);
        row.Attempts.ShouldBe(2);
        row.NextAttemptAt.ShouldBe(app.Clock.GetUtcNow().AddSeconds(60), TimeSpan.FromMilliseconds(1), "the delay doubles");

        proxy.Start(); // back on the same port
        app.Clock.Advance(TimeSpan.FromSeconds(60));
        (await app.Sender().SendDueAsync(default)).Sent.ShouldBe(1);

        (await TestMailbox.WaitForAsync(to)).Single().TextBody.ShouldContain("Still arrives.");
        row = await app.EmailRowAsync(id);
        row.Status.ShouldBe(EmailStatuses.Sent);
        row.Attempts.ShouldBe(3);

        // Neither the outbox nor the log carries the SMTP password, the body or the recipient.
        row.LastError!.ShouldNotContain(TestSmtp.SmtpPassword);
        var log = string.Join('\n', app.Logs.Lines);
        log.ShouldContain($"Email {id} (test) attempt 1 failed");
        log.ShouldNotContain(TestSmtp.SmtpPassword);
        log.ShouldNotContain("Still arrives.");
        log.ShouldNotContain(to);
    }

    [SmtpFact]
    public async Task SmtpDownTooLong_MarksFailed_AndAnAdminRetryFromTheConsoleSendsIt()
    {
        await using var proxy = new TcpProxy(TestSmtp.Host, TestSmtp.Port);
        proxy.Start();
        proxy.Cut();
        await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite, TestSmtp.Settings(proxy.Port, new Dictionary<string, string?> { ["Email:MaxAttempts"] = "2" }));
        var to = TestSmtp.NewRecipient("failed");
        var id = await app.Outbox().EnqueueAsync(new OutgoingEmail(to, "Given up, then retried", "Arrives after the admin's retry.", "test", "T-9"), default);

        await app.Sender().SendDueAsync(default);
        app.Clock.Advance(TimeSpan.FromHours(1));
        (await app.Sender().SendDueAsync(default)).Failed.ShouldBe(1);
        (await app.EmailRowAsync(id)).Status.ShouldBe(EmailStatuses.Failed);
        app.Clock.Advance(TimeSpan.FromHours(1));
        (await app.Sender().SendDueAsync(default)).ShouldBe(new EmailPassResult(0, 0, 0), "a failed message is not tried again by itself");

        var admin = await app.CreateStaffAsync(StaffRoles.Admin, withTotp: true);
        var client = await app.SignInAsync(admin);
        var page = await (await client.GetAsync("/console/admin/email?status=failed")).ShouldReturnAsync(HttpStatusCode.OK);
        var listed = HttpHelpers.Html(page).QuerySelector($"tr[data-email-id='{id}']").ShouldNotBeNull();
        listed.TextContent.ShouldContain("Given up, then retried");
        listed.TextContent.ShouldContain(to);
        listed.TextContent.ShouldContain("SocketException: Connection refused");
        listed.QuerySelector("button[name=RetryId]").ShouldNotBeNull();

        proxy.Start();
        var retried = await client.SubmitFormAsync("/console/admin/email?status=failed", "email-retry", [], "RetryId", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        (await retried.ShouldReturnAsync(HttpStatusCode.OK)).ShouldContain($"Email {id} is queued again.");
        var row = await app.EmailRowAsync(id);
        row.Status.ShouldBe(EmailStatuses.Queued);
        row.Attempts.ShouldBe(0);

        (await app.Sender().SendDueAsync(default)).Sent.ShouldBe(1);
        (await TestMailbox.WaitForAsync(to)).Single().Subject.ShouldBe("Given up, then retried");
        var audit = await app.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(db.AuditEntries.Where(e => e.Action == "email.retry")));
        audit.ShouldHaveSingleItem().ActorName.ShouldBe(admin.UserName);
    }
}
