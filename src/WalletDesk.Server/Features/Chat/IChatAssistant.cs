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
/// <remarks>
/// <c>ConversationId</c>: The chat's ticket id.<br/>
/// <c>IsVisitor</c>: An anonymous web visitor: no wallet to look at.<br/>
/// <c>Language</c>: <c>en</c> or <c>zh</c>, from the widget or wallet app.<br/>
/// <c>Text</c>: The customer's words after redaction.<br/>
/// <c>Seq</c>: The message's sequence number in the conversation.
/// </remarks>
public sealed record AssistantInput(long ConversationId, Guid CustomerId, bool IsVisitor, string Language, string Text, int Seq);

/// <summary>A message from the assistant to the customer.</summary>
/// <remarks>
/// <c>ArticleSlug</c>: A knowledge-base article the reply links to, if any.<br/>
/// <c>QuickReplies</c>: Short answers the widget may offer as buttons (their text is sent back as a normal message).
/// </remarks>
public sealed record AssistantReply(string Text, string? ArticleSlug = null, IReadOnlyList<string>? QuickReplies = null);

/// <summary>A request to hand the conversation to a human.</summary>
/// <remarks>
/// <c>Reason</c>: Machine-readable: <c>asked</c>, <c>low_confidence</c>, <c>frustrated</c>, <c>security</c>, <c>amount</c>, <c>flow_failed</c>, <c>visitor</c>.<br/>
/// <c>Group</c>: The queue to route to (ticket groups: general, payments, security, accounts).<br/>
/// <c>Priority</c>: Ticket priority to raise to (never lowered).<br/>
/// <c>Summary</c>: For agents only (stored as an internal note): intent, entities, lookups, what was tried, sentiment.<br/>
/// <c>Category</c>: Ticket category key the conversation should carry, if known.<br/>
/// <c>Note</c>: The same summary as structured fields, when the assistant gives them.
/// </remarks>
public sealed record AssistantHandoff(string Reason, string Group, string Priority, string Summary, string Intent, double Confidence, string? Category = null, HandoffNote? Note = null);

/// <summary>
/// What the agent taking over needs, as fields: the intent and the confidence of the same message that gave it, what
/// was looked up, what was tried, and the customer's own (redacted) words.
/// </summary>
/// <remarks>
/// <c>NotUnderstood</c>: The best guess for the last message when the classifier declined it.
/// </remarks>
public sealed record HandoffNote(
    string Reason,
    string Intent,
    double Confidence,
    string? NotUnderstood,
    string Customer,
    IReadOnlyList<string> Entities,
    IReadOnlyList<string> LookedUp,
    IReadOnlyList<string> Tried,
    string Sentiment,
    IReadOnlyList<string> CustomerWords)
{
    /// <summary>The internal note agents read: one header, then one line per field.</summary>
    public string Render()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("Assistant handoff: ").Append(Reason).Append('\n');
        sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"Intent: {Intent} (confidence {Confidence:0.00})");
        if (NotUnderstood is not null)
        {
            sb.Append("; last message not understood (best guess ").Append(NotUnderstood).Append(')');
        }

        sb.Append("\nCustomer: ").Append(Customer);
        sb.Append("\nEntities: ").Append(Entities.Count == 0 ? "none" : string.Join("; ", Entities));
        sb.Append("\nLooked up: ").Append(LookedUp.Count == 0 ? "nothing" : string.Join("; ", LookedUp));
        sb.Append("\nTried: ").Append(Tried.Count == 0 ? "nothing" : string.Join("; ", Tried));
        sb.Append("\nSentiment: ").Append(Sentiment);
        sb.Append("\nCustomer's words:");
        foreach (var words in CustomerWords)
        {
            sb.Append("\n> ").Append(words);
        }

        return sb.ToString();
    }
}

/// <summary>What the assistant did with one customer message.</summary>
/// <remarks>
/// <c>Resolved</c>: The customer confirmed the answer solved it.
/// </remarks>
public sealed record AssistantOutcome(IReadOnlyList<AssistantReply> Replies, AssistantHandoff? Handoff, bool Resolved = false);
