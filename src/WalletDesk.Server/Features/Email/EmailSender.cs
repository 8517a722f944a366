using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Microsoft.Extensions.Options;
using WalletDesk.Redaction;
using WalletDesk.Server.Data;

namespace WalletDesk.Server.Features.Email;

/// <summary>What one pass of the sender did.</summary>
public sealed record EmailPassResult(int Sent, int Retrying, int Failed);

/// <summary>
/// Delivers the outbox over SMTP with MailKit (plain, STARTTLS or implicit TLS, AUTH when the server offers it). A message is claimed with a conditional update (status, lease and a claim token) right
/// before it is sent, so any number of senders over one PostgreSQL database send each message once; a row left in
/// <c>sending</c> by a process that died is claimed again when its lease lapses. Delivery is therefore at least once:
/// a crash between the SMTP server's "250 OK" and the status update sends the message again, with the same Message-ID.
/// </summary>
public sealed partial class EmailSender(
    IDbContextFactory<AppDbContext> contexts,
    TimeProvider time,
    EmailSignal signal,
    IOptionsMonitor<EmailOptions> options,
    ILogger<EmailSender> logger) : BackgroundService
{
    /// <summary>A crash point for tests (<c>WALLETDESK_CRASH_POINT=email.after-smtp</c>): the process dies after the SMTP
    /// server accepted a message and before the outbox records it, the worst moment for at-least-once delivery.</summary>
    private static readonly bool CrashAfterSmtp = Environment.GetEnvironmentVariable("WALLETDESK_CRASH_POINT") == "email.after-smtp";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.CurrentValue;
        if (!settings.SenderEnabled)
        {
            return;
        }

        if (!settings.IsConfigured)
        {
            LogNotConfigured(logger);
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (options.CurrentValue.IsConfigured)
                {
                    try
                    {
                        await SendDueAsync(stoppingToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // The database may be away; the next pass tries again.
                        LogPassFailed(logger, ex);
                    }
                }

                await signal.WaitAsync(TimeSpan.FromSeconds(options.CurrentValue.PollSeconds), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; a message claimed mid-send is taken over when its lease lapses.
        }
    }

    /// <summary>Sends what is due now (queued and due, or claimed by a sender whose lease lapsed), one batch.</summary>
    public async Task<EmailPassResult> SendDueAsync(CancellationToken ct)
    {
        var settings = options.CurrentValue;
        if (!settings.IsConfigured)
        {
            return new EmailPassResult(0, 0, 0);
        }

        var now = time.GetUtcNow();
        List<long> due;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            // Rows whose sender died on their last allowed attempt are not tried again.
            await db.EmailOutbox
                .Where(m => m.Status == EmailStatuses.Sending && m.LeaseUntil <= now && m.Attempts >= settings.MaxAttempts)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Status, EmailStatuses.Failed)
                    .SetProperty(m => m.LeaseUntil, (DateTimeOffset?)null)
                    .SetProperty(m => m.ClaimToken, (Guid?)null)
                    .SetProperty(m => m.LastError, "The sender stopped during the last attempt (its lease lapsed); the message may or may not have been delivered."), ct);
            due = await Due(db.EmailOutbox, now, settings.MaxAttempts)
                .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id)
                .Select(m => m.Id).Take(settings.BatchSize).ToListAsync(ct);
        }

        int sent = 0, retrying = 0, failed = 0;
        using var smtp = new SmtpClient { Timeout = settings.TimeoutSeconds * 1000 };
        try
        {
            foreach (var id in due)
            {
                var outcome = await SendOneAsync(id, smtp, settings, ct);
                sent += outcome == Outcome.Sent ? 1 : 0;
                retrying += outcome == Outcome.Retrying ? 1 : 0;
                failed += outcome == Outcome.Failed ? 1 : 0;
            }
        }
        finally
        {
            if (smtp.IsConnected)
            {
                try
                {
                    await smtp.DisconnectAsync(quit: true, CancellationToken.None);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The pass is over; a connection that will not close politely is simply dropped.
                }
            }
        }

        return new EmailPassResult(sent, retrying, failed);
    }

    private static IQueryable<EmailMessage> Due(IQueryable<EmailMessage> rows, DateTimeOffset now, int maxAttempts) =>
        rows.Where(m => (m.Status == EmailStatuses.Queued && m.NextAttemptAt <= now)
            || (m.Status == EmailStatuses.Sending && m.LeaseUntil <= now && m.Attempts < maxAttempts));

    private enum Outcome { Skipped, Sent, Retrying, Failed }

    private async Task<Outcome> SendOneAsync(long id, SmtpClient smtp, EmailOptions settings, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var token = Guid.NewGuid();
        EmailMessage? message;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            // The claim: only one sender's conditional update matches (PostgreSQL re-checks the condition after waiting
            // for a concurrent updater's row lock; SQLite has one writer at a time).
            var claimed = await Due(db.EmailOutbox.Where(m => m.Id == id), now, settings.MaxAttempts).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, EmailStatuses.Sending)
                .SetProperty(m => m.ClaimToken, token)
                .SetProperty(m => m.LeaseUntil, now.AddSeconds(settings.LeaseSeconds))
                .SetProperty(m => m.Attempts, m => m.Attempts + 1), ct);
            if (claimed == 0)
            {
                return Outcome.Skipped;
            }

            message = await db.EmailOutbox.AsNoTracking().SingleAsync(m => m.Id == id, ct);
        }

        string? error;
        bool permanent;
        bool failing;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var to = message.ToAddress.ToLowerInvariant();
            failing = await db.EmailAddressHealth.AnyAsync(h => h.Address == to && h.Failing, ct);
        }

        try
        {
            if (failing)
            {
                throw new AddressFailingException();
            }

            var mail = Compose(message, settings);
            await ConnectAsync(smtp, settings, ct);
            await smtp.SendAsync(mail, ct);
            if (CrashAfterSmtp)
            {
                Environment.FailFast("crash point email.after-smtp");
            }

            error = null;
            permanent = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            error = Describe(ex, settings);
            // The server refused this message for good (5xx), or the address bounced before; retrying cannot help.
            // Anything else (connection, timeout, 4xx) may be transient. A broken connection is opened afresh for the next message.
            permanent = ex is AddressFailingException || ex is SmtpCommandException { StatusCode: >= (MailKit.Net.Smtp.SmtpStatusCode)500 };
            if (ex is not SmtpCommandException && smtp.IsConnected)
            {
                await smtp.DisconnectAsync(quit: false, CancellationToken.None).ConfigureAwait(false);
            }
        }

        await using (var db = await contexts.CreateDbContextAsync(CancellationToken.None))
        {
            var mine = db.EmailOutbox.Where(m => m.Id == id && m.ClaimToken == token && m.Status == EmailStatuses.Sending);
            var finished = time.GetUtcNow();
            if (error is null)
            {
                await mine.ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Status, EmailStatuses.Sent)
                    .SetProperty(m => m.SentAt, finished)
                    .SetProperty(m => m.LeaseUntil, (DateTimeOffset?)null)
                    .SetProperty(m => m.ClaimToken, (Guid?)null), CancellationToken.None);
                LogSent(logger, id, message.Kind, message.Attempts);
                return Outcome.Sent;
            }

            if (permanent || message.Attempts >= settings.MaxAttempts)
            {
                await mine.ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Status, EmailStatuses.Failed)
                    .SetProperty(m => m.LastError, error)
                    .SetProperty(m => m.LeaseUntil, (DateTimeOffset?)null)
                    .SetProperty(m => m.ClaimToken, (Guid?)null), CancellationToken.None);
                LogFailed(logger, id, message.Kind, message.Attempts, error);
                return Outcome.Failed;
            }

            var next = finished + RetryDelay(message.Attempts, settings);
            await mine.ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, EmailStatuses.Queued)
                .SetProperty(m => m.NextAttemptAt, next)
                .SetProperty(m => m.LastError, error)
                .SetProperty(m => m.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(m => m.ClaimToken, (Guid?)null), CancellationToken.None);
            LogRetrying(logger, id, message.Kind, message.Attempts, next, error);
            return Outcome.Retrying;
        }
    }

    /// <summary>Exponential backoff: the base delay after the first failure, doubling, capped.</summary>
    public static TimeSpan RetryDelay(int attemptsSoFar, EmailOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var seconds = settings.RetryDelaySeconds * Math.Pow(2, Math.Clamp(attemptsSoFar - 1, 0, 30));
        return TimeSpan.FromSeconds(Math.Min(seconds, settings.MaxRetryDelaySeconds));
    }

    private static async Task ConnectAsync(SmtpClient smtp, EmailOptions settings, CancellationToken ct)
    {
        if (smtp.IsConnected)
        {
            return;
        }

        var security = settings.ImplicitTls ? SecureSocketOptions.SslOnConnect : settings.EnableSsl ? SecureSocketOptions.StartTls : SecureSocketOptions.None;
        await smtp.ConnectAsync(settings.Host!, settings.Port, security, ct);
        // Credentials go only to a server that offers AUTH, as System.Net.Mail did: a relay without AUTH is used without them.
        if (!string.IsNullOrEmpty(settings.UserName) && smtp.Capabilities.HasFlag(SmtpCapabilities.Authentication))
        {
            await smtp.AuthenticateAsync(settings.UserName, settings.Password ?? "", ct);
        }
    }

    /// <summary>
    /// The MIME message (MimeKit): UTF-8 throughout (RFC 2047 subject and names, base64 bodies), a stable Message-ID, threading
    /// headers and Reply-To for ticket mail. Auto-Submitted marks automatic mail (RFC 3834) so responders stay quiet; an agent's
    /// reply is a person's answer and carries none.
    /// </summary>
    internal static MimeMessage Compose(EmailMessage message, EmailOptions settings)
    {
        var from = new MailboxAddress(Encoding.UTF8, settings.FromName, settings.FromAddress!);
        var domain = settings.FromAddress![(settings.FromAddress!.LastIndexOf('@') + 1)..];
        var mail = new MimeMessage();
        mail.From.Add(from);
        mail.To.Add(MailboxAddress.Parse(message.ToAddress));
        mail.Subject = message.Subject;
        mail.MessageId = $"{message.MessageKey:N}@{domain}";
        mail.Date = message.CreatedAt;
        if (message.ReplyToAddress is not null)
        {
            mail.ReplyTo.Add(MailboxAddress.Parse(message.ReplyToAddress));
        }

        if (message.InReplyTo is not null)
        {
            mail.InReplyTo = message.InReplyTo.Trim('<', '>');
        }

        foreach (var id in (message.References ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            mail.References.Add(id.Trim('<', '>'));
        }

        var autoSubmitted = message.Kind switch
        {
            EmailKinds.Reply => null,
            EmailKinds.Acknowledgement => "auto-replied",
            _ => "auto-generated",
        };
        if (autoSubmitted is not null)
        {
            mail.Headers.Add(HeaderId.AutoSubmitted, autoSubmitted);
        }

        var text = new TextPart("plain") { ContentTransferEncoding = ContentEncoding.Base64 };
        text.SetText(Encoding.UTF8, message.TextBody);
        if (message.HtmlBody is null)
        {
            mail.Body = text;
        }
        else
        {
            var html = new TextPart("html") { ContentTransferEncoding = ContentEncoding.Base64 };
            html.SetText(Encoding.UTF8, message.HtmlBody);
            mail.Body = new MultipartAlternative { text, html };
        }

        return mail;
    }

    private sealed class AddressFailingException() : Exception("The address is marked failing: mail to it bounced. Not sent.");

    /// <summary>The failure for the outbox and the log: type, SMTP status and messages, with credentials and card data scrubbed.</summary>
    internal static string Describe(Exception ex, EmailOptions settings)
    {
        var text = new StringBuilder();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (text.Length > 0)
            {
                text.Append(" <- ");
            }

            text.Append(e.GetType().Name);
            if (e is SmtpCommandException smtp)
            {
                text.Append(' ').Append((int)smtp.StatusCode).Append(' ').Append(smtp.StatusCode);
            }

            text.Append(": ").Append(e.Message);
        }

        var described = text.ToString();
        foreach (var secret in new[] { settings.Password, settings.UserName })
        {
            if (!string.IsNullOrEmpty(secret))
            {
                described = described.Replace(secret, "[redacted]", StringComparison.Ordinal);
            }
        }

        described = LogScrubber.Scrub(described);
        return described.Length <= EmailLimits.Error ? described : described[..(EmailLimits.Error - 1)] + "…";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email is not configured (set Email:Host and Email:FromAddress): outgoing messages stay queued and are sent once it is")]
    private static partial void LogNotConfigured(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Email sender pass failed")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Email {EmailId} ({Kind}) sent on attempt {Attempt}")]
    private static partial void LogSent(ILogger logger, long emailId, string kind, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email {EmailId} ({Kind}) attempt {Attempt} failed, next try at {NextAttemptAt:O}: {Error}")]
    private static partial void LogRetrying(ILogger logger, long emailId, string kind, int attempt, DateTimeOffset nextAttemptAt, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Email {EmailId} ({Kind}) failed after {Attempt} attempts: {Error}")]
    private static partial void LogFailed(ILogger logger, long emailId, string kind, int attempt, string error);
}
