using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Attachments;
using WalletDesk.Server.Features.Customers;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Email;

/// <summary>What became of one inbound message.</summary>
/// <param name="Outcome">An <see cref="InboundOutcomes"/> value, <c>duplicate</c> or <c>quarantined</c>.</param>
/// <param name="TicketId">The ticket the message went to.</param>
/// <param name="QuarantineId">The quarantine entry when it could not be stored.</param>
/// <param name="Detail">Why it was quarantined.</param>
public sealed record IngestResult(string Outcome, long? TicketId = null, long? QuarantineId = null, string? Detail = null)
{
    public const string Duplicate = "duplicate";
    public const string Quarantined = "quarantined";
}

/// <summary>
/// The email channel in: raw RFC 5322 → parsed (<see cref="EmailParser"/>) → loops dropped, bounces recorded → the sender's
/// customer (wallet customer only when the wallet holds this address and the sender check did not fail) → threaded by the
/// signed reply address or a new ticket through <see cref="TicketService"/> (intake redaction) → attachments through
/// <see cref="AttachmentService"/> → acknowledgement. What cannot be parsed or stored goes to the quarantine whole.
/// Idempotent: the same message twice (provider id, or content hash without trace headers) is one entry.
/// </summary>
public sealed partial class EmailIngest(
    IDbContextFactory<AppDbContext> contexts,
    IServiceScopeFactory scopes,
    IEmailOutbox outbox,
    ReplyAddress replyAddress,
    IOptionsMonitor<EmailInboundOptions> options,
    TimeProvider time,
    ILogger<EmailIngest> logger)
{
    private static readonly TicketActor Channel = new(TicketActors.System, "email", "Email channel");

    public async Task<IngestResult> IngestAsync(byte[] raw, string source, string? providerId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var settings = options.CurrentValue;
        providerId = string.IsNullOrWhiteSpace(providerId) ? null : providerId.Trim()[..Math.Min(200, providerId.Trim().Length)];
        if (providerId is not null)
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            if (await db.InboundEmails.AnyAsync(m => m.Source == source && m.ProviderId == providerId, ct))
            {
                return new IngestResult(IngestResult.Duplicate);
            }
        }

        if (raw.Length > settings.MaxMessageBytes)
        {
            return await QuarantineAsync(raw, source, providerId, $"The message is {raw.Length:N0} bytes; the limit is {settings.MaxMessageBytes:N0} (Email:Inbound:MaxMessageBytes).", ct);
        }

        ParsedEmail parsed;
        try
        {
            parsed = EmailParser.Parse(raw, settings.Address, settings.TrustedAuthServIds);
        }
        catch (UnreadableEmailException ex)
        {
            return await QuarantineAsync(raw, source, providerId, ex.Message, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return await QuarantineAsync(raw, source, providerId, $"Parser error {ex.GetType().Name}: {ex.Message}", ct);
        }

        try
        {
            return await StoreAsync(parsed, source, providerId, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // Kept whole for an admin. When the database itself is away, this throws too and the caller's door retries
            // (the CLI exits with EX_TEMPFAIL, so the MTA keeps the message queued).
            return await QuarantineAsync(raw, source, providerId, $"Could not store: {ex.GetType().Name}: {ex.Message}", ct);
        }
    }

    private async Task<IngestResult> StoreAsync(ParsedEmail mail, string source, string? providerId, CancellationToken ct)
    {
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            if (await db.InboundEmails.AnyAsync(m => m.ContentHash == mail.ContentHash, ct))
            {
                return new IngestResult(IngestResult.Duplicate);
            }
        }

        if (mail.Loop == LoopKind.Bounce)
        {
            await MarkFailingAsync(mail, ct);
            return await RecordAsync(mail, source, providerId, InboundOutcomes.Bounce, null, null, ct);
        }

        if (mail.Loop == LoopKind.AutoReply)
        {
            LogLoop(logger, mail.LoopReason ?? "auto-reply");
            return await RecordAsync(mail, source, providerId, InboundOutcomes.AutoReply, null, null, ct);
        }

        await using var scope = scopes.CreateAsyncScope();
        var customers = scope.ServiceProvider.GetRequiredService<CustomerService>();
        var tickets = scope.ServiceProvider.GetRequiredService<TicketService>();

        // Email alone proves little: a wallet customer is linked only when the wallet holds this address and the receiving
        // server did not find the From forged. A failing sender gets an email-only profile, never someone's wallet.
        var customer = (mail.Auth.Failed ? null : await customers.FindByVerifiedEmailAsync(mail.FromAddress, ct))
            ?? await customers.GetOrCreateForEmailAsync(mail.FromAddress, mail.FromName, mail.Language, ct);
        var actor = new TicketActor(TicketActors.Customer, customer.Id.ToString(), Clip(mail.FromName ?? mail.FromAddress, 128));
        var key = "email:" + mail.ContentHash[..40];
        var body = BodyOf(mail);
        var notes = new List<string>();

        TicketWriteResult? written = null;
        var tokenTicket = mail.Recipients.Select(replyAddress.TicketOf).FirstOrDefault(id => id is not null);
        if (tokenTicket is { } threadId)
        {
            written = await tickets.AddCustomerMessageAsync(customer.Id, threadId, body, key, actor, TicketChannels.Email, ct);
            if (written is null)
            {
                notes.Add($"This message was sent to the reply address of ticket #{threadId}, which belongs to someone else; it opened this new ticket instead.");
            }
        }
        else if (mail.Recipients.Any(LooksLikeReplyAddress))
        {
            notes.Add("This message was sent to a reply address whose signature did not verify (forged or damaged); it opened a new ticket.");
        }

        var created = written is null;
        if (written is null)
        {
            var subject = mail.Subject.Trim().Length == 0 ? (mail.Language == "zh" ? "（无主题）" : "(no subject)") : Clip(mail.Subject.Trim(), TicketIntake.MaxSubjectLength);
            written = await tickets.CreateAsync(customer.Id, new NewTicket(subject, body, null, TicketChannels.Email, mail.Language, key), actor, ct);
            if (!written.WasDuplicate && tokenTicket is null && await HintedTicketAsync(mail, ct) is { } hinted)
            {
                notes.Add($"Its In-Reply-To/References point at ticket #{hinted}, but it carries no valid reply address, so it was not added there (merge if it belongs).");
            }
        }

        if (written.WasDuplicate)
        {
            return new IngestResult(IngestResult.Duplicate, written.Ticket.Id);
        }

        var ticketId = written.Ticket.Id;
        var auth = $"Email from {mail.FromAddress} · sender check: {mail.Auth.Verdict} ({mail.Auth.Summary})";
        if (mail.Auth.Failed)
        {
            auth += "\n⚠ The sender check FAILED: the From address may be forged. Do not act on the wallet, share account details or change contact details on the strength of this email; verify the customer in the app first.";
            await tickets.UpdateAsync(ticketId, new TicketChanges(AddTags: ["email-sender-unverified"]), Channel, ct);
        }

        notes.Insert(0, auth);
        var files = scope.ServiceProvider.GetRequiredService<AttachmentService>();
        var uploader = new Uploader(TicketActors.Customer, customer.Id.ToString(), actor.Name, customer.Id);
        foreach (var file in mail.Attachments)
        {
            try
            {
                using var content = new MemoryStream(file.Content, writable: false);
                await files.AddFromChannelAsync(content, file.FileName, file.ContentType, ticketId, uploader, written.Message.Id, ct);
            }
            catch (AttachmentRejectedException ex)
            {
                notes.Add($"Attachment '{Clip(file.FileName ?? "(unnamed)", 120)}' ({file.ContentType}, {file.Content.Length:N0} bytes) was not kept: {ex.Message}");
            }
        }

        if (created || notes.Count > 1 || mail.Auth.Verdict != SenderVerdicts.Pass)
        {
            await tickets.AddAgentMessageAsync(ticketId, Clip(string.Join("\n", notes), TicketIntake.MaxBodyLength), isInternal: true, key + ":n", Channel, ct: ct);
        }

        if (mail.Folded)
        {
            // The original stays with the ticket (redacted like everything else), for the agent who needs the history.
            var original = (mail.Language == "zh" ? "邮件原文（含引用和签名）：\n\n" : "The message as received (quoted history and signature included):\n\n") + mail.FullText;
            await tickets.AddAgentMessageAsync(ticketId, Clip(original, TicketIntake.MaxBodyLength), isInternal: true, key + ":o", Channel, ct: ct);
        }

        var result = await RecordAsync(mail, source, providerId, created ? InboundOutcomes.TicketCreated : InboundOutcomes.Appended, ticketId, written.Message.Id, ct);
        if (result.Outcome != IngestResult.Duplicate && created && !mail.Auth.Failed)
        {
            await AcknowledgeAsync(mail, written.Ticket, ct);
        }

        return result;
    }

    private static string BodyOf(ParsedEmail mail)
    {
        var text = mail.Reply.Trim();
        if (text.Length == 0)
        {
            text = mail.Attachments.Count > 0
                ? (mail.Language == "zh" ? "（仅附件）" : "(attachments only)")
                : (mail.Language == "zh" ? "（空邮件）" : "(empty message)");
        }

        return Clip(text, TicketIntake.MaxBodyLength);
    }

    private bool LooksLikeReplyAddress(string address)
    {
        var own = options.CurrentValue.Address;
        if (own is null)
        {
            return false;
        }

        var (local, domain) = ReplyAddress.Split(own.Trim());
        return address.StartsWith(local + "+t", StringComparison.OrdinalIgnoreCase) && address.EndsWith("@" + domain, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The ticket an In-Reply-To/References header points at (one of ours or one a customer sent us), for a note only.</summary>
    private async Task<long?> HintedTicketAsync(ParsedEmail mail, CancellationToken ct)
    {
        if (mail.ThreadHints.Count == 0)
        {
            return null;
        }

        var hints = mail.ThreadHints.Select(h => h.Trim('<', '>')).ToList();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var inbound = await db.InboundEmails.AsNoTracking().Where(m => m.MessageIdHeader != null && hints.Contains(m.MessageIdHeader) && m.TicketId != null)
            .Select(m => m.TicketId).FirstOrDefaultAsync(ct);
        if (inbound is not null)
        {
            return inbound;
        }

        var keys = hints.Select(h => h.Split('@')[0]).Select(k => Guid.TryParseExact(k, "N", out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToList();
        var reference = await db.EmailOutbox.AsNoTracking().Where(m => keys.Contains(m.MessageKey) && m.Reference != null).Select(m => m.Reference).FirstOrDefaultAsync(ct);
        return reference is not null && reference.StartsWith("ticket:", StringComparison.Ordinal) && long.TryParse(reference.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }

    private async Task<IngestResult> RecordAsync(ParsedEmail mail, string source, string? providerId, string outcome, long? ticketId, long? messageId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.InboundEmails.Add(new InboundEmail
        {
            ContentHash = mail.ContentHash,
            Source = source,
            ProviderId = providerId,
            MessageIdHeader = mail.MessageId is null ? null : Clip(mail.MessageId, EmailLimits.MessageId),
            FromAddress = mail.FromAddress.ToLowerInvariant(),
            Outcome = outcome,
            TicketId = ticketId,
            TicketMessageId = messageId,
            AuthVerdict = mail.Auth.Verdict,
            AuthSummary = Clip(mail.Auth.Summary, 300),
            ReceivedAt = time.GetUtcNow(),
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same message raced in through another door: it is already recorded; the ticket write above was idempotent.
            return new IngestResult(IngestResult.Duplicate, ticketId);
        }

        LogIngested(logger, outcome, ticketId);
        return new IngestResult(outcome, ticketId);
    }

    private async Task MarkFailingAsync(ParsedEmail mail, CancellationToken ct)
    {
        if (mail.FailedRecipients.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        foreach (var address in mail.FailedRecipients)
        {
            var row = await db.EmailAddressHealth.SingleOrDefaultAsync(h => h.Address == address, ct);
            if (row is null)
            {
                db.EmailAddressHealth.Add(row = new EmailAddressHealth { Address = address });
            }

            row.Failing = true;
            row.LastBounce = Clip(mail.Subject, EmailLimits.Error);
            row.UpdatedAt = now;
        }

        await db.SaveChangesAsync(ct);
    }

    private async Task AcknowledgeAsync(ParsedEmail mail, Ticket ticket, CancellationToken ct)
    {
        var settings = options.CurrentValue;
        var to = mail.FromAddress.ToLowerInvariant();
        if (!settings.Acknowledge || replyAddress.For(ticket.Id) is not { } reply)
        {
            return;
        }

        var since = time.GetUtcNow().AddMinutes(-settings.AcknowledgeQuietMinutes);
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            if (await db.EmailAddressHealth.AnyAsync(h => h.Address == to && h.Failing, ct)
                || await db.EmailOutbox.AnyAsync(m => m.Kind == EmailKinds.Acknowledgement && m.ToAddress == to && m.CreatedAt >= since, ct))
            {
                return;
            }
        }

        var rendered = EmailTemplates.Acknowledgement(ticket.Id, ticket.Subject, ticket.Language);
        try
        {
            await outbox.EnqueueAsync(new OutgoingEmail(to, rendered.Subject, rendered.Text, EmailKinds.Acknowledgement, "ticket:" + ticket.Id.ToString(CultureInfo.InvariantCulture), rendered.Html)
            {
                ReplyTo = reply,
                InReplyTo = mail.MessageId is null ? null : "<" + mail.MessageId + ">",
                References = mail.MessageId is null ? null : "<" + mail.MessageId + ">",
            }, ct);
        }
        catch (ArgumentException)
        {
            // An address we can read but not send to (non-ASCII local part): the ticket stands; no acknowledgement.
        }
    }

    /// <summary>Keeps a message that could not be parsed or stored, whole, with the reason (admins reprocess it after a fix).</summary>
    public async Task<IngestResult> QuarantineAsync(byte[] raw, string source, string? providerId, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(reason);
        var row = new QuarantinedEmail
        {
            Raw = raw,
            Source = source,
            ProviderId = providerId,
            Reason = Clip(WalletDesk.Redaction.LogScrubber.Scrub(reason), EmailLimits.Error),
            ReceivedAt = time.GetUtcNow(),
        };
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.EmailQuarantine.Add(row);
        await db.SaveChangesAsync(ct);
        LogQuarantined(logger, row.Id, row.Reason);
        return new IngestResult(IngestResult.Quarantined, QuarantineId: row.Id, Detail: row.Reason);
    }

    /// <summary>Held quarantine entries, newest first, for the console (no raw bytes).</summary>
    public async Task<IReadOnlyList<(long Id, DateTimeOffset ReceivedAt, string Source, int Size, int Attempts, string Reason)>> ListHeldAsync(int limit, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.EmailQuarantine.AsNoTracking().Where(q => q.Status == QuarantineStatuses.Held).OrderByDescending(q => q.Id).Take(Math.Clamp(limit, 1, 500))
            .Select(q => new { q.Id, q.ReceivedAt, q.Source, Size = q.Raw.Length, q.Attempts, q.Reason }).ToListAsync(ct);
        return rows.Select(r => (r.Id, r.ReceivedAt, r.Source, r.Size, r.Attempts, r.Reason)).ToList();
    }

    /// <summary>Runs a quarantined message through ingest again; it leaves the quarantine when it was stored (or was a duplicate).</summary>
    public async Task<IngestResult?> ReprocessAsync(long quarantineId, CancellationToken ct)
    {
        QuarantinedEmail? row;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            row = await db.EmailQuarantine.AsNoTracking().SingleOrDefaultAsync(q => q.Id == quarantineId && q.Status == QuarantineStatuses.Held, ct);
        }

        if (row is null)
        {
            return null;
        }

        // Quarantining again would copy the message; try it without recording a second row.
        var settings = options.CurrentValue;
        IngestResult result;
        string? reason = null;
        try
        {
            var parsed = EmailParser.Parse(row.Raw, settings.Address, settings.TrustedAuthServIds);
            result = await StoreAsync(parsed, "quarantine", null, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            reason = ex is UnreadableEmailException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            result = new IngestResult(IngestResult.Quarantined, QuarantineId: row.Id, Detail: reason);
        }

        await using (var db = await contexts.CreateDbContextAsync(CancellationToken.None))
        {
            var now = time.GetUtcNow();
            if (reason is null)
            {
                await db.EmailQuarantine.Where(q => q.Id == row.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(q => q.Status, QuarantineStatuses.Reprocessed)
                    .SetProperty(q => q.ResolvedAt, now)
                    .SetProperty(q => q.TicketId, result.TicketId)
                    .SetProperty(q => q.Attempts, q => q.Attempts + 1), CancellationToken.None);
            }
            else
            {
                var clipped = Clip(WalletDesk.Redaction.LogScrubber.Scrub(reason), EmailLimits.Error);
                await db.EmailQuarantine.Where(q => q.Id == row.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(q => q.Reason, clipped)
                    .SetProperty(q => q.Attempts, q => q.Attempts + 1), CancellationToken.None);
            }
        }

        return result;
    }

    private static string Clip(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound email: {Outcome}, ticket {TicketId}")]
    private static partial void LogIngested(ILogger logger, string outcome, long? ticketId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound email is an automatic message ({Reason}): no ticket, no answer")]
    private static partial void LogLoop(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound email quarantined as {QuarantineId}: {Reason}")]
    private static partial void LogQuarantined(ILogger logger, long quarantineId, string reason);
}

public static class EmailKinds
{
    public const string Acknowledgement = "ticket_ack";
    public const string Reply = "ticket_reply";
}
