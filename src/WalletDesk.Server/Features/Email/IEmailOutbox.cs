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

/// <remarks>
/// <c>Kind</c>: What it is, for the log and reports (e.g. <c>chat_transcript</c>).<br/>
/// <c>Reference</c>: What it is about (e.g. a ticket id), for the log.
/// </remarks>
public sealed record OutgoingEmail(string To, string Subject, string TextBody, string Kind, string? Reference = null, string? HtmlBody = null);
