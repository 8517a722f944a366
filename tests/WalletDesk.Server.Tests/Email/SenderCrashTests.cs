using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Email;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Email;

/// <summary>The real server process dies at the worst moment: postfix has the message, the outbox does not know yet.</summary>
public sealed class SenderCrashTests
{
    [SmtpFact]
    public async Task ProcessKilledAfterSmtpAccepted_NextProcessSendsAgainAfterTheLease_WithTheSameMessageId()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "walletdesk-tests", Guid.NewGuid().ToString("N"));
        var environment = new Dictionary<string, string>
        {
            ["Database__SeedDemoData"] = "false",
            ["Email__Host"] = TestSmtp.Host,
            ["Email__Port"] = TestSmtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email__FromAddress"] = "support@walletdesk.test",
            ["Email__LeaseSeconds"] = "10",
            ["Email__TimeoutSeconds"] = "5",
            ["Email__PollSeconds"] = "1",
        };
        var to = TestSmtp.NewRecipient("kill");
        long id;
        try
        {
            await using (var first = await ServerProcess.StartAsync(new Dictionary<string, string>(environment) { ["WALLETDESK_CRASH_POINT"] = "email.after-smtp" }, dataDir))
            {
                await using var db = DataModule.CreateContext(postgres: false, $"Data Source={Path.Combine(dataDir, "walletdesk.db")}");
                var message = EmailOutbox.Prepare(new OutgoingEmail(to, "Sent twice, never lost", "At least once.", "test"), new TicketIntake(Options.Create(new RedactionOptions())), DateTimeOffset.UnixEpoch);
                db.EmailOutbox.Add(message);
                await db.SaveChangesAsync();
                id = message.Id;

                await WaitUntilAsync(() => Task.FromResult(first.Output.Contains("crash point email.after-smtp", StringComparison.Ordinal)), first.Output);
            }

            TestMailbox.For(to).Count.ShouldBeLessThanOrEqualTo(1);
            await using (var db = DataModule.CreateContext(postgres: false, $"Data Source={Path.Combine(dataDir, "walletdesk.db")}"))
            {
                var row = await db.EmailOutbox.AsNoTracking().SingleAsync(m => m.Id == id);
                row.Status.ShouldBe(EmailStatuses.Sending, "the process died before recording the outcome");
                row.Attempts.ShouldBe(1);
            }

            await using (var second = await ServerProcess.StartAsync(environment, dataDir))
            {
                await using var db = DataModule.CreateContext(postgres: false, $"Data Source={Path.Combine(dataDir, "walletdesk.db")}");
                await WaitUntilAsync(async () => (await db.EmailOutbox.AsNoTracking().SingleAsync(m => m.Id == id)).Status == EmailStatuses.Sent, second.Output);
                (await db.EmailOutbox.AsNoTracking().SingleAsync(m => m.Id == id)).Attempts.ShouldBe(2);
            }

            var copies = await TestMailbox.WaitForAsync(to, 2);
            copies.Select(m => m.Header("Message-ID")).Distinct().ShouldHaveSingleItem("a re-send carries the same Message-ID, so mail clients show one message");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string context)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"Gave up waiting; server output:\n{context}");
            }

            await Task.Delay(200);
        }
    }
}
