namespace WalletDesk.Server.Features.Chat;

// The shapes on the wire of /hubs/chat. docs/chat-protocol.md documents them for app developers.

/// <summary>
/// Opens a conversation with its first message. When the caller already has an open conversation the message joins
/// that one instead (<see cref="ChatStarted.Joined"/>); nothing the customer sends is dropped.
/// </summary>
public sealed record StartChat(string? ClientRequestId, string? Text, string? Category = null, string? Language = null, string? Origin = null);

/// <summary>Where a conversation stands, as the customer's widget and the agent's console show it.</summary>
/// <remarks>
/// <c>AnswerBy</c>: When offline: the time by which a person will answer (the ticket's first-response deadline).<br/>
/// <c>ContactKnown</c>: Whether we can reach the customer outside the chat (a wallet customer always; a visitor once they left an email or phone).<br/>
/// <c>HandoffReason</c>: Why the assistant passed the conversation to a person (asked, low_confidence, frustrated, security, amount, flow_failed, visitor), if it did.<br/>
/// <c>ExpectedReply</c>: When a person will answer, while the customer waits for one (queued or offline); the one estimate every screen shows.
/// </remarks>
public sealed record ChatState(
    long ConversationId,
    string Status,
    string Queue,
    string Language,
    int LastSeq,
    int? QueuePosition,
    int? ExpectedWaitSeconds,
    string? AgentName,
    DateTimeOffset? AnswerBy,
    bool ContactKnown,
    int CustomerReadSeq,
    int AgentReadSeq,
    bool Escalated,
    string? HandoffReason = null,
    ExpectedReply? ExpectedReply = null);

/// <summary>
/// The one answer to "when will a person reply?": the widget's banner, the assistant's handoff line and the portal all
/// show this, so they never disagree.
/// </summary>
/// <remarks>
/// <c>Kind</c>: <c>queue</c> (people are online; <c>WaitSeconds</c> is the live estimate) or <c>request</c> (nobody is
/// online: the chat continues as a request, answered by <c>By</c>, the ticket's first-response deadline).<br/>
/// <c>Text</c>: The same, as one sentence in the conversation's language, ready to show.
/// </remarks>
public sealed record ExpectedReply(string Kind, int? WaitSeconds, DateTimeOffset? By, string Text);

/// <summary>
/// One message of a conversation. <c>QuickReplies</c>: buttons to offer under an assistant message (tapping one sends
/// its text as the customer's next message; offer them only while it is the latest message). <c>Article</c>: a
/// help-center article to show as a link card. Customers never receive internal notes, so their sequence numbers can skip;
/// <c>PreviousPublicSeq</c> (the sequence of the public message before this one) lets them tell a skipped note from a
/// missed message. Staff see every message and use <c>Seq - 1</c>.
/// </summary>
public sealed record ChatMessage(
    long ConversationId,
    int Seq,
    long Id,
    string AuthorType,
    string? AuthorName,
    string Visibility,
    string Text,
    DateTimeOffset At,
    string? ClientMessageId,
    int PreviousPublicSeq = 0,
    IReadOnlyList<string>? QuickReplies = null,
    ChatArticle? Article = null);

/// <summary>A help-center article an assistant message points to, for a link card.</summary>
public sealed record ChatArticle(string Slug, string Url);

/// <summary>What <c>Start</c> did with the first message.</summary>
/// <remarks>
/// <c>Joined</c>: The caller already had an open conversation and the message was added to it (no new conversation).<br/>
/// <c>Ack</c>: The message's acknowledgement, exactly as <c>Send</c> gives it (sequence number, redaction notice,
/// <c>duplicate</c> on a retried <c>Start</c>). Never send the same text again with <c>Send</c>: it is stored.<br/>
/// <c>State</c>: The conversation as it is after the message.
/// </remarks>
public sealed record ChatStarted(long ConversationId, bool Joined, ChatAck Ack, ChatState State);

/// <summary>Everything after a sequence number, in order. When <paramref name="More"/>, ask again from the last one.</summary>
public sealed record ChatSync(ChatState State, IReadOnlyList<ChatMessage> Messages, bool More);

/// <summary>Sent once the message is committed to the database.</summary>
/// <remarks>
/// <c>Notice</c>: Set when redaction removed something (e.g. a card number), in the conversation's language.<br/>
/// <c>AssistantAnswering</c>: The assistant will answer this message: its reply follows as <c>message</c> events, between a
/// <c>typing</c> event from the bot with <c>isTyping: true</c> and one with <c>isTyping: false</c> (both with <c>answersSeq</c> = this <c>seq</c>).
/// </remarks>
public sealed record ChatAck(long ConversationId, int Seq, long MessageId, DateTimeOffset At, bool Duplicate, string? Notice, bool AssistantAnswering = false);

/// <summary>Someone is typing. For the assistant, <c>AnswersSeq</c> is the customer message it is answering; <c>isTyping: false</c> means its turn is over.</summary>
public sealed record TypingSignal(long ConversationId, string AuthorType, string? AuthorName, bool IsTyping, int? AnswersSeq = null);

public sealed record ReadSignal(long ConversationId, string Reader, int Seq);

/// <summary>A waiting or active conversation in the agents' queue view.</summary>
public sealed record QueueEntry(
    long ConversationId,
    string Status,
    string Queue,
    string Language,
    string Priority,
    string Subject,
    string CustomerName,
    DateTimeOffset? QueuedAt,
    string? AgentName,
    bool Escalated,
    string? HandoffReason);

public sealed record AgentState(Guid StaffId, string DisplayName, string Status, int Capacity, int Active, IReadOnlyList<string> Groups, IReadOnlyList<string> Languages);

public sealed record QueueSnapshot(AgentState Me, IReadOnlyList<QueueEntry> Waiting, IReadOnlyList<QueueEntry> Mine);

public sealed record TransferChat(Guid? AgentId, string? Group);

/// <summary>Something the queue view should refresh for.</summary>
public sealed record QueueChanged(long ConversationId, string Status, string Queue);

/// <summary>Visitor sign-up for the web widget: who they say they are (unverified).</summary>
public sealed record VisitorRequest(string? Name, string? Language);

public sealed record VisitorToken(string Token, DateTimeOffset ExpiresAt, Guid VisitorId);

/// <summary>Whether live agents are there right now, for the widget's first screen.</summary>
public sealed record ChatAvailability(bool AgentsOnline, string PublishedResponseTime, int? ExpectedWaitSeconds);

public static class ChatDispositions
{
    public static readonly IReadOnlyList<string> All = ["resolved", "no_response", "duplicate", "spam", "converted_to_ticket", "other"];
}

public static class ChatEvents
{
    public const string Message = "message";
    public const string Typing = "typing";
    public const string Read = "read";
    public const string State = "state";
    public const string Assigned = "assigned";
    public const string Queue = "queue";
    public const string Resync = "resync";
}
