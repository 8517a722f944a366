using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Features.Wallet;

namespace WalletDesk.Server.Features.Phone;

/// <summary>A call event as the telephony provider posts it.</summary>
/// <param name="EventId">The provider's unique id for this event; a redelivery carries the same id.</param>
/// <param name="Type"><c>call.started</c>, <c>call.answered</c>, <c>call.ended</c> or <c>call.missed</c>.</param>
/// <param name="CallId">The provider's id for the call; all events of one call share it.</param>
/// <param name="OccurredAt">When it happened at the provider.</param>
/// <param name="Direction"><c>inbound</c> or <c>outbound</c>.</param>
/// <param name="From">Caller number (stored masked only).</param>
/// <param name="To">Called number (stored masked only).</param>
/// <param name="DurationSeconds">Talk time, on call.ended.</param>
/// <param name="Outcome">reached, no_answer, busy, voicemail, wrong_number or failed.</param>
/// <param name="CustomerExternalId">The wallet's customer id when the provider knows it (IVR lookup, app-initiated call).</param>
/// <param name="CallbackId">The WalletDesk callback this call answers, when it was placed from the queue.</param>
/// <param name="Notes">Free text from the provider (IVR summary); redacted like any other text.</param>
public sealed record TelephonyEventPayload(
    string? EventId, string? Type, string? CallId, DateTimeOffset? OccurredAt, string? Direction, string? From, string? To,
    int? DurationSeconds, string? Outcome, string? CustomerExternalId, Guid? CallbackId, string? Notes);

/// <summary>The result of one webhook delivery.</summary>
public sealed record TelephonyEventResult(string EventId, bool Duplicate, Guid? CallLogId, long? TicketId);

