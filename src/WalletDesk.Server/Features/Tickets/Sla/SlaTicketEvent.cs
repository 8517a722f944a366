namespace WalletDesk.Server.Features.Tickets.Sla;

/// <summary>
/// What the SLA engine needs from a ticket's history. The ticket module maps its own events onto these;
/// internal notes, assignments and tags do not affect SLA clocks and are not represented.
/// </summary>
/// <remarks>
/// Events at the same instant are applied in the order given. A reopen is a status change from solved or
/// closed to any other status.
/// </remarks>
public abstract record SlaTicketEvent(DateTimeOffset At)
{
    /// <summary>The ticket was created; starts first-response and resolution clocks. Must come first.</summary>
    public sealed record Created(DateTimeOffset At, SlaPriority Priority, SlaChannel Channel) : SlaTicketEvent(At);

    /// <summary>An agent sent a public reply (internal notes are not events); meets first and next response.</summary>
    public sealed record AgentReplied(DateTimeOffset At) : SlaTicketEvent(At);

    /// <summary>The customer wrote; starts a next-response clock once the first response has been given.</summary>
    public sealed record CustomerReplied(DateTimeOffset At) : SlaTicketEvent(At);

    /// <summary>The status changed: pausing statuses pause clocks, solved/closed meets them, leaving solved/closed reopens.</summary>
    public sealed record StatusChanged(DateTimeOffset At, SlaTicketStatus Status) : SlaTicketEvent(At);

    /// <summary>The priority changed; open clocks keep their start and take the new priority's target.</summary>
    public sealed record PriorityChanged(DateTimeOffset At, SlaPriority Priority) : SlaTicketEvent(At);
}
