using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace WalletDesk.Server.Features.Chat;

/// <summary>
/// The live-chat hub (<c>/hubs/chat</c>), documented in docs/chat-protocol.md. Thin on purpose: who the caller is comes
/// from the authenticated connection, every method checks membership in <see cref="ChatService"/>, and group
/// membership is decided here by the server only.
/// </summary>
[Authorize(Policy = ChatPolicies.Participant)]
public sealed class ChatHub(ChatService chat, ChatConnections connections) : Hub
{
    private ChatCaller Caller => (ChatCaller)Context.Items[nameof(ChatCaller)]!;

    public override async Task OnConnectedAsync()
    {
        if (Context.User is null || ChatCaller.From(Context.User) is not { } caller)
        {
            Context.Abort();
            return;
        }

        Context.Items[nameof(ChatCaller)] = caller;
        connections.Add(Context, caller);
        if (caller.IsStaff)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, ChatGroups.Staff(caller.Id));
            await Groups.AddToGroupAsync(Context.ConnectionId, ChatGroups.Agents);
        }
        else
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, ChatGroups.Customer(caller.Id));
        }

        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    // Customer and agent

    public Task<ChatStarted> Start(StartChat request) => chat.StartAsync(Caller, request ?? new StartChat(null, null), Context.ConnectionAborted);

    /// <summary>The caller's open conversation (state and latest messages), or null: what a client shows on connect.</summary>
    public Task<ChatSync?> Current() => chat.CurrentAsync(Caller, Context.ConnectionAborted);

    public async Task<ChatSync> Resume(long conversationId, int afterSeq)
    {
        var sync = await chat.ResumeAsync(Caller, conversationId, Math.Max(0, afterSeq), Context.ConnectionAborted);
        if (Caller.IsStaff)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, ChatGroups.Watchers(conversationId));
        }

        return sync;
    }

    public Task<ChatAck> Send(long conversationId, string? clientMessageId, string? text) =>
        chat.SendAsync(Caller, conversationId, clientMessageId, text, internalNote: false, Context.ConnectionAborted);

    public Task Typing(long conversationId, bool isTyping) => chat.TypingAsync(Caller, conversationId, isTyping, Context.ConnectionAborted);

    public Task MarkRead(long conversationId, int seq) => chat.MarkReadAsync(Caller, conversationId, seq, Context.ConnectionAborted);

    // Customer

    public Task<ChatState> End(long conversationId) => chat.EndAsync(Caller, conversationId, Context.ConnectionAborted);

    public Task<ChatState> LeaveContact(long conversationId, string? email, string? phone) =>
        chat.LeaveContactAsync(Caller, conversationId, email, phone, Context.ConnectionAborted);

    public Task<TranscriptRequested> RequestTranscript(long conversationId, string? email) =>
        chat.RequestTranscriptAsync(Caller, conversationId, email, Context.ConnectionAborted);

    // Agent

    public Task<AgentState> SetAvailability(string status, int? capacity) => chat.SetAvailabilityAsync(Caller, status, capacity, Context.ConnectionAborted);

    public Task<QueueSnapshot> Queue() => chat.QueueSnapshotAsync(Caller, Context.ConnectionAborted);

    public Task<ChatState> Accept(long conversationId) => chat.AcceptAsync(Caller, conversationId, Context.ConnectionAborted);

    public Task<ChatAck> Note(long conversationId, string? clientMessageId, string? text) =>
        chat.SendAsync(Caller, conversationId, clientMessageId, text, internalNote: true, Context.ConnectionAborted);

    public Task<ChatState> Transfer(long conversationId, TransferChat? request) => chat.TransferAsync(Caller, conversationId, request, Context.ConnectionAborted);

    public Task<ChatState> InviteSupervisor(long conversationId, Guid? supervisorId) =>
        chat.InviteSupervisorAsync(Caller, conversationId, supervisorId, Context.ConnectionAborted);

    public Task<ChatState> Close(long conversationId, string? disposition) => chat.CloseAsync(Caller, conversationId, disposition, Context.ConnectionAborted);

    public Task<ChatState> ConvertToTicket(long conversationId) => chat.ConvertToTicketAsync(Caller, conversationId, Context.ConnectionAborted);

    public Task<ChatState> LinkTicket(long conversationId, long ticketId) => chat.LinkTicketAsync(Caller, conversationId, ticketId, Context.ConnectionAborted);
}
