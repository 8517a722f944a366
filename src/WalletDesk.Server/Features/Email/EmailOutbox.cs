using System.Globalization;
using System.Net.Mail;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Email;

/// <summary>A row of the outbox as the console lists it (no bodies).</summary>
public sealed record EmailOutboxItem(long Id, string Kind, string? Reference, string To, string Subject, string Status, int Attempts,
    DateTimeOffset CreatedAt, DateTimeOffset NextAttemptAt, DateTimeOffset? SentAt, string? LastError);

/// <summary>
/// The durable outbox: <see cref="EnqueueAsync"/> validates, redacts and commits in its own short transaction, then
/// wakes this process's <see cref="EmailSender"/>.
/// </summary>
public sealed class EmailOutbox(IDbContextFactory<AppDbContext> contexts, TimeProvider time, EmailSignal signal, AuditService audit, TicketIntake intake) : IEmailOutbox
{
    public async Task<long> EnqueueAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        var message = Prepare(email, intake, time.GetUtcNow());
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            db.EmailOutbox.Add(message);
            await db.SaveChangesAsync(cancellationToken);
        }

        signal.Wake();
        return message.Id;
    }

    /// <summary>Validates and cleans an email into an outbox row; throws <see cref="ArgumentException"/> for what cannot be sent.</summary>
    internal static EmailMessage Prepare(OutgoingEmail email, TicketIntake intake, DateTimeOffset now)
    {
        var to = ValidateAddress(email.To);
        if (string.IsNullOrWhiteSpace(email.Kind) || email.Kind.Length > EmailLimits.Kind || !email.Kind.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new ArgumentException("The kind must be 1-64 letters, digits, '_', '-' or '.'.", nameof(email));
        }

        if (email.Reference is { Length: > EmailLimits.Reference })
        {
            throw new ArgumentException($"The reference must be at most {EmailLimits.Reference} characters.", nameof(email));
        }

        // Outbound redaction is the caller's job; this is the last line of defence before text leaves the building.
        // A subject is one header line: every line break becomes a space so nothing can start another header.
        var subject = string.Join(' ', intake.Outbound(email.Subject ?? "").Text.Split(['\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (subject.Length is 0 or > EmailLimits.Subject)
        {
            throw new ArgumentException($"The subject must be 1-{EmailLimits.Subject} characters.", nameof(email));
        }

        var text = intake.Outbound(email.TextBody ?? "").Text;
        var html = email.HtmlBody is null ? null : intake.Outbound(email.HtmlBody).Text;
        if (text.Length == 0 || text.Length > EmailLimits.Body || html?.Length > EmailLimits.Body)
        {
            throw new ArgumentException($"The body must be 1-{EmailLimits.Body} characters.", nameof(email));
        }

        var replyTo = email.ReplyTo is null ? null : ValidateAddress(email.ReplyTo);
        var inReplyTo = email.InReplyTo is null ? null : ValidateMessageIds(email.InReplyTo, EmailLimits.MessageId);
        var references = email.References is null ? null : ValidateMessageIds(email.References, EmailLimits.References);
        return new EmailMessage
        {
            ReplyToAddress = replyTo,
            InReplyTo = inReplyTo,
            References = references,
            Kind = email.Kind,
            Reference = email.Reference,
            ToAddress = to,
            Subject = subject,
            TextBody = text,
            HtmlBody = html,
            MessageKey = Guid.NewGuid(),
            Status = EmailStatuses.Queued,
            NextAttemptAt = now,
            CreatedAt = now,
        };
    }

    /// <summary>One bare address (no display name, no list, no line breaks), ASCII local part.</summary>
    private static string ValidateAddress(string? to)
    {
        var trimmed = to?.Trim() ?? "";
        if (trimmed.Length is 0 or > EmailLimits.Address
            || trimmed.Any(char.IsControl)
            || !MailAddress.TryCreate(trimmed, out var parsed)
            || parsed.Address != trimmed
            || parsed.DisplayName.Length > 0
            || !parsed.User.All(char.IsAscii))
        {
            throw new ArgumentException("The recipient must be one valid email address.", nameof(to));
        }

        return trimmed;
    }

    /// <summary>Message ids for In-Reply-To/References: <c>&lt;…&gt;</c> tokens with no spaces, brackets or line breaks inside.</summary>
    private static string ValidateMessageIds(string ids, int max)
    {
        var parts = ids.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Any(p => p.Length < 3 || p[0] != '<' || p[^1] != '>' || p[1..^1].Any(c => c is '<' or '>' || char.IsWhiteSpace(c) || char.IsControl(c) || c > '~')))
        {
            throw new ArgumentException("Message ids must be <id@host> tokens.", nameof(ids));
        }

        // Keep the first (the thread's root) and the most recent ones when the chain is long.
        var kept = parts.ToList();
        while (string.Join(' ', kept).Length > max && kept.Count > 2)
        {
            kept.RemoveAt(1);
        }

        var joined = string.Join(' ', kept);
        return joined.Length <= max ? joined : throw new ArgumentException("Message ids are too long.", nameof(ids));
    }

    public async Task<IReadOnlyList<EmailOutboxItem>> ListAsync(string? status, int limit, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.EmailOutbox.AsNoTracking();
        if (status is not null && EmailStatuses.All.Contains(status))
        {
            query = query.Where(m => m.Status == status);
        }

        return await query.OrderByDescending(m => m.Id).Take(Math.Clamp(limit, 1, 500))
            .Select(m => new EmailOutboxItem(m.Id, m.Kind, m.Reference, m.ToAddress, m.Subject, m.Status, m.Attempts, m.CreatedAt, m.NextAttemptAt, m.SentAt, m.LastError))
            .ToListAsync(ct);
    }

    /// <summary>Puts a failed message back in the queue with a fresh set of attempts. False when it is not (or no longer) failed.</summary>
    public async Task<bool> RetryAsync(long id, StaffActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow();
        int changed;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            changed = await db.EmailOutbox.Where(m => m.Id == id && m.Status == EmailStatuses.Failed).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, EmailStatuses.Queued)
                .SetProperty(m => m.Attempts, 0)
                .SetProperty(m => m.NextAttemptAt, now)
                .SetProperty(m => m.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(m => m.ClaimToken, (Guid?)null), ct);
        }

        await audit.AppendAsync(new AuditEvent("email.retry", changed == 1 ? AuditOutcomes.Success : AuditOutcomes.Failure, "staff",
            actor.Id.ToString(), actor.Name, "email", id.ToString(CultureInfo.InvariantCulture), actor.SourceIp), ct);
        if (changed == 1)
        {
            signal.Wake();
        }

        return changed == 1;
    }
}

/// <summary>Wakes this process's sender when a message is queued, so it goes out now rather than at the next poll.</summary>
public sealed class EmailSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Wake()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _semaphore.WaitAsync(timeout, ct);

    public void Dispose() => _semaphore.Dispose();
}
