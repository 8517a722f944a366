using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Chat;

/// <summary>A refusal the caller can act on; the hub turns it into a HubException with this message.</summary>
public sealed class ChatException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

    public static ChatException NotFound() => new("not_found", "No such conversation.");
}

public enum ChatCallerKind
{
    Customer,
    Visitor,
    Staff,
}

/// <summary>Who is on the other end of a hub connection, from the authenticated principal only.</summary>
public sealed record ChatCaller(ChatCallerKind Kind, Guid Id, string Name, string? Role)
{
    public bool IsStaff => Kind == ChatCallerKind.Staff;

    public bool IsSupervisor => IsStaff && Role is not null && StaffRoles.Rank(Role) >= StaffRoles.Rank(StaffRoles.Supervisor);

    public TicketActor Actor => IsStaff
        ? new TicketActor(TicketActors.Agent, Id.ToString(), Name)
        : new TicketActor(TicketActors.Customer, Id.ToString(), Name);

    public static ChatCaller? From(ClaimsPrincipal user)
    {
        var name = user.FindFirstValue(WalletDeskClaims.Name) ?? "";
        if (user.StaffId() is { } staff)
        {
            // Whatever a staff member writes carries their display name: customers never see user names.
            return new ChatCaller(ChatCallerKind.Staff, staff, user.StaffDisplayName() ?? "", user.FindFirstValue(WalletDeskClaims.Role));
        }

        if (user.CustomerIdOf() is { } customer)
        {
            return new ChatCaller(ChatCallerKind.Customer, customer, name, null);
        }

        return ChatVisitors.VisitorIdOf(user) is { } visitor ? new ChatCaller(ChatCallerKind.Visitor, visitor, name, null) : null;
    }
}

