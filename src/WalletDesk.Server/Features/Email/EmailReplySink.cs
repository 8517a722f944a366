using System.Globalization;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Email;

/// <summary>
/// The email channel out: an agent's (or bot's) public reply on an email ticket goes to the customer through the durable
/// outbox, with the ticket's signed reply address as Reply-To and In-Reply-To/References naming the customer's mail, so
/// their answer threads back onto the ticket. Internal notes and the customer's own messages never leave.
/// </summary>
internal sealed partial class EmailReplySink(AppDbContext db, IEmailOutbox outbox, ReplyAddress replyAddress, ILogger<EmailReplySink> logger) : ITicketMessageSink
{
    public async Task OnMessageAddedAsync(Ticket ticket, TicketMessage message, CancellationToken cancellationToken)
    {
        if (ticket.Channel != TicketChannels.Email || message.Visibility != TicketService.Public
            || message.AuthorType is not (TicketActors.Agent or TicketActors.Bot))
        {
            return;
        }

        // The address the customer wrote from (the customer record's address is the wallet's business, not ours).
        var inbound = await db.InboundEmails.AsNoTracking()
            .Where(m => m.TicketId == ticket.Id && m.FromAddress != null)
            .OrderBy(m => m.Id).Select(m => new { m.FromAddress, m.MessageIdHeader }).ToListAsync(cancellationToken);
        if (inbound.Count == 0)
        {
            LogNoAddress(logger, ticket.Id);
            return;
        }

        var ids = inbound.Where(m => m.MessageIdHeader != null).Select(m => "<" + m.MessageIdHeader + ">").Distinct().ToList();
        var rendered = EmailTemplates.Reply(ticket.Id, ticket.Subject, message.Body, ticket.Language);
        try
        {
            await outbox.EnqueueAsync(new OutgoingEmail(inbound[^1].FromAddress!, rendered.Subject, rendered.Text, EmailKinds.Reply,
                "ticket:" + ticket.Id.ToString(CultureInfo.InvariantCulture), rendered.Html)
            {
                ReplyTo = replyAddress.For(ticket.Id),
                InReplyTo = ids.Count > 0 ? ids[^1] : null,
                References = ids.Count > 0 ? string.Join(' ', ids.TakeLast(10)) : null,
            }, cancellationToken);
        }
        catch (ArgumentException ex)
        {
            LogCannotSend(logger, ticket.Id, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reply on email ticket {TicketId} not mailed: no inbound address on record")]
    private static partial void LogNoAddress(ILogger logger, long ticketId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reply on email ticket {TicketId} not mailed: {Problem}")]
    private static partial void LogCannotSend(ILogger logger, long ticketId, string problem);
}
