namespace WalletDesk.Server.Features.Tickets;

/// <summary>A customer opens a ticket (help-center form or the wallet app).</summary>
/// <param name="Subject">Up to 300 characters.</param>
/// <param name="Body">What happened, up to 20,000 characters. Card numbers, CVV, one-time codes and passwords are removed before storage.</param>
/// <param name="Category">A key from <c>GET /api/ticket-categories</c>; defaults to <c>other</c>.</param>
/// <param name="Language"><c>en</c> or <c>zh</c>.</param>
/// <param name="ClientRequestId">The client's idempotency key: retrying with the same key returns the same ticket.</param>
/// <param name="TransactionReferences">Wallet transaction references the ticket is about.</param>
public sealed record CreateCustomerTicketRequest(string? Subject, string? Body, string? Category, string? Language, string? ClientRequestId, IReadOnlyList<string>? TransactionReferences);

/// <summary>An agent opens a ticket for a customer (a phone call, say).</summary>
public sealed record CreateStaffTicketRequest(Guid CustomerId, string? Channel, string? Subject, string? Body, string? Category, string? Language, IReadOnlyList<string>? TransactionReferences);

/// <summary>A message on a ticket. Agents may send an internal note and set the status in the same step.</summary>
public sealed record AddMessageRequest(string? Body, string? ClientMessageId, bool Internal = false, string? Status = null);

/// <summary>Changes to a ticket's fields; omitted fields stay as they are.</summary>
public sealed record UpdateTicketRequest(string? Status, string? Priority, Guid? AssigneeId, bool Unassign, string? Group, string? Category, IReadOnlyList<string>? AddTags, IReadOnlyList<string>? RemoveTags);

/// <summary>The same changes on many tickets.</summary>
public sealed record BulkUpdateRequest(IReadOnlyList<long>? TicketIds, string? Status, string? Priority, Guid? AssigneeId, bool Unassign, IReadOnlyList<string>? AddTags);

/// <summary>Merge this ticket into another of the same customer.</summary>
public sealed record MergeTicketRequest(long TargetId);

/// <summary>Split chosen messages into a new ticket.</summary>
public sealed record SplitTicketRequest(IReadOnlyList<long>? MessageIds, string? Subject);

/// <summary>Link a wallet transaction.</summary>
public sealed record LinkTransactionRequest(string? Reference);

/// <summary>A ticket category as the ticket form offers it.</summary>
public sealed record TicketCategoryResponse(string Key, string Name, string CustomerLabel, string DefaultPriority);

/// <summary>A ticket row in an inbox or list.</summary>
public sealed record TicketSummaryResponse(long Id, string Subject, string Status, string Priority, string Category, string Channel, string? Group, Guid? AssigneeId, Guid CustomerId, IReadOnlyList<string> Tags, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? NextSlaDueAt, int MessageCount);

/// <summary>A page of tickets with the cursor for the next page.</summary>
public sealed record TicketPageResponse(IReadOnlyList<TicketSummaryResponse> Items, string? NextCursor);

/// <summary>A message as agents see it.</summary>
public sealed record TicketMessageResponse(long Id, int Seq, string AuthorType, string? AuthorName, string Visibility, string Body, string Channel, IReadOnlyList<string> Redacted, DateTimeOffset CreatedAt);

/// <summary>A history entry as agents see it.</summary>
public sealed record TicketEventResponse(long Id, DateTimeOffset At, string Kind, string ActorType, string? ActorName, string? From, string? To, string? Note);

/// <summary>A ticket with its whole conversation, history and linked transactions (agents).</summary>
public sealed record TicketDetailResponse(TicketSummaryResponse Ticket, IReadOnlyList<TicketMessageResponse> Messages, IReadOnlyList<TicketEventResponse> Events, IReadOnlyList<string> TransactionReferences, long? MergedIntoId, long? ParentId);

/// <summary>The result of writing a message or ticket; <see cref="Notice"/> tells the customer gently what was removed.</summary>
public sealed record TicketWriteResponse(long TicketId, long MessageId, int Seq, bool Duplicate, string? Notice, long? FollowUpOf);

/// <summary>A message as the customer sees it: public replies only, no internal fields.</summary>
public sealed record CustomerMessageResponse(int Seq, string From, string? AuthorName, string Body, DateTimeOffset CreatedAt);

/// <summary>A step of the customer-facing status timeline, in plain words.</summary>
public sealed record TimelineStepResponse(DateTimeOffset At, string Text);

/// <summary>A ticket as its customer sees it.</summary>
public sealed record CustomerTicketResponse(long Id, string Subject, string Status, string StatusText, string PublishedResponseTime, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<CustomerMessageResponse> Messages, IReadOnlyList<TimelineStepResponse> Timeline);

/// <summary>A customer's ticket in their list.</summary>
public sealed record CustomerTicketSummaryResponse(long Id, string Subject, string Status, string StatusText, DateTimeOffset UpdatedAt);

/// <summary>Create or change a macro. Bodies may use only the listed placeholders, e.g. <c>{{customer.name}}</c>, <c>{{transaction.explanation}}</c>.</summary>
public sealed record MacroRequest(string? Name, string? BodyEn, string? BodyZh, string? SetStatus, string? AddTags);

/// <summary>A macro.</summary>
public sealed record MacroResponse(int Id, string Name, string BodyEn, string BodyZh, string? SetStatus, string? AddTags);

/// <summary>A macro filled in for one ticket, in the ticket's language, ready to edit and send.</summary>
/// <param name="Body">The text; a placeholder with no value stays in it as written (<c>{{transaction.reference}}</c>).</param>
/// <param name="SetStatus">The status the macro sets when sent.</param>
/// <param name="AddTags">Tags the macro adds.</param>
/// <param name="Missing">Placeholders that had no value: the reply is refused until they are filled in or removed.</param>
/// <param name="MissingMessage">What to tell the agent about <paramref name="Missing"/>, or null when nothing is missing.</param>
public sealed record RenderedMacroResponse(string Body, string? SetStatus, IReadOnlyList<string> AddTags, IReadOnlyList<string> Missing, string? MissingMessage);
