namespace WalletDesk.Server.Features.Tickets.Sla;

/// <summary>Maps the ticket module's stored strings (<see cref="TicketPriorities"/>, <see cref="TicketChannels"/>, <see cref="TicketStatuses"/>) onto the SLA engine's enums.</summary>
public static class SlaVocabulary
{
    public static SlaPriority Priority(string priority) => priority switch
    {
        TicketPriorities.Low => SlaPriority.Low,
        TicketPriorities.Normal => SlaPriority.Normal,
        TicketPriorities.High => SlaPriority.High,
        TicketPriorities.Urgent => SlaPriority.Urgent,
        _ => throw new ArgumentOutOfRangeException(nameof(priority), priority, "Unknown ticket priority."),
    };

    public static SlaChannel Channel(string channel) => channel switch
    {
        TicketChannels.Web => SlaChannel.Web,
        TicketChannels.Email => SlaChannel.Email,
        TicketChannels.Chat => SlaChannel.Chat,
        TicketChannels.Phone => SlaChannel.Phone,
        TicketChannels.InApp => SlaChannel.InApp,
        TicketChannels.Social => SlaChannel.Social,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown ticket channel."),
    };

    public static SlaTicketStatus Status(string status) => status switch
    {
        TicketStatuses.New => SlaTicketStatus.New,
        TicketStatuses.Open => SlaTicketStatus.Open,
        TicketStatuses.PendingCustomer => SlaTicketStatus.PendingCustomer,
        TicketStatuses.OnHold => SlaTicketStatus.OnHoldThirdParty,
        TicketStatuses.Solved => SlaTicketStatus.Solved,
        TicketStatuses.Closed => SlaTicketStatus.Closed,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown ticket status."),
    };

    /// <summary>The ticket module's string for a priority, e.g. to apply a raise-priority escalation.</summary>
    public static string ToTicketPriority(SlaPriority priority) => priority switch
    {
        SlaPriority.Low => TicketPriorities.Low,
        SlaPriority.Normal => TicketPriorities.Normal,
        SlaPriority.High => TicketPriorities.High,
        SlaPriority.Urgent => TicketPriorities.Urgent,
        _ => throw new ArgumentOutOfRangeException(nameof(priority), priority, "Unknown SLA priority."),
    };

    /// <summary>The ticket module's string for a channel.</summary>
    public static string ToTicketChannel(SlaChannel channel) => channel switch
    {
        SlaChannel.Web => TicketChannels.Web,
        SlaChannel.Email => TicketChannels.Email,
        SlaChannel.Chat => TicketChannels.Chat,
        SlaChannel.Phone => TicketChannels.Phone,
        SlaChannel.InApp => TicketChannels.InApp,
        SlaChannel.Social => TicketChannels.Social,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown SLA channel."),
    };
}
