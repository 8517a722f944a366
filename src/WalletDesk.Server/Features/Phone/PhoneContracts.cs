namespace WalletDesk.Server.Features.Phone;

/// <summary>A customer asks to be called back on the phone number in their wallet profile (there is no number field on purpose).</summary>
/// <param name="WindowStart">Earliest time to call (ISO 8601 with offset).</param>
/// <param name="WindowEnd">Latest time to call; 15 minutes to 12 hours after the start.</param>
/// <param name="Topic">What the call is about, up to 500 characters; card numbers and codes are removed.</param>
/// <param name="TicketId">One of the customer's own tickets the call is about; omitted, a ticket is opened.</param>
/// <param name="ClientRequestId">The app's idempotency key.</param>
public sealed record RequestCallbackRequest(DateTimeOffset? WindowStart, DateTimeOffset? WindowEnd, string? Topic, long? TicketId, string? ClientRequestId);

/// <summary>A callback as its customer sees it.</summary>
/// <param name="Id">The callback id.</param>
/// <param name="TicketId">The ticket the call is about.</param>
/// <param name="Status">requested, claimed, completed or cancelled.</param>
/// <param name="Topic">The topic after redaction.</param>
/// <param name="Phone">The number we will call, masked, as on the wallet profile.</param>
/// <param name="WindowStart">Earliest time to call.</param>
/// <param name="WindowEnd">Latest time to call.</param>
/// <param name="CreatedAt">When it was requested.</param>
/// <param name="Notice">Told gently when card details or codes were removed from the topic.</param>
public sealed record CustomerCallbackResponse(Guid Id, long TicketId, string Status, string Topic, string Phone, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, DateTimeOffset CreatedAt, string? Notice);

/// <summary>A callback in the agents' queue.</summary>
public sealed record CallbackResponse(
    Guid Id, Guid CustomerId, long TicketId, string Status, string Topic, string MaskedPhone, string WalletAccountId, string TimeZone,
    DateTimeOffset WindowStart, DateTimeOffset WindowEnd, Guid? ClaimedById, string? ClaimedByName, DateTimeOffset? ClaimedAt,
    DateTimeOffset? CompletedAt, string? Outcome, DateTimeOffset CreatedAt);

/// <summary>An agent finishes a callback they claimed.</summary>
/// <param name="Outcome">reached, no_answer, busy, voicemail, wrong_number or failed.</param>
/// <param name="DurationSeconds">Talk time in seconds.</param>
/// <param name="Notes">Up to 4,000 characters; redacted before storage.</param>
public sealed record CompleteCallbackRequest(string? Outcome, int? DurationSeconds, string? Notes);

/// <summary>An agent logs a call on a ticket.</summary>
public sealed record LogCallRequest(string? Direction, string? Outcome, int? DurationSeconds, string? Notes, DateTimeOffset? StartedAt, Guid? CallbackId);

/// <summary>A call on a ticket.</summary>
public sealed record CallLogResponse(
    Guid Id, long? TicketId, Guid? CallbackId, string Direction, string Source, string State, string? Outcome, DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt, int? DurationSeconds, string? MaskedNumber, string? Notes, IReadOnlyList<string> Redacted, string? AgentName, DateTimeOffset CreatedAt);

/// <summary>The result of completing a callback.</summary>
public sealed record CompleteCallbackResponse(CallbackResponse Callback, CallLogResponse Call);
