namespace WalletDesk.Server.Features.Email;

/// <summary>
/// Outgoing email. <see cref="EnqueueAsync"/> commits the message to a durable outbox in the database and returns; a
/// background sender delivers it over SMTP with retries, so a slow or absent mail server never blocks a request and
/// nothing accepted is lost. Bodies must already be redacted (outbound redaction) by the caller.
/// </summary>
public interface IEmailOutbox
{
    Task<long> EnqueueAsync(OutgoingEmail email, CancellationToken cancellationToken);
}

/// <summary>One email to send to one recipient.</summary>
/// <param name="To">One bare address (<c>name@example.com</c>), validated with <see cref="System.Net.Mail.MailAddress"/>.</param>
/// <param name="Subject">One line; line breaks become spaces.</param>
/// <param name="TextBody">The plain-text body (UTF-8).</param>
/// <param name="Kind">What it is, for the log and reports (e.g. <c>chat_transcript</c>).</param>
/// <param name="Reference">What it is about (e.g. a ticket id), for the log.</param>
/// <param name="HtmlBody">An optional HTML alternative; the caller is responsible for it being safe (sanitized).</param>
public sealed record OutgoingEmail(string To, string Subject, string TextBody, string Kind, string? Reference = null, string? HtmlBody = null)
{
    /// <summary>A Reply-To address (a ticket's signed reply address).</summary>
    public string? ReplyTo { get; init; }

    /// <summary>The In-Reply-To header: one message id in angle brackets.</summary>
    public string? InReplyTo { get; init; }

    /// <summary>The References header: message ids in angle brackets, space-separated.</summary>
    public string? References { get; init; }
}