/// <summary>
/// Live chat on top of tickets: a chat is a ticket on the chat channel plus its live state (<see cref="ChatConversation"/>),
/// so SLAs, search, history and redaction apply unchanged. Every write is committed before anyone is told about it.
/// </summary>
public sealed partial class ChatService(
    AppDbContext db,
    TicketService tickets,
    TicketIntake intake,
    IChatBus bus,
    IChatAssistant assistant,
    ChatMessageWriter writer,
    AssistantTurnRunner turns,
    WalletDesk.Server.Features.Email.IEmailOutbox outbox,
    TimeProvider time,
    IOptions<ChatOptions> options,
    ILogger<ChatService> logger)
{
    private const int ResumePageSize = 500;
    private static readonly string[] Origins = ["widget", "in_app", "web_view", "api"];

    private ChatOptions Options => options.Value;

    public async Task<ChatStarted> StartAsync(ChatCaller caller, StartChat request, CancellationToken ct)
    {
        RequireCustomer(caller);
        var text = ValidateText(request.Text);

        // A retried Start (same clientRequestId) answers with what the first attempt did, whichever way it went.
        if (!string.IsNullOrWhiteSpace(request.ClientRequestId) && await StartedBeforeAsync(caller, request.ClientRequestId, ct) is { } again)
        {
            return again;
        }

        var open = await db.ChatConversations.AsNoTracking()
            .Where(c => c.CustomerId == caller.Id && c.Status != ChatStatuses.Closed)
            .OrderByDescending(c => c.TicketId).FirstOrDefaultAsync(ct);
        if (open is not null)
        {
            // The customer already talks to us: the new text joins that conversation (and is never dropped).
            var joined = await SendAsync(caller, open.TicketId, request.ClientRequestId, text, internalNote: false, ct);
            return new ChatStarted(open.TicketId, Joined: true, joined, await StateAsync(open.TicketId, ct));
        }

        var language = request.Language?.StartsWith("zh", StringComparison.OrdinalIgnoreCase) == true ? "zh" : "en";
        var origin = request.Origin is null ? "widget" : Origins.Contains(request.Origin) ? request.Origin
            : throw new ChatException("origin", $"Origin must be one of: {string.Join(", ", Origins)}.");
        var firstLine = text.Split('\n', 2)[0].Trim();
        var subject = firstLine.Length == 0 ? (language == "zh" ? "在线咨询" : "Live chat") : firstLine.Length <= 80 ? firstLine : firstLine[..80] + "…";
        var created = await tickets.CreateAsync(
            caller.Id,
            new NewTicket(subject, text, request.Category, TicketChannels.Chat, language, request.ClientRequestId),
            caller.Actor,
            ct);
        var ack = new ChatAck(created.Ticket.Id, created.Message.Seq, created.Message.Id, created.Message.CreatedAt, created.WasDuplicate, NoticeText(created, language));
        var existing = await db.ChatConversations.SingleOrDefaultAsync(c => c.TicketId == created.Ticket.Id, ct);
        if (existing is not null)
        {
            return new ChatStarted(existing.TicketId, Joined: false, ack with { Duplicate = true }, await StateAsync(existing, ct));
        }

        var now = time.GetUtcNow();
        var conversation = new ChatConversation
        {
            TicketId = created.Ticket.Id,
            CustomerId = caller.Id,
            IsVisitor = caller.Kind == ChatCallerKind.Visitor,
            Status = Options.AssistantFirst ? ChatStatuses.Bot : ChatStatuses.Queued,
            Queue = created.Ticket.Group ?? TicketGroups.General,
            Language = language,
            PriorityRank = TicketPriorities.Rank(created.Ticket.Priority),
            Origin = origin,
            StartedAt = now,
            QueuedAt = Options.AssistantFirst ? null : now,
            UpdatedAt = now,
        };
        db.ChatConversations.Add(conversation);
        if (conversation.Status == ChatStatuses.Bot)
        {
            // The assistant's turn is queued with the conversation, in the same commit, and runs after the answer.
            db.ChatBotTurns.Add(new ChatBotTurn { ConversationId = conversation.TicketId, Seq = created.Message.Seq, CreatedAt = now });
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same start raced in twice (same clientRequestId): the other one made the conversation.
            db.ChangeTracker.Clear();
            var other = await db.ChatConversations.AsNoTracking().SingleAsync(c => c.TicketId == created.Ticket.Id, ct);
            return new ChatStarted(other.TicketId, Joined: false, ack with { Duplicate = true }, await StateAsync(other, ct));
        }

        if (conversation.Status == ChatStatuses.Bot)
        {
            turns.Wake();
            ack = ack with { AssistantAnswering = true };
        }
        else
        {
            await QueueAsync(conversation, null, ct);
        }

        return new ChatStarted(conversation.TicketId, Joined: false, ack, await StateAsync(conversation.TicketId, ct));
    }

    /// <summary>What an earlier Start with this request id did: the conversation it opened, or the one its message joined.</summary>
    private async Task<ChatStarted?> StartedBeforeAsync(ChatCaller caller, string clientRequestId, CancellationToken ct)
    {
        var opened = await (
            from t in db.Tickets.AsNoTracking()
            join c in db.ChatConversations.AsNoTracking() on t.Id equals c.TicketId
            where t.CustomerId == caller.Id && t.ClientRequestId == clientRequestId
            select c.TicketId).FirstOrDefaultAsync(ct);
        var joined = opened != 0 ? null : await (
            from m in db.TicketMessages.AsNoTracking()
            join c in db.ChatConversations.AsNoTracking() on m.TicketId equals c.TicketId
            where c.CustomerId == caller.Id && m.ClientMessageId == clientRequestId && m.AuthorType == TicketActors.Customer
            select m).FirstOrDefaultAsync(ct);
        var id = opened != 0 ? opened : joined?.TicketId ?? 0;
        if (id == 0)
        {
            return null;
        }

        var first = joined ?? await db.TicketMessages.AsNoTracking().Where(m => m.TicketId == id).OrderBy(m => m.Seq).FirstAsync(ct);
        return new ChatStarted(id, Joined: joined is not null, new ChatAck(id, first.Seq, first.Id, first.CreatedAt, Duplicate: true, null), await StateAsync(id, ct));
    }

    private static string? NoticeText(TicketWriteResult written, string language) =>
        written.Notice is null ? null : language == "zh" ? written.Notice.SimplifiedChinese : written.Notice.English;

    /// <summary>
    /// The caller's open conversation with its latest messages, so a customer on a new device (or after clearing the
    /// browser) sees it at once on connect; null when they have none.
    /// </summary>
    public async Task<ChatSync?> CurrentAsync(ChatCaller caller, CancellationToken ct)
    {
        RequireCustomer(caller);
        var open = await db.ChatConversations.AsNoTracking()
            .Where(c => c.CustomerId == caller.Id && c.Status != ChatStatuses.Closed)
            .OrderByDescending(c => c.TicketId).Select(c => (long?)c.TicketId).FirstOrDefaultAsync(ct);
        if (open is not { } id)
        {
            return null;
        }

        // The latest page (the history before it is there with Resume from an earlier seq, should the client want it).
        var from = await db.TicketMessages.AsNoTracking().Where(m => m.TicketId == id && m.Visibility == TicketService.Public)
            .OrderByDescending(m => m.Seq).Skip(ResumePageSize).Select(m => m.Seq).FirstOrDefaultAsync(ct);
        return await ResumeAsync(caller, id, from, ct);
    }

    /// <summary>Everything after <paramref name="afterSeq"/> the caller may see, and the current state; subscribes staff as watchers.</summary>
    public async Task<ChatSync> ResumeAsync(ChatCaller caller, long conversationId, int afterSeq, CancellationToken ct)
    {
        var conversation = await FindForAsync(caller, conversationId, write: false, ct);
        var query = db.TicketMessages.AsNoTracking().Where(m => m.TicketId == conversationId && m.Seq > afterSeq);
        if (!caller.IsStaff)
        {
            query = query.Where(m => m.Visibility == TicketService.Public);
        }

        var page = await query.OrderBy(m => m.Seq).Take(ResumePageSize + 1).ToListAsync(ct);
        var previousPublic = page.Count == 0 ? 0 : await PreviousPublicSeqAsync(conversationId, page[0].Seq, ct);
        var messages = new List<ChatMessage>(Math.Min(page.Count, ResumePageSize));
        var actions = await ActionsAsync(db, conversationId, page, ct);
        foreach (var m in page.Take(ResumePageSize))
        {
            messages.Add(ToDto(m, previousPublic, m.ClientMessageId is { } key ? actions.GetValueOrDefault(key) : null));
            previousPublic = m.Visibility == TicketService.Public ? m.Seq : previousPublic;
        }

        return new ChatSync(await StateAsync(conversation, ct), messages, page.Count > ResumePageSize);
    }

    public async Task<ChatAck> SendAsync(ChatCaller caller, long conversationId, string? clientMessageId, string? text, bool internalNote, CancellationToken ct)
    {
        if (internalNote)
        {
            RequireStaff(caller);
        }

        var body = ValidateText(text);
        if (!caller.IsStaff && clientMessageId?.StartsWith(AssistantIdPrefix, StringComparison.Ordinal) == true)
        {
            throw new ChatException("clientMessageId", $"Client message ids starting with '{AssistantIdPrefix}' are reserved.");
        }

        // The common case goes through the group-commit writer (one transaction for every message arriving meanwhile);
        // tickets in unusual states (merged, solved, closed) take the one-by-one path below.
        ChatConversation conversation;
        TicketWriteResult? written;
        if (await writer.WriteAsync(caller, conversationId, clientMessageId, body, internalNote, ct) is { } done)
        {
            (conversation, written) = done;
        }
        else
        {
            conversation = await FindForAsync(caller, conversationId, write: true, ct);
            RefuseClosed(caller, conversation);
            written = caller.IsStaff
                ? await tickets.AddAgentMessageAsync(conversationId, body, internalNote, clientMessageId, caller.Actor, ct: ct)
                : await tickets.AddCustomerMessageAsync(caller.Id, conversationId, body, clientMessageId, caller.Actor, TicketChannels.Chat, ct);
            if (written is null)
            {
                throw ChatException.NotFound();
            }
        }

        var notice = NoticeText(written, conversation.Language);
        var ack = new ChatAck(conversationId, written.Message.Seq, written.Message.Id, written.Message.CreatedAt, written.WasDuplicate, notice);
        if (!caller.IsStaff && conversation.Status == ChatStatuses.Bot && written.Message.AuthorType == TicketActors.Customer)
        {
            // Queued before the ack (a retried send queues it again if that failed), answered after it: a slow wallet
            // or a failing assistant delays the bot's reply, never the customer's acknowledgement.
            await EnqueueTurnAsync(conversationId, written.Message.Seq, ct);
            ack = ack with { AssistantAnswering = true };
        }

        return ack;
    }

    public async Task TypingAsync(ChatCaller caller, long conversationId, bool isTyping, CancellationToken ct)
    {
        var conversation = await FindForAsync(caller, conversationId, write: true, ct);
        var signal = new TypingSignal(conversationId, caller.IsStaff ? TicketActors.Agent : TicketActors.Customer, caller.IsStaff ? caller.Name : null, isTyping);
        await PublishAsync(ChatEvents.Typing, caller.IsStaff ? ChatAudiences.Everyone : ChatAudiences.Staff, conversation, signal, ct);
    }

    public async Task MarkReadAsync(ChatCaller caller, long conversationId, int seq, CancellationToken ct)
    {
        var conversation = await FindForAsync(caller, conversationId, write: false, ct);
        var changed = caller.IsStaff
            ? await db.ChatConversations.Where(c => c.TicketId == conversationId && c.AgentReadSeq < seq).ExecuteUpdateAsync(s => s.SetProperty(c => c.AgentReadSeq, seq), ct)
            : await db.ChatConversations.Where(c => c.TicketId == conversationId && c.CustomerReadSeq < seq).ExecuteUpdateAsync(s => s.SetProperty(c => c.CustomerReadSeq, seq), ct);
        if (changed > 0)
        {
            await PublishAsync(ChatEvents.Read, ChatAudiences.Everyone, conversation, new ReadSignal(conversationId, caller.IsStaff ? "agent" : "customer", seq), ct);
        }
    }

    /// <summary>A visitor's email or phone, so an offline chat can be answered.</summary>
    public async Task<ChatState> LeaveContactAsync(ChatCaller caller, long conversationId, string? email, string? phone, CancellationToken ct)
    {
        RequireCustomer(caller);
        var conversation = await FindForAsync(caller, conversationId, write: true, ct);
        email = string.IsNullOrWhiteSpace(email) ? null : email.Trim();
        phone = string.IsNullOrWhiteSpace(phone) ? null : phone.Trim();
        if (email is null && phone is null)
        {
            throw new ChatException("contact", "Leave an email address or a phone number.");
        }

        if (email is not null && (email.Length > 256 || !System.Net.Mail.MailAddress.TryCreate(email, out var parsed) || parsed.Address != email))
        {
            throw new ChatException("email", "That email address does not look right.");
        }

        if (phone is not null && !PhonePattern().IsMatch(phone))
        {
            throw new ChatException("phone", "Phone numbers start with + and the country code, e.g. +8613800138000.");
        }

        // Contact fields pass intake like every text from outside; one that would be stored altered (a card number in it) is refused.
        if (email is not null && intake.Field(email, 256, contact: true) != email)
        {
            throw new ChatException("email", "That email address does not look right.");
        }

        if (phone is not null && intake.Field(phone, 32, contact: true) != phone)
        {
            throw new ChatException("phone", "That phone number does not look right.");
        }

        await db.ChatConversations.Where(c => c.TicketId == conversationId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.ContactEmail, email).SetProperty(c => c.ContactPhone, phone).SetProperty(c => c.UpdatedAt, time.GetUtcNow()), ct);
        if (conversation.IsVisitor)
        {
            await db.Customers.Where(c => c.Id == conversation.CustomerId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Email, c => email ?? c.Email).SetProperty(c => c.Phone, c => phone ?? c.Phone), ct);
        }

        return await PublishStateAsync(conversationId, ct);
    }

    /// <summary>The customer leaves. The ticket stays for the agent (nothing is lost), marked solved if an agent had answered.</summary>
    public async Task<ChatState> EndAsync(ChatCaller caller, long conversationId, CancellationToken ct)
    {
        RequireCustomer(caller);
        await FindForAsync(caller, conversationId, write: true, ct);
        return await CloseInternalAsync(conversationId, "customer_left", TicketActor.System, solve: false, ct);
    }

    public async Task<ChatMessage?> LoadMessageAsync(long conversationId, int seq, CancellationToken ct)
    {
        var message = await db.TicketMessages.AsNoTracking().SingleOrDefaultAsync(m => m.TicketId == conversationId && m.Seq == seq, ct);
        if (message is null)
        {
            return null;
        }

        var actions = await ActionsAsync(db, conversationId, [message], ct);
        return ToDto(message, await PreviousPublicSeqAsync(conversationId, seq, ct), message.ClientMessageId is { } key ? actions.GetValueOrDefault(key) : null);
    }

    /// <summary>When a person will answer the customer's chat on this ticket (for the portal), or null when nobody is waiting for one.</summary>
    public async Task<ExpectedReply?> ExpectedReplyAsync(long ticketId, CancellationToken ct) =>
        await db.ChatConversations.AsNoTracking().SingleOrDefaultAsync(c => c.TicketId == ticketId, ct) is { } conversation
            ? (await StateAsync(conversation, ct)).ExpectedReply
            : null;

    public async Task<ChatState> StateAsync(long conversationId, CancellationToken ct) =>
        await StateAsync(await db.ChatConversations.AsNoTracking().SingleAsync(c => c.TicketId == conversationId, ct), ct);

    private async Task<ChatState> StateAsync(ChatConversation conversation, CancellationToken ct)
    {
        var ticket = await db.Tickets.AsNoTracking().Where(t => t.Id == conversation.TicketId)
            .Select(t => new { t.MessageCount, t.NextSlaDueAt }).SingleAsync(ct);
        int? position = null;
        int? wait = null;
        if (conversation.Status == ChatStatuses.Queued)
        {
            (position, wait) = await EstimateWaitAsync(conversation, ct);
        }

        var contactKnown = !conversation.IsVisitor || conversation.ContactEmail is not null || conversation.ContactPhone is not null;
        var expected = ExpectedReplies.For(conversation.Status, conversation.Language, wait, ticket.NextSlaDueAt, time.GetUtcNow());
        return new ChatState(
            conversation.TicketId,
            conversation.Status,
            conversation.Queue,
            conversation.Language,
            ticket.MessageCount,
            position,
            wait,
            conversation.AgentName,
            conversation.Status == ChatStatuses.Offline ? ticket.NextSlaDueAt : null,
            contactKnown,
            conversation.CustomerReadSeq,
            conversation.AgentReadSeq,
            conversation.Escalated,
            conversation.HandoffReason,
            expected);
    }

    /// <summary>Loads the conversation after checking the caller belongs to it; anything else looks exactly like a missing one.</summary>
    private async Task<ChatConversation> FindForAsync(ChatCaller caller, long conversationId, bool write, CancellationToken ct) =>
        Authorize(caller, await db.ChatConversations.AsNoTracking().SingleOrDefaultAsync(c => c.TicketId == conversationId, ct), write);

    /// <summary>The conversation, when the caller belongs to it (for <paramref name="write"/>: may write to it); anything else looks exactly like a missing one.</summary>
    internal static ChatConversation Authorize(ChatCaller caller, ChatConversation? conversation, bool write)
    {
        if (conversation is null)
        {
            throw ChatException.NotFound();
        }

        if (caller.IsStaff)
        {
            // Any agent may read (and watch) a chat, as with tickets; only the assigned agent, an invited or any supervisor writes.
            if (write && conversation.AgentId != caller.Id && conversation.SupervisorId != caller.Id && !caller.IsSupervisor)
            {
                throw new ChatException("not_assigned", "This conversation is not assigned to you. Accept it from the queue or ask for a transfer.");
            }

            return conversation;
        }

        return conversation.CustomerId == caller.Id ? conversation : throw ChatException.NotFound();
    }

    /// <summary>Reserved for the assistant's own messages, whose ids are derived from the message they answer.</summary>
    internal const string AssistantIdPrefix = "wd-assistant:";

    private async Task EnqueueTurnAsync(long conversationId, int seq, CancellationToken ct)
    {
        if (!await db.ChatBotTurns.AnyAsync(t => t.ConversationId == conversationId && t.Seq == seq, ct))
        {
            db.ChatBotTurns.Add(new ChatBotTurn { ConversationId = conversationId, Seq = seq, CreatedAt = time.GetUtcNow() });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // The same message raced in from another device: its turn is queued once.
                db.ChangeTracker.Clear();
            }
        }

        turns.Wake();
    }

    /// <summary>
    /// The assistant's turn for one customer message, run by <see cref="AssistantTurnRunner"/> after the message was
    /// acknowledged. The customer sees the bot typing meanwhile; a conversation no longer with the bot (an agent took it)
    /// gets no automated answer.
    /// </summary>
    public async Task RunAssistantTurnAsync(long conversationId, int seq, CancellationToken ct)
    {
        var conversation = await db.ChatConversations.AsNoTracking().SingleOrDefaultAsync(c => c.TicketId == conversationId, ct);
        if (conversation is null)
        {
            return;
        }

        var botName = BotActor(conversation).Name;
        try
        {
            if (conversation.Status != ChatStatuses.Bot)
            {
                return;
            }

            await PublishAsync(ChatEvents.Typing, ChatAudiences.Everyone, conversation, new TypingSignal(conversationId, TicketActors.Bot, botName, true, seq), ct);
            var message = await db.TicketMessages.AsNoTracking().SingleAsync(m => m.TicketId == conversationId && m.Seq == seq, ct);
            await AskAssistantAsync(conversation, message.Body, seq, ct);
        }
        finally
        {
            await PublishAsync(ChatEvents.Typing, ChatAudiences.Everyone, conversation, new TypingSignal(conversationId, TicketActors.Bot, botName, false, seq), CancellationToken.None);
        }
    }

    private async Task SaveActionsAsync(ChatMessageActions actions, CancellationToken ct)
    {
        if (await db.ChatMessageActions.AnyAsync(a => a.TicketId == actions.TicketId && a.ClientMessageId == actions.ClientMessageId, ct))
        {
            return; // a re-run turn
        }

        db.ChatMessageActions.Add(actions);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
        }
    }

    private static TicketActor BotActor(ChatConversation conversation) =>
        new(TicketActors.Bot, null, conversation.Language == "zh" ? "智能助手" : "WalletDesk Assistant");

    private async Task AskAssistantAsync(ChatConversation conversation, string text, int seq, CancellationToken ct)
    {
        AssistantOutcome outcome;
        try
        {
            outcome = await assistant.RespondAsync(new AssistantInput(conversation.TicketId, conversation.CustomerId, conversation.IsVisitor, conversation.Language, text, seq), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "The assistant failed on conversation {ConversationId}; handing off", conversation.TicketId);
            outcome = new AssistantOutcome([], new AssistantHandoff("flow_failed", conversation.Queue, TicketPriorities.Normal, "The assistant failed on this message; no automated answer was given.", "unknown", 0));
        }

        // Every message of the turn has an id derived from the message it answers: a turn re-run after a crash adds nothing twice.
        var bot = BotActor(conversation);
        string Key(string part) => $"{AssistantIdPrefix}{seq}:{part}";
        for (var i = 0; i < outcome.Replies.Count; i++)
        {
            var reply = outcome.Replies[i];
            var key = Key(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var quick = reply.QuickReplies?.Where(q => !string.IsNullOrWhiteSpace(q)).Take(8).Select(q => q.Replace('\n', ' ').Trim()).ToList();
            if (quick is { Count: > 0 } || reply.ArticleSlug is not null)
            {
                // Stored before the message, under its key, so the live event already carries the buttons and the card.
                await SaveActionsAsync(new ChatMessageActions
                {
                    TicketId = conversation.TicketId,
                    ClientMessageId = key,
                    QuickReplies = quick is { Count: > 0 } ? string.Join('\n', quick) : null,
                    ArticleSlug = reply.ArticleSlug,
                }, ct);
            }

            // The link stays in the text too: transcripts, e-mail and the portal show the words only.
            var body = reply.ArticleSlug is null ? reply.Text : $"{reply.Text}\n/help/articles/{reply.ArticleSlug}";
            await tickets.AddAgentMessageAsync(conversation.TicketId, body, isInternal: false, clientMessageId: key, bot, ct: ct);
        }

        if (outcome.Handoff is { } handoff)
        {
            await QueueAsync(conversation, handoff, ct);

            // When a person will answer comes from the same estimate as the widget's banner and the portal.
            if ((await StateAsync(conversation.TicketId, ct)).ExpectedReply is { } expected)
            {
                await tickets.AddAgentMessageAsync(conversation.TicketId, expected.Text, isInternal: false, clientMessageId: Key("wait"), bot, ct: ct);
            }

            // The summary carries its own header ("Assistant handoff: reason"): stored as it is, not wrapped in another.
            await tickets.AddAgentMessageAsync(conversation.TicketId, handoff.Summary, isInternal: true, clientMessageId: Key("note"), bot, ct: ct);
        }
        else if (outcome.Resolved)
        {
            await CloseInternalAsync(conversation.TicketId, "resolved_by_assistant", bot, solve: true, ct);
        }
    }

    private async Task PublishAsync<T>(string kind, string audience, ChatConversation conversation, T payload, CancellationToken ct, Guid? toAgent = null) =>
        await bus.PublishAsync(new ChatEnvelope(kind, audience, conversation.TicketId, conversation.CustomerId, toAgent ?? conversation.AgentId, conversation.SupervisorId, JsonSerializer.SerializeToElement(payload, ChatFanout.Json)), ct);

    private async Task<ChatState> PublishStateAsync(long conversationId, CancellationToken ct)
    {
        var conversation = await db.ChatConversations.AsNoTracking().SingleAsync(c => c.TicketId == conversationId, ct);
        var state = await StateAsync(conversation, ct);
        await PublishAsync(ChatEvents.State, ChatAudiences.Everyone, conversation, state, ct);
        return state;
    }

    /// <summary>Nobody writes into a closed chat; the customer starts a new one, staff reply on the ticket.</summary>
    internal static void RefuseClosed(ChatCaller caller, ChatConversation conversation)
    {
        if (conversation.Status == ChatStatuses.Closed)
        {
            throw new ChatException("closed", caller.IsStaff
                ? "This conversation is closed; reply on the ticket instead."
                : conversation.Language == "zh" ? "此对话已结束，请开始新的对话。" : "This conversation has ended. Start a new one to keep talking.");
        }
    }

    private string ValidateText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ChatException("text", "The message is empty.");
        }

        if (text.Length > Options.MaxMessageLength)
        {
            throw new ChatException("text", $"The message is {text.Length:N0} characters; the limit is {Options.MaxMessageLength:N0}. Split it into shorter messages.");
        }

        return text;
    }

    private static void RequireCustomer(ChatCaller caller)
    {
        if (caller.IsStaff)
        {
            throw new ChatException("customer_only", "Only the customer can do this.");
        }
    }

    private static void RequireStaff(ChatCaller caller)
    {
        if (!caller.IsStaff)
        {
            throw new ChatException("staff_only", "Only agents can do this.");
        }
    }

    internal static ChatMessage ToDto(TicketMessage m, int previousPublicSeq, ChatMessageActions? actions = null) =>
        new(m.TicketId, m.Seq, m.Id, m.AuthorType, m.AuthorName, m.Visibility, m.Body, m.CreatedAt, m.ClientMessageId, previousPublicSeq,
            actions?.QuickReplies?.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            actions?.ArticleSlug is { } slug ? new ChatArticle(slug, $"/help/articles/{slug}") : null);

    /// <summary>The buttons and link cards of the assistant's messages among <paramref name="messages"/>, by idempotency key.</summary>
    internal static async Task<Dictionary<string, ChatMessageActions>> ActionsAsync(AppDbContext db, long conversationId, IEnumerable<TicketMessage> messages, CancellationToken ct)
    {
        var keys = messages.Where(m => m.AuthorType == TicketActors.Bot && m.ClientMessageId?.StartsWith(AssistantIdPrefix, StringComparison.Ordinal) == true)
            .Select(m => m.ClientMessageId!).ToList();
        return keys.Count == 0
            ? []
            : await db.ChatMessageActions.AsNoTracking().Where(a => a.TicketId == conversationId && keys.Contains(a.ClientMessageId)).ToDictionaryAsync(a => a.ClientMessageId, ct);
    }

    /// <summary>The sequence of the last public message before <paramref name="seq"/> (0 when none).</summary>
    internal static Task<int> PreviousPublicSeqAsync(AppDbContext db, long conversationId, int seq, CancellationToken ct) =>
        db.TicketMessages.Where(m => m.TicketId == conversationId && m.Seq < seq && m.Visibility == TicketService.Public)
            .OrderByDescending(m => m.Seq).Select(m => m.Seq).FirstOrDefaultAsync(ct);

    private Task<int> PreviousPublicSeqAsync(long conversationId, int seq, CancellationToken ct) => PreviousPublicSeqAsync(db, conversationId, seq, ct);

    [System.Text.RegularExpressions.GeneratedRegex(@"^\+[1-9][0-9 ]{6,18}$")]
    private static partial System.Text.RegularExpressions.Regex PhonePattern();
}
