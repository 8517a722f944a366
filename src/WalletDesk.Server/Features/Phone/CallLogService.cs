using System.Globalization;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Phone;

/// <summary>A call to record on a ticket.</summary>
public sealed record NewCallLog(long TicketId, Guid CustomerId, Guid? CallbackId, string? Direction, string? Outcome, int? DurationSeconds, string? Notes, string? MaskedNumber, DateTimeOffset? StartedAt);

/// <summary>Calls logged on tickets by agents (the provider's events go through <see cref="TelephonyWebhook"/>). Each call also leaves an internal note in the conversation.</summary>
public sealed class CallLogService(AppDbContext db, TicketService tickets, TicketIntake intake, TimeProvider time)
{
    public const int MaxNotesLength = 4000;
    public const int MaxDurationSeconds = 24 * 60 * 60;

    /// <summary>An agent logs a call on a ticket. Null when the ticket does not exist.</summary>
    public async Task<CallLog?> LogAsync(long ticketId, Guid? callbackId, string? direction, string? outcome, int? durationSeconds, string? notes, DateTimeOffset? startedAt, Guid staffId, string? staffName, CancellationToken ct)
    {
        var ticket = await db.Tickets.AsNoTracking().Where(t => t.Id == ticketId).Select(t => new { t.Id, t.CustomerId }).SingleOrDefaultAsync(ct);
        if (ticket is null)
        {
            return null;
        }

        string? masked = null;
        if (callbackId is { } cb)
        {
            // A callback of another ticket cannot be attached here.
            var callback = await db.CallbackRequests.AsNoTracking().SingleOrDefaultAsync(c => c.Id == cb && c.TicketId == ticketId, ct)
                ?? throw new PhoneValidationException("callbackId", "No callback with that id belongs to this ticket.");
            masked = callback.MaskedPhone;
        }

        if (startedAt is { } s && (s > time.GetUtcNow().AddMinutes(5) || s < time.GetUtcNow().AddDays(-30)))
        {
            throw new PhoneValidationException("startedAt", "The call must have started within the last 30 days.");
        }

        return await AddAsync(new NewCallLog(ticket.Id, ticket.CustomerId, callbackId, direction, outcome, durationSeconds, notes, masked, startedAt), staffId, staffName, ct);
    }

    internal async Task<CallLog> AddAsync(NewCallLog call, Guid staffId, string? staffName, CancellationToken ct)
    {
        if (call.Direction is null || !CallDirections.All.Contains(call.Direction))
        {
            throw new PhoneValidationException("direction", "Direction must be inbound or outbound.");
        }

        ValidateOutcome(call.Outcome);
        if (call.DurationSeconds is < 0 or > MaxDurationSeconds)
        {
            throw new PhoneValidationException("durationSeconds", $"The duration must be between 0 and {MaxDurationSeconds} seconds.");
        }

        if (call.Notes is { Length: > MaxNotesLength })
        {
            throw new PhoneValidationException("notes", $"The notes are {call.Notes.Length:N0} characters; the limit is {MaxNotesLength:N0}.");
        }

        var notes = string.IsNullOrWhiteSpace(call.Notes) ? null : intake.Inbound(call.Notes);
        var now = time.GetUtcNow();
        var log = new CallLog
        {
            Id = Guid.NewGuid(),
            TicketId = call.TicketId,
            CustomerId = call.CustomerId,
            CallbackId = call.CallbackId,
            Direction = call.Direction,
            Source = "agent",
            State = "ended",
            Outcome = call.Outcome,
            StartedAt = call.StartedAt,
            EndedAt = call.StartedAt is { } started && call.DurationSeconds is { } d ? started.AddSeconds(d) : null,
            DurationSeconds = call.DurationSeconds,
            MaskedNumber = call.MaskedNumber,
            Notes = notes?.Text,
            Redactions = notes?.RemovedLabel ?? "",
            AgentId = staffId,
            AgentName = staffName,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.CallLogs.Add(log);
        // The note's save (inside the ticket's own or the caller's transaction) stores the call log with it.
        await tickets.AddAgentMessageAsync(call.TicketId, NoteFor(log), isInternal: true, "call:" + log.Id.ToString("N"),
            new TicketActor(TicketActors.Agent, staffId.ToString(), staffName), ct: ct);
        return log;
    }

    public async Task<List<CallLog>?> ListAsync(long ticketId, CancellationToken ct) =>
        await db.Tickets.AnyAsync(t => t.Id == ticketId, ct)
            ? await db.CallLogs.AsNoTracking().Where(c => c.TicketId == ticketId).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(ct)
            : null;

    public static void ValidateOutcome(string? outcome)
    {
        if (outcome is null || !CallOutcomes.All.Contains(outcome))
        {
            throw new PhoneValidationException("outcome", $"Outcome must be one of: {string.Join(", ", CallOutcomes.All)}.");
        }
    }

    /// <summary>The internal note a call leaves in the ticket's conversation.</summary>
    public static string NoteFor(CallLog log)
    {
        var duration = log.DurationSeconds is { } d ? string.Create(CultureInfo.InvariantCulture, $", {d / 60} min {d % 60} s") : "";
        var note = $"Phone call ({log.Direction}{duration}): {log.Outcome ?? "in progress"}.";
        return log.Notes is null ? note : note + "\nNotes: " + log.Notes;
    }
}
