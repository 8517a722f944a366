using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Email;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Chat;

public sealed record TranscriptRequested(long ConversationId, string SentTo, long EmailId);

// The transcript by email: public messages only, already redacted at intake, to the customer's own address.
public sealed partial class ChatService
{
    public async Task<TranscriptRequested> RequestTranscriptAsync(ChatCaller caller, long conversationId, string? email, CancellationToken ct)
    {
        RequireCustomer(caller);
        var conversation = await FindForAsync(caller, conversationId, write: true, ct);
        var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == conversation.CustomerId, ct);

        // A signed-in wallet customer gets it at the address the wallet holds; a visitor at the one they left (or give now).
        var to = conversation.IsVisitor ? email?.Trim() ?? conversation.ContactEmail : customer.Email;
        if (string.IsNullOrEmpty(to) || !System.Net.Mail.MailAddress.TryCreate(to, out var parsed) || parsed.Address != to
            || intake.Field(to, 256, contact: true) != to)
        {
            throw new ChatException("email", conversation.IsVisitor
                ? "Enter the email address to send the transcript to."
                : "Your wallet account has no email address; add one in the app first.");
        }

        if (conversation.IsVisitor && to != conversation.ContactEmail)
        {
            await db.ChatConversations.Where(c => c.TicketId == conversationId).ExecuteUpdateAsync(s => s.SetProperty(c => c.ContactEmail, to), ct);
        }

        var messages = await db.TicketMessages.AsNoTracking()
            .Where(m => m.TicketId == conversationId && m.Visibility == TicketService.Public).OrderBy(m => m.Seq).ToListAsync(ct);
        var zh = conversation.Language == "zh";
        var text = new StringBuilder();
        text.AppendLine(zh ? $"您与 WalletDesk 客服的对话记录（编号 #{conversationId}）" : $"Your conversation with WalletDesk support (reference #{conversationId})");
        text.AppendLine();
        foreach (var m in messages)
        {
            var who = m.AuthorType switch
            {
                TicketActors.Customer => zh ? "您" : "You",
                _ => m.AuthorName ?? (zh ? "客服" : "Support"),
            };
            text.Append(CultureInfo.InvariantCulture, $"[{m.CreatedAt:yyyy-MM-dd HH:mm} UTC] {who}: ");
            text.AppendLine(intake.Outbound(m.Body).Text);
        }

        text.AppendLine();
        text.AppendLine(zh ? "我们绝不会向您索要密码、完整卡号或验证码。" : "We will never ask you for your password, full card number or a one-time code.");
        var subject = zh ? $"您的在线客服对话记录 #{conversationId}" : $"Your chat transcript #{conversationId}";
        var id = await outbox.EnqueueAsync(new OutgoingEmail(to, subject, text.ToString(), "chat_transcript", conversationId.ToString(CultureInfo.InvariantCulture)), ct);
        await tickets.AddAgentMessageAsync(conversationId, $"Transcript emailed to the customer at {to}.", isInternal: true, clientMessageId: null, TicketActor.System, ct: ct);
        return new TranscriptRequested(conversationId, to, id);
    }
}
