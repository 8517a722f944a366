using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Chat;

// The agent's side: availability, the queue, accept, transfer, invite, close; and routing.
public sealed partial class ChatService
{
    public async Task<AgentState> SetAvailabilityAsync(ChatCaller caller, string? status, int? capacity, CancellationToken ct)
    {
        RequireStaff(caller);
        if (status is null || !AgentAvailability.All.Contains(status))
        {
            throw new ChatException("status", $"Availability must be one of: {string.Join(", ", AgentAvailability.All)}.");
        }

        if (capacity is < 1 or > 1000)
        {
            throw new ChatException("capacity", "Capacity is between 1 and 1000 chats at once.");
        }

        var agent = await ProfileAsync(caller, ct);
        agent.Status = status;
        agent.Capacity = capacity ?? agent.Capacity;
        agent.UpdatedAt = time.GetUtcNow();
        agent.LastSeenAt = agent.UpdatedAt;
        await db.SaveChangesAsync(ct);
        if (status == AgentAvailability.Online)
        {
            await RouteWaitingAsync(ct);
        }

        return await AgentStateAsync(agent, ct);
    }

    public async Task<QueueSnapshot> QueueSnapshotAsync(ChatCaller caller, CancellationToken ct)
    {
        RequireStaff(caller);
        var agent = await ProfileAsync(caller, ct);
        var rows = await (
            from c in db.ChatConversations.AsNoTracking()
            join t in db.Tickets.AsNoTracking() on c.TicketId equals t.Id
            join u in db.Customers.AsNoTracking() on c.CustomerId equals u.Id
            where c.Status == ChatStatuses.Queued || (c.Status == ChatStatuses.Active && (c.AgentId == caller.Id || c.SupervisorId == caller.Id))
            orderby c.PriorityRank descending, c.QueuedAt, c.TicketId
            select new { c, t.Priority, t.Subject, u.DisplayName })
            .Take(200)
            .ToListAsync(ct);
        var entries = rows.Select(r => new QueueEntry(r.c.TicketId, r.c.Status, r.c.Queue, r.c.Language, r.Priority, r.Subject, r.DisplayName, r.c.QueuedAt, r.c.AgentName, r.c.Escalated, r.c.HandoffReason)).ToList();
        return new QueueSnapshot(
            await AgentStateAsync(agent, ct),
            entries.Where(e => e.Status == ChatStatuses.Queued).ToList(),
            entries.Where(e => e.Status == ChatStatuses.Active).ToList());
    }

    /// <summary>Takes a waiting chat. Exactly one of several agents clicking at once gets it.</summary>
    public async Task<ChatState> AcceptAsync(ChatCaller caller, long conversationId, CancellationToken ct)
    {
        RequireStaff(caller);
        var agent = await ProfileAsync(caller, ct);
        await FindForAsync(caller, conversationId, write: false, ct);
        if (!await TryAssignAsync(conversationId, agent, [ChatStatuses.Queued, ChatStatuses.Offline, ChatStatuses.Bot], ct))
        {
            throw new ChatException("taken", "Another agent has already taken this conversation.");
        }

        return await StateAsync(conversationId, ct);
    }