/// <summary>
/// Verifies and applies the telephony provider's call events. Signature: <c>X-Telephony-Signature: v1=hex(HMAC-SHA256(secret, timestamp + "." + body))</c>
/// with <c>X-Telephony-Timestamp</c> in Unix seconds, compared in constant time, within a tolerance window; each event id is applied once.
/// </summary>
public sealed class TelephonyWebhook(AppDbContext db, TicketService tickets, TicketIntake intake, TimeProvider time, IOptions<PhoneOptions> options, ILogger<TelephonyWebhook> logger)
{
    public const string TimestampHeader = "X-Telephony-Timestamp";
    public const string SignatureHeader = "X-Telephony-Signature";
    public static readonly IReadOnlyList<string> Types = ["call.started", "call.answered", "call.ended", "call.missed"];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Computes the signature header value a provider sends (also used by tests and the docs' example).</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var payload = new byte[prefix.Length + body.Length];
        prefix.CopyTo(payload, 0);
        body.CopyTo(payload.AsSpan(prefix.Length));
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload));
    }

    /// <summary>True when the request is signed with the configured secret and its timestamp is fresh.</summary>
    public bool IsAuthentic(string? timestampHeader, string? signatureHeader, ReadOnlySpan<byte> body)
    {
        var secret = options.Value.WebhookSecret;
        if (string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(timestampHeader) || string.IsNullOrEmpty(signatureHeader)
            || timestampHeader.Length > 12 || !long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return false;
        }

        var age = time.GetUtcNow().ToUnixTimeSeconds() - timestamp;
        if (Math.Abs(age) > options.Value.WebhookToleranceSeconds)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        var matched = false;
        // Several v1 entries are allowed so a provider can sign with an old and a new secret while rotating.
        foreach (var candidate in signatureHeader.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var bytes = Encoding.ASCII.GetBytes(candidate);
            matched |= bytes.Length == expected.Length && CryptographicOperations.FixedTimeEquals(bytes, expected);
        }

        return matched;
    }

    public static TelephonyEventPayload Parse(ReadOnlySpan<byte> body)
    {
        TelephonyEventPayload? payload;
        try
        {
            payload = JsonSerializer.Deserialize<TelephonyEventPayload>(body, Json);
        }
        catch (JsonException)
        {
            throw new PhoneValidationException("body", "The body is not a JSON call event.");
        }

        if (payload is null)
        {
            throw new PhoneValidationException("body", "The body is not a JSON call event.");
        }

        if (string.IsNullOrWhiteSpace(payload.EventId) || payload.EventId.Length > 100 || payload.EventId.Any(char.IsControl))
        {
            throw new PhoneValidationException("eventId", "eventId is required (up to 100 printable characters).");
        }

        if (payload.Type is null || !Types.Contains(payload.Type))
        {
            throw new PhoneValidationException("type", $"type must be one of: {string.Join(", ", Types)}.");
        }

        if (string.IsNullOrWhiteSpace(payload.CallId) || payload.CallId.Length > 100 || payload.CallId.Any(char.IsControl))
        {
            throw new PhoneValidationException("callId", "callId is required (up to 100 printable characters).");
        }

        if (payload.Direction is not null && !CallDirections.All.Contains(payload.Direction))
        {
            throw new PhoneValidationException("direction", "direction must be inbound or outbound.");
        }

        if (payload.Outcome is not null && !CallOutcomes.All.Contains(payload.Outcome))
        {
            throw new PhoneValidationException("outcome", $"outcome must be one of: {string.Join(", ", CallOutcomes.All)}.");
        }

        if (payload.DurationSeconds is < 0 or > CallLogService.MaxDurationSeconds)
        {
            throw new PhoneValidationException("durationSeconds", "durationSeconds is out of range.");
        }

        if (payload.Notes is { Length: > CallLogService.MaxNotesLength } || payload.CustomerExternalId is { Length: > 128 } || payload.From is { Length: > 64 } || payload.To is { Length: > 64 })
        {
            throw new PhoneValidationException("body", "A field is too long.");
        }

        return payload;
    }

    /// <summary>Applies a verified event once. A redelivery (same id, same body) is a no-op; the same id with another body is a conflict.</summary>
    public async Task<TelephonyEventResult> ApplyAsync(ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        var payload = Parse(body.Span);
        var hash = Convert.ToHexStringLower(SHA256.HashData(body.Span));
        if (await DuplicateAsync(payload.EventId!, hash, ct) is { } duplicate)
        {
            return duplicate;
        }

        // Resolve the ticket before the transaction: opening a ticket has its own (idempotent per call id).
        var (ticketId, customerId, callbackId) = await LinkAsync(payload, ct);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await ApplyOnceAsync(payload, hash, ticketId, customerId, callbackId, ct);
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                // A concurrent delivery of this event (or another event of the same call) won the insert.
                db.ChangeTracker.Clear();
                if (await DuplicateAsync(payload.EventId!, hash, ct) is { } raced)
                {
                    return raced;
                }
            }
        }
    }

    private async Task<TelephonyEventResult?> DuplicateAsync(string eventId, string hash, CancellationToken ct)
    {
        var seen = await db.TelephonyEvents.AsNoTracking().SingleOrDefaultAsync(e => e.EventId == eventId, ct);
        if (seen is null)
        {
            return null;
        }

        if (seen.PayloadSha256 != hash)
        {
            throw new PhoneStateException("Event id reused", "An event with this id was already received with different content.");
        }

        var ticketId = seen.CallLogId is { } id ? await db.CallLogs.Where(c => c.Id == id).Select(c => c.TicketId).SingleOrDefaultAsync(ct) : null;
        return new TelephonyEventResult(eventId, true, seen.CallLogId, ticketId);
    }

    private async Task<(long? TicketId, Guid? CustomerId, Guid? CallbackId)> LinkAsync(TelephonyEventPayload payload, CancellationToken ct)
    {
        var existing = await db.CallLogs.AsNoTracking().SingleOrDefaultAsync(c => c.ProviderCallId == payload.CallId, ct);
        if (existing?.TicketId is not null)
        {
            return (existing.TicketId, existing.CustomerId, existing.CallbackId);
        }

        if (payload.CallbackId is { } callbackId && await db.CallbackRequests.AsNoTracking().SingleOrDefaultAsync(c => c.Id == callbackId, ct) is { } callback)
        {
            return (callback.TicketId, callback.CustomerId, callback.Id);
        }

        if (payload.CustomerExternalId is null || await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.ExternalId == payload.CustomerExternalId, ct) is not { } customer)
        {
            logger.LogWarning("Telephony call {CallId} could not be matched to a customer; logged without a ticket", payload.CallId);
            return (null, null, null);
        }

        var active = await db.Tickets.AsNoTracking()
            .Where(t => t.CustomerId == customer.Id && t.MergedIntoId == null && (t.Status == TicketStatuses.New || t.Status == TicketStatuses.Open || t.Status == TicketStatuses.PendingCustomer || t.Status == TicketStatuses.OnHold))
            .OrderByDescending(t => t.UpdatedAt).Select(t => (long?)t.Id).FirstOrDefaultAsync(ct);
        if (active is not null)
        {
            return (active, customer.Id, null);
        }

        var direction = payload.Direction ?? CallDirections.Inbound;
        var created = await tickets.CreateAsync(customer.Id, new NewTicket(
            direction == CallDirections.Inbound ? "Phone call from the customer" : "Phone call to the customer",
            $"A {direction} phone call was reported by the telephony provider.", null, TicketChannels.Phone, customer.Locale,
            "call:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(payload.CallId!)))[..32]),
            new TicketActor(TicketActors.System, null, "Telephony"), ct);
        return (created.Ticket.Id, customer.Id, null);
    }

    private async Task<TelephonyEventResult> ApplyOnceAsync(TelephonyEventPayload payload, string hash, long? ticketId, Guid? customerId, Guid? callbackId, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        var at = payload.OccurredAt ?? now;
        var log = await db.CallLogs.SingleOrDefaultAsync(c => c.ProviderCallId == payload.CallId, ct);
        if (log is null)
        {
            log = new CallLog
            {
                Id = Guid.NewGuid(),
                Direction = payload.Direction ?? CallDirections.Inbound,
                Source = "telephony",
                State = "in_progress",
                ProviderCallId = payload.CallId,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.CallLogs.Add(log);
        }

        log.TicketId ??= ticketId;
        log.CustomerId ??= customerId;
        log.CallbackId ??= callbackId;
        var customerNumber = log.Direction == CallDirections.Inbound ? payload.From : payload.To;
        log.MaskedNumber = Money.MaskPhone(customerNumber) ?? log.MaskedNumber;
        if (!string.IsNullOrWhiteSpace(payload.Notes))
        {
            var notes = intake.Inbound(payload.Notes);
            log.Notes = notes.Text;
            log.Redactions = notes.RemovedLabel;
        }

        var ends = payload.Type is "call.ended" or "call.missed";
        if (ends)
        {
            // Events can arrive out of order: an end is final, a late "started" does not reopen it.
            log.State = "ended";
            log.EndedAt = at;
            log.DurationSeconds = payload.DurationSeconds ?? log.DurationSeconds ?? 0;
            log.Outcome = payload.Outcome ?? (payload.Type == "call.missed" ? CallOutcomes.NoAnswer : log.DurationSeconds > 0 ? CallOutcomes.Reached : CallOutcomes.NoAnswer);
            log.StartedAt ??= at.AddSeconds(-log.DurationSeconds.Value);
        }
        else if (log.State != "ended")
        {
            log.StartedAt ??= at;
        }

        log.UpdatedAt = now;
        db.TelephonyEvents.Add(new TelephonyEvent { EventId = payload.EventId!, Type = payload.Type!, ProviderCallId = payload.CallId, CallLogId = log.Id, PayloadSha256 = hash, ReceivedAt = now });
        await db.SaveChangesAsync(ct);
        if (ends && log.TicketId is { } tid)
        {
            await tickets.AddAgentMessageAsync(tid, CallLogService.NoteFor(log), isInternal: true, "call:" + log.Id.ToString("N") + ":ended",
                new TicketActor(TicketActors.System, null, "Telephony"), ct: ct);
        }

        await transaction.CommitAsync(ct);
        return new TelephonyEventResult(payload.EventId!, false, log.Id, log.TicketId);
    }
}
