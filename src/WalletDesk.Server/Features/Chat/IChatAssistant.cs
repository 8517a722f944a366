namespace WalletDesk.Server.Features.Chat;

/// <summary>
/// The first line of a chat: the assistant answers while the conversation is with the bot and says when a human
/// must take over. The chat module calls it with text that has already passed intake redaction and stores every
/// reply it returns as a message of the same conversation.
/// </summary>
public interface IChatAssistant
{
    Task<AssistantOutcome> RespondAsync(AssistantInput input, CancellationToken cancellationToken);
}

/// <summary>One customer message for the assistant. <paramref name="CustomerId"/> comes from the authenticated connection, never from text.</summary>
/// <param name="ConversationId">The chat's ticket id.</param>
/// <param name="CustomerId">WalletDesk's customer id (from the connection).</param>
/// <param name="IsVisitor">An anonymous web visitor: no wallet to look at.</param>
/// <param name="Language"><c>en</c> or <c>zh</c>, from the widget or wallet app.</param>
/// <param name="Text">The customer's words after redaction.</param>
/// <param name="Seq">The message's sequence number in the conversation.</param>
public sealed record AssistantInput(long ConversationId, Guid CustomerId, bool IsVisitor, string Language, string Text, int Seq);

/// <summary>A message from the assistant to the customer.</summary>
/// <param name="Text">What the customer reads.</param>
/// <param name="ArticleSlug">A knowledge-base article the reply links to, if any.</param>
/// <param name="QuickReplies">Short answers the widget may offer as buttons (their text is sent back as a normal message).</param>
public sealed record AssistantReply(string Text, string? ArticleSlug = null, IReadOnlyList<string>? QuickReplies = null);

/// <summary>A request to hand the conversation to a human.</summary>
/// <param name="Reason">Machine-readable: <c>asked</c>, <c>low_confidence</c>, <c>frustrated</c>, <c>security</c>, <c>amount</c>, <c>flow_failed</c>, <c>visitor</c>.</param>
/// <param name="Group">The queue to route to (ticket groups: general, payments, security, accounts).</param>
/// <param name="Priority">Ticket priority to raise to (never lowered).</param>
/// <param name="Summary">For agents only (stored as an internal note): intent, entities, lookups, what was tried, sentiment.</param>
/// <param name="Intent">The intent the assistant recognised last (or <c>unknown</c>).</param>
/// <param name="Confidence">Its calibrated confidence (0–1).</param>
/// <param name="Category">Ticket category key the conversation should carry, if known.</param>
public sealed record AssistantHandoff(string Reason, string Group, string Priority, string Summary, string Intent, double Confidence, string? Category = null);

/// <summary>What the assistant did with one customer message.</summary>
/// <param name="Replies">Messages to the customer, in order.</param>
/// <param name="Handoff">Set when a human must take over.</param>
/// <param name="Resolved">The customer confirmed the answer solved it.</param>
public sealed record AssistantOutcome(IReadOnlyList<AssistantReply> Replies, AssistantHandoff? Handoff, bool Resolved = false);
