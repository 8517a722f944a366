using System.Net;
using WalletDesk.Server.Features.Email;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Email;

public sealed class EmailConsoleAndConfigurationTests
{
    [Fact]
    public async Task NotConfigured_MessagesStayQueued_AndTheLogSaysWhy()
    {
        await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite, new Dictionary<string, string?> { ["Email:SenderEnabled"] = "true" });

        var id = await app.Outbox().EnqueueAsync(new OutgoingEmail("someone@walletdesk.test", "Waiting", "Body", "test"), default);

        (await app.Sender().SendDueAsync(default)).ShouldBe(new EmailPassResult(0, 0, 0));
        var row = await app.EmailRowAsync(id);
        row.Status.ShouldBe(EmailStatuses.Queued);
        row.Attempts.ShouldBe(0);
        app.Logs.Lines.ShouldContain(l => l.Contains("Email is not configured (set Email:Host and Email:FromAddress)", StringComparison.Ordinal));
    }

    [SmtpFact]
    public async Task BackgroundSender_DeliversANewMessageWithoutBeingAsked()
    {
        await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite, TestSmtp.Settings(more: new Dictionary<string, string?> { ["Email:SenderEnabled"] = "true" }));
        var to = TestSmtp.NewRecipient("bg");

        var id = await app.Outbox().EnqueueAsync(new OutgoingEmail(to, "By itself", "The background sender sent this.", "test"), default);

        (await TestMailbox.WaitForAsync(to)).Single().Subject.ShouldBe("By itself");
        (await app.EmailRowAsync(id)).Status.ShouldBe(EmailStatuses.Sent);
    }

    [Fact]
    public async Task Agent_OpeningTheEmailOutbox_IsTurnedAway_AndCannotRetry()
    {
        await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite, TestSmtp.Settings());
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var client = await app.SignInAsync(agent);

        var response = await client.GetAsync("/console/admin/email");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.LocationPath().Split("?")[0].ShouldBe("/console/denied");

        var post = await client.PostAsync("/console/admin/email", new FormUrlEncodedContent([new("_handler", "email-retry"), new("RetryId", "1")]));
        post.StatusCode.ShouldNotBe(HttpStatusCode.OK);
        (await app.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.AuditEntries, e => e.Action == "email.retry"))).ShouldBe(0);
    }
}