    public async Task<ChatState> TransferAsync(ChatCaller caller, long conversationId, TransferChat? request, CancellationToken ct)
    {
        RequireStaff(caller);
        var conversation = await FindForAsync(caller, conversationId, write: true, ct);
        if (conversation.Status == ChatStatuses.Closed)
        {
            throw new ChatException("closed", "This conversation is closed.");
        }

        if (request?.AgentId is { } agentId)
        {
            var target = await db.ChatAgents.AsNoTracking().SingleOrDefaultAsync(a => a.StaffId == agentId, ct);
            var active = target is not null && await db.StaffUsers.AnyAsync(u => u.Id == agentId && !u.IsDisabled, ct);
            if (target is null || !active)
            {
                throw new ChatException("agentId", "No agent with that id takes chats.");
            }

            await db.ChatConversations.Where(c => c.TicketId == conversationId).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, ChatStatuses.Active)
                .SetProperty(c => c.AgentId, agentId)
                .SetProperty(c => c.AgentName, target.DisplayName)
                .SetProperty(c => c.UpdatedAt, time.GetUtcNow()), ct);
            await tickets.UpdateAsync(conversationId, new TicketChanges(AssigneeId: agentId), caller.Actor, ct);
            await AnnounceAssignmentAsync(conversationId, previousAgent: conversation.AgentId, ct);
        }
        else if (!string.IsNullOrWhiteSpace(request?.Group))
        {
            var group = request.Group.Trim();
            if (!await db.ChatAgents.AnyAsync(a => a.Groups.Contains(" " + group + " "), ct))
            {
                throw new ChatException("group", $"No agent takes chats for the group '{group}'.");
            }

            await db.ChatConversations.Where(c => c.TicketId == conversationId).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, ChatStatuses.Queued)
                .SetProperty(c => c.Queue, group)
                .SetProperty(c => c.AgentId, (Guid?)null)
                .SetProperty(c => c.AgentName, (string?)null)
                .SetProperty(c => c.QueuedAt, time.GetUtcNow())
                .SetProperty(c => c.UpdatedAt, time.GetUtcNow()), ct);
            await tickets.UpdateAsync(conversationId, new TicketChanges(Group: group, Unassign: true), caller.Actor, ct);
            await PublishQueueChangedAsync(conversation, ct, ChatStatuses.Queued, group);
            await PublishStateAsync(conversationId, ct);
            if (!await RouteAsync(conversationId, ct))
            {
                await OfflineIfNobodyAsync(conversationId, ct);
            }
        }
        else
        {
            throw new ChatException("transfer", "Name an agent or a group to transfer to.");
        }

        return await StateAsync(conversationId, ct);
    }

    /// <summary>Brings a supervisor into the conversation (a named one, or the first available).</summary>
    public async Task<ChatState> InviteSupervisorAsync(ChatCaller caller, long conversationId, Guid? supervisorId, CancellationToken ct)
    {
        RequireStaff(caller);
        var conversation = await FindForAsync(caller, conversationId, write: true, ct);
        var supervisors = db.StaffUsers.AsNoTracking().Where(u => !u.IsDisabled && (u.Role == StaffRoles.Supervisor || u.Role == StaffRoles.Admin));
        Guid? chosen = supervisorId is { } wanted
            ? await supervisors.Where(u => u.Id == wanted).Select(u => (Guid?)u.Id).SingleOrDefaultAsync(ct)
            : await (from u in supervisors
                     join a in db.ChatAgents.AsNoTracking() on u.Id equals a.StaffId
                     where a.Status == AgentAvailability.Online && u.Id != caller.Id
                     orderby a.LastAssignedAt
                     select (Guid?)u.Id).FirstOrDefaultAsync(ct);
        if (chosen is not { } supervisor)
        {
            throw new ChatException("supervisorId", supervisorId is null ? "No supervisor is online right now." : "No active supervisor has that id.");
        }

        await db.ChatConversations.Where(c => c.TicketId == conversationId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.SupervisorId, supervisor).SetProperty(c => c.UpdatedAt, time.GetUtcNow()), ct);
        await tickets.AddAgentMessageAsync(conversationId, $"{caller.Name} invited a supervisor to this chat.", isInternal: true, clientMessageId: null, caller.Actor, ct: ct);
        var state = await PublishStateAsync(conversationId, ct);
        await PublishAsync(ChatEvents.Assigned, ChatAudiences.Agent, conversation, state, ct, toAgent: supervisor);
        return state;
    }

    public async Task<ChatState> CloseAsync(ChatCaller caller, long conversationId, string? disposition, CancellationToken ct)
    {
        RequireStaff(caller);
        await FindForAsync(caller, conversationId, write: true, ct);
        if (disposition is null || !ChatDispositions.All.Contains(disposition))
        {
            throw new ChatException("disposition", $"Disposition must be one of: {string.Join(", ", ChatDispositions.All)}.");
        }

        return await CloseInternalAsync(conversationId, disposition, caller.Actor, solve: disposition != "converted_to_ticket", ct);
    }

    /// <summary>The live chat ends but the ticket stays open: the conversation carries on by email or in the app.</summary>
    public Task<ChatState> ConvertToTicketAsync(ChatCaller caller, long conversationId, CancellationToken ct) =>
        CloseAsync(caller, conversationId, "converted_to_ticket", ct);

    /// <summary>Records that this chat is about an existing ticket of the same customer (both histories show the link).</summary>
    public async Task<ChatState> LinkTicketAsync(ChatCaller caller, long conversationId, long ticketId, CancellationToken ct)
    {
        RequireStaff(caller);
        var conversation = await FindForAsync(caller, conversationId, write: true, ct);
        if (ticketId == conversationId || !await db.Tickets.AnyAsync(t => t.Id == ticketId && t.CustomerId == conversation.CustomerId, ct))
        {
            throw new ChatException("ticketId", "Link a different ticket of the same customer.");
        }

        await tickets.AddAgentMessageAsync(conversationId, $"Linked to ticket #{ticketId}.", isInternal: true, clientMessageId: null, caller.Actor, ct: ct);
        await tickets.AddAgentMessageAsync(ticketId, $"Linked from live chat #{conversationId}.", isInternal: true, clientMessageId: null, caller.Actor, ct: ct);
        return await StateAsync(conversationId, ct);
    }

    /// <summary>
    /// Tries every waiting conversation, most urgent and longest waiting first. Once one in a queue finds nobody, the
    /// rest of that queue waits too: a place freed while this pass runs goes to the head of the queue (through the
    /// close or the next pass), never to a later conversation the pass happens to reach first.
    /// </summary>
    public async Task<int> RouteWaitingAsync(CancellationToken ct)
    {
        var waiting = await db.ChatConversations.AsNoTracking().Where(c => c.Status == ChatStatuses.Queued)
            .OrderByDescending(c => c.PriorityRank).ThenBy(c => c.QueuedAt).ThenBy(c => c.TicketId).Select(c => new { c.TicketId, c.Queue }).Take(100).ToListAsync(ct);
        var routed = 0;
        var full = new HashSet<string>(StringComparer.Ordinal);
        foreach (var conversation in waiting)
        {
            if (full.Contains(conversation.Queue))
            {
                continue;
            }

            switch (await TryRouteAsync(conversation.TicketId, ct))
            {
                case true:
                    routed++;
                    break;
                case false:
                    full.Add(conversation.Queue);
                    break;
            }
        }

        return routed;
    }

    /// <summary>Gives a waiting conversation to the best available agent: same queue, same language preferred, under their cap.</summary>
    public async Task<bool> RouteAsync(long conversationId, CancellationToken ct) => await TryRouteAsync(conversationId, ct) == true;

    /// <summary>True when assigned, false when nobody could take it, null when it was no longer waiting.</summary>
    private async Task<bool?> TryRouteAsync(long conversationId, CancellationToken ct)
    {
        var conversation = await db.ChatConversations.AsNoTracking().SingleOrDefaultAsync(c => c.TicketId == conversationId && c.Status == ChatStatuses.Queued, ct);
        if (conversation is null)
        {
            return null;
        }

        var candidates = await CandidatesAsync(conversation.Queue, ct);
        var ordered = candidates
            .Where(c => c.Active < c.Agent.Capacity)
            .OrderByDescending(c => c.Agent.Languages.Contains(" " + conversation.Language + " ", StringComparison.Ordinal))
            .ThenBy(c => Options.Routing == "round_robin" ? 0 : c.Active)
            .ThenBy(c => c.Agent.LastAssignedAt ?? DateTimeOffset.MinValue)
            .Select(c => c.Agent)
            .FirstOrDefault();
        return ordered is not null && await TryAssignAsync(conversationId, ordered, [ChatStatuses.Queued], ct);
    }

    /// <summary>Waiting too long: raise the priority, jump the queue, tell supervisors.</summary>
    public async Task<int> EscalateOverdueAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow().AddSeconds(-Options.EscalateAfterSeconds);
        var overdue = await db.ChatConversations.AsNoTracking()
            .Where(c => c.Status == ChatStatuses.Queued && !c.Escalated && c.QueuedAt < cutoff).Select(c => c.TicketId).Take(100).ToListAsync(ct);
        var count = 0;
        foreach (var id in overdue)
        {
            var changed = await db.ChatConversations.Where(c => c.TicketId == id && c.Status == ChatStatuses.Queued && !c.Escalated)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Escalated, true).SetProperty(c => c.PriorityRank, c => c.PriorityRank + 10).SetProperty(c => c.UpdatedAt, time.GetUtcNow()), ct);
            if (changed == 0)
            {
                continue;
            }

            count++;
            var ticket = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == id, ct);
            if (TicketPriorities.Rank(ticket.Priority) < TicketPriorities.Rank(TicketPriorities.High))
            {
                await tickets.UpdateAsync(id, new TicketChanges(Priority: TicketPriorities.High), TicketActor.System, ct);
            }

            await tickets.AddAgentMessageAsync(id, $"Escalated: waiting for more than {Options.EscalateAfterSeconds / 60.0:0.#} minutes with no agent.", isInternal: true, clientMessageId: null, TicketActor.System, ct: ct);
            var conversation = await db.ChatConversations.AsNoTracking().SingleAsync(c => c.TicketId == id, ct);
            await PublishQueueChangedAsync(conversation, ct);
            logger.LogWarning("Chat {ConversationId} escalated after waiting {Seconds}s in queue {Queue}", id, Options.EscalateAfterSeconds, conversation.Queue);
        }

        return count;
    }

    /// <summary>Waiting chats whose queue has nobody online any more become offline tickets (answered later, nothing lost).</summary>
    public async Task<int> OfflineAbandonedQueuesAsync(CancellationToken ct)
    {
        var queues = await db.ChatConversations.AsNoTracking().Where(c => c.Status == ChatStatuses.Queued).Select(c => c.Queue).Distinct().ToListAsync(ct);
        var count = 0;
        foreach (var queue in queues)
        {
            if ((await CandidatesAsync(queue, ct)).Count > 0)
            {
                continue;
            }

            var ids = await db.ChatConversations.AsNoTracking().Where(c => c.Status == ChatStatuses.Queued && c.Queue == queue).Select(c => c.TicketId).ToListAsync(ct);
            foreach (var id in ids)
            {
                if (await OfflineIfNobodyAsync(id, ct))
                {
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>Agents whose connections went away without saying so (closed laptop, crashed process) stop receiving chats.</summary>
    /// <summary>Sets away the online agents nobody has seen for <paramref name="staleAfter"/>; those connected to this process are alive whatever the clock says.</summary>
    public async Task<int> AwayStaleAgentsAsync(TimeSpan staleAfter, IReadOnlyCollection<Guid> connectedHere, CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - staleAfter;
        return await db.ChatAgents.Where(a => a.Status == AgentAvailability.Online && (a.LastSeenAt == null || a.LastSeenAt < cutoff) && !connectedHere.Contains(a.StaffId))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AgentAvailability.Away).SetProperty(a => a.UpdatedAt, time.GetUtcNow()), ct);
    }

    public async Task TouchAgentsAsync(IReadOnlyCollection<Guid> staffIds, CancellationToken ct)
    {
        if (staffIds.Count > 0)
        {
            await db.ChatAgents.Where(a => staffIds.Contains(a.StaffId)).ExecuteUpdateAsync(s => s.SetProperty(a => a.LastSeenAt, time.GetUtcNow()), ct);
        }
    }

    /// <summary>Published on the widget's first screen: are people there, and how long is the wait.</summary>
    public async Task<ChatAvailability> AvailabilityAsync(string language, CancellationToken ct)
    {
        var candidates = await CandidatesAsync(TicketGroups.General, ct);
        int? wait = null;
        if (candidates.Count > 0)
        {
            var waiting = await db.ChatConversations.CountAsync(c => c.Status == ChatStatuses.Queued, ct);
            wait = await WaitSecondsAsync(waiting + 1, candidates, ct);
        }

        return new ChatAvailability(candidates.Count > 0, PublishedResponseTimes.For(TicketChannels.Chat, TicketPriorities.Normal, language), wait);
    }

    private async Task<bool> TryAssignAsync(long conversationId, ChatAgent agent, string[] fromStatuses, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var changed = await db.ChatConversations
            .Where(c => c.TicketId == conversationId && fromStatuses.Contains(c.Status))
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, ChatStatuses.Active)
                .SetProperty(c => c.AgentId, agent.StaffId)
                .SetProperty(c => c.AgentName, agent.DisplayName)
                .SetProperty(c => c.AcceptedAt, now)
                .SetProperty(c => c.UpdatedAt, now), ct);
        if (changed == 0)
        {
            return false;
        }

        await db.ChatAgents.Where(a => a.StaffId == agent.StaffId).ExecuteUpdateAsync(s => s.SetProperty(a => a.LastAssignedAt, now), ct);
        await tickets.UpdateAsync(conversationId, new TicketChanges(AssigneeId: agent.StaffId), TicketActor.System, ct);
        await AnnounceAssignmentAsync(conversationId, previousAgent: null, ct);
        return true;
    }

    private async Task AnnounceAssignmentAsync(long conversationId, Guid? previousAgent, CancellationToken ct)
    {
        var conversation = await db.ChatConversations.AsNoTracking().SingleAsync(c => c.TicketId == conversationId, ct);
        var state = await StateAsync(conversation, ct);
        await PublishAsync(ChatEvents.State, ChatAudiences.Everyone, conversation, state, ct);
        await PublishAsync(ChatEvents.Assigned, ChatAudiences.Agent, conversation, state, ct);
        if (previousAgent is { } previous && previous != conversation.AgentId)
        {
            await PublishAsync(ChatEvents.State, ChatAudiences.Agent, conversation, state, ct, toAgent: previous);
        }

        await PublishQueueChangedAsync(conversation, ct);
        await RefreshQueuePositionsAsync(conversation.Queue, ct);
    }

    private async Task<ChatState> CloseInternalAsync(long conversationId, string disposition, TicketActor actor, bool solve, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var changed = await db.ChatConversations.Where(c => c.TicketId == conversationId && c.Status != ChatStatuses.Closed)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ChatStatuses.Closed).SetProperty(c => c.Disposition, disposition)
                .SetProperty(c => c.ClosedAt, now).SetProperty(c => c.UpdatedAt, now), ct);
        if (changed == 0)
        {
            return await StateAsync(conversationId, ct);
        }

        var ticket = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == conversationId, ct);
        if (solve && actor.Type == TicketActors.Bot)
        {
            // The assistant's resolution: the ticket's status is the source of truth (ADR 0014).
            await tickets.SolveByAssistantAsync(conversationId, disposition, ct);
        }
        else if (solve && TicketStatuses.IsActive(ticket.Status) && ticket.FirstResponseAt is not null)
        {
            await tickets.UpdateAsync(conversationId, new TicketChanges(Status: TicketStatuses.Solved), actor, ct);
        }
        else if (!solve && ticket.Status == TicketStatuses.New && ticket.FirstResponseAt is not null)
        {
            await tickets.UpdateAsync(conversationId, new TicketChanges(Status: TicketStatuses.Open), actor, ct);
        }

        var conversation = await db.ChatConversations.AsNoTracking().SingleAsync(c => c.TicketId == conversationId, ct);
        var state = await StateAsync(conversation, ct);
        await PublishAsync(ChatEvents.State, ChatAudiences.Everyone, conversation, state, ct);
        await PublishQueueChangedAsync(conversation, ct);
        await RouteWaitingAsync(ct);
        return state;
    }

    /// <summary>Puts a conversation in the queue for a human (from the assistant's handoff or straight away) and tries to route it.</summary>
    private async Task QueueAsync(ChatConversation conversation, AssistantHandoff? handoff, CancellationToken ct)
    {
        var ticket = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == conversation.TicketId, ct);
        var queue = handoff?.Group ?? conversation.Queue;
        var priority = ticket.Priority;
        if (handoff is not null)
        {
            var raise = TicketPriorities.Rank(handoff.Priority) > TicketPriorities.Rank(ticket.Priority) ? handoff.Priority : null;
            var category = handoff.Category is { } c && c != ticket.Category && await db.TicketCategories.AnyAsync(x => x.Key == c && x.IsActive, ct) ? c : null;
            await tickets.UpdateAsync(conversation.TicketId, new TicketChanges(Priority: raise, Group: queue, Category: category), TicketActor.System, ct);
            priority = raise ?? priority;
        }

        var now = time.GetUtcNow();
        await db.ChatConversations.Where(c => c.TicketId == conversation.TicketId && (c.Status == ChatStatuses.Bot || c.Status == ChatStatuses.Queued))
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, ChatStatuses.Queued)
                .SetProperty(c => c.Queue, queue)
                .SetProperty(c => c.PriorityRank, TicketPriorities.Rank(priority))
                .SetProperty(c => c.HandoffReason, handoff == null ? null : handoff.Reason)
                .SetProperty(c => c.QueuedAt, now)
                .SetProperty(c => c.UpdatedAt, now), ct);
        if (await RouteAsync(conversation.TicketId, ct))
        {
            return;
        }

        if (!await OfflineIfNobodyAsync(conversation.TicketId, ct))
        {
            var queued = await db.ChatConversations.AsNoTracking().SingleAsync(c => c.TicketId == conversation.TicketId, ct);
            await PublishStateAsync(conversation.TicketId, ct);
            await PublishQueueChangedAsync(queued, ct);
        }
    }

    /// <summary>When nobody at all is online for the queue, the chat becomes an offline ticket and the customer is told when to expect an answer.</summary>
    private async Task<bool> OfflineIfNobodyAsync(long conversationId, CancellationToken ct)
    {
        var conversation = await db.ChatConversations.AsNoTracking().SingleAsync(c => c.TicketId == conversationId, ct);
        if (conversation.Status != ChatStatuses.Queued || (await CandidatesAsync(conversation.Queue, ct)).Count > 0)
        {
            return false;
        }

        var changed = await db.ChatConversations.Where(c => c.TicketId == conversationId && c.Status == ChatStatuses.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ChatStatuses.Offline).SetProperty(c => c.UpdatedAt, time.GetUtcNow()), ct);
        if (changed == 0)
        {
            return false;
        }

        await tickets.AddAgentMessageAsync(conversationId, "No agent was online for this chat; it continues as a ticket.", isInternal: true, clientMessageId: null, TicketActor.System, ct: ct);
        await PublishStateAsync(conversationId, ct);
        await PublishQueueChangedAsync(conversation, ct, ChatStatuses.Offline);
        return true;
    }

    private async Task RefreshQueuePositionsAsync(string queue, CancellationToken ct)
    {
        var waiting = await db.ChatConversations.AsNoTracking().Where(c => c.Status == ChatStatuses.Queued && c.Queue == queue)
            .OrderByDescending(c => c.PriorityRank).ThenBy(c => c.QueuedAt).ThenBy(c => c.TicketId).Take(200).ToListAsync(ct);
        foreach (var conversation in waiting)
        {
            await PublishAsync(ChatEvents.State, ChatAudiences.Customer, conversation, await StateAsync(conversation, ct), ct);
        }
    }

    private Task PublishQueueChangedAsync(ChatConversation conversation, CancellationToken ct, string? status = null, string? queue = null) =>
        PublishAsync(ChatEvents.Queue, ChatAudiences.Agents, conversation, new QueueChanged(conversation.TicketId, status ?? conversation.Status, queue ?? conversation.Queue), ct);

    private sealed record Candidate(ChatAgent Agent, int Active);

    private async Task<List<Candidate>> CandidatesAsync(string queue, CancellationToken ct)
    {
        var pattern = " " + queue + " ";
        var agents = await (
            from a in db.ChatAgents.AsNoTracking()
            join u in db.StaffUsers.AsNoTracking() on a.StaffId equals u.Id
            where a.Status == AgentAvailability.Online && !u.IsDisabled && a.Groups.Contains(pattern)
            select a).ToListAsync(ct);
        if (agents.Count == 0)
        {
            return [];
        }

        var ids = agents.Select(a => a.StaffId).ToList();
        var counts = await db.ChatConversations.AsNoTracking()
            .Where(c => c.Status == ChatStatuses.Active && c.AgentId != null && ids.Contains(c.AgentId.Value))
            .GroupBy(c => c.AgentId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return agents.Select(a => new Candidate(a, counts.GetValueOrDefault(a.StaffId))).ToList();
    }

    private async Task<(int? Position, int? Wait)> EstimateWaitAsync(ChatConversation conversation, CancellationToken ct)
    {
        var queuedAt = conversation.QueuedAt ?? conversation.StartedAt;
        var ahead = await db.ChatConversations.CountAsync(c => c.Status == ChatStatuses.Queued && c.Queue == conversation.Queue && c.TicketId != conversation.TicketId
            && (c.PriorityRank > conversation.PriorityRank
                || (c.PriorityRank == conversation.PriorityRank && (c.QueuedAt < queuedAt || (c.QueuedAt == queuedAt && c.TicketId < conversation.TicketId)))), ct);
        var position = ahead + 1;
        var candidates = await CandidatesAsync(conversation.Queue, ct);
        return (position, candidates.Count == 0 ? null : await WaitSecondsAsync(position, candidates, ct));
    }

    /// <summary>
    /// Expected wait from live data: the places ahead that free capacity cannot absorb at once, times the average
    /// handling time of the last day's chats, spread over the online agents' total capacity.
    /// </summary>
    private async Task<int> WaitSecondsAsync(int position, List<Candidate> candidates, CancellationToken ct)
    {
        var free = candidates.Sum(c => Math.Max(0, c.Agent.Capacity - c.Active));
        if (position <= free)
        {
            return 0;
        }

        var capacity = Math.Max(1, candidates.Sum(c => c.Agent.Capacity));
        var since = time.GetUtcNow().AddDays(-1);
        var recent = await db.ChatConversations.AsNoTracking()
            .Where(c => c.ClosedAt != null && c.AcceptedAt != null && c.ClosedAt > since)
            .OrderByDescending(c => c.ClosedAt).Take(200)
            .Select(c => new { c.AcceptedAt, c.ClosedAt }).ToListAsync(ct);
        var handle = recent.Count >= 5
            ? recent.Average(r => (r.ClosedAt!.Value - r.AcceptedAt!.Value).TotalSeconds)
            : Options.DefaultHandleSeconds;
        return (int)Math.Ceiling((position - free) * handle / capacity);
    }

    private async Task<ChatAgent> ProfileAsync(ChatCaller caller, CancellationToken ct)
    {
        var agent = await db.ChatAgents.SingleOrDefaultAsync(a => a.StaffId == caller.Id, ct);
        if (agent is not null)
        {
            return agent;
        }

        var staff = await db.StaffUsers.AsNoTracking().SingleAsync(u => u.Id == caller.Id, ct);
        agent = new ChatAgent
        {
            StaffId = caller.Id,
            DisplayName = staff.DisplayName,
            Status = AgentAvailability.Offline,
            Capacity = Options.DefaultCapacity,
            UpdatedAt = time.GetUtcNow(),
        };
        db.ChatAgents.Add(agent);
        try
        {
            await db.SaveChangesAsync(ct);
            return agent;
        }
        catch (DbUpdateException)
        {
            db.Entry(agent).State = EntityState.Detached;
            return await db.ChatAgents.SingleAsync(a => a.StaffId == caller.Id, ct);
        }
    }

    private async Task<AgentState> AgentStateAsync(ChatAgent agent, CancellationToken ct)
    {
        var active = await db.ChatConversations.CountAsync(c => c.AgentId == agent.StaffId && c.Status == ChatStatuses.Active, ct);
        return new AgentState(agent.StaffId, agent.DisplayName, agent.Status, agent.Capacity, active,
            agent.Groups.Split(' ', StringSplitOptions.RemoveEmptyEntries), agent.Languages.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
