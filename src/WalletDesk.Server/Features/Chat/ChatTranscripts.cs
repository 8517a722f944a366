using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WalletDesk.Server.Features.Email;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Chat;

public sealed record TranscriptRequested(long ConversationId, string SentTo, long EmailId);

/// <summary>A code or a transcript mailed from a chat: the proof of a visitor's address and the count the rate limits read.</summary>
public sealed class ChatTranscriptMail
{
    public const string Code = "code";
    public const string Transcript = "transcript";

    public long Id { get; set; }
    public long ConversationId { get; set; }
    public required string Address { get; set; }
    public required string Kind { get; set; }
    public string? CodeHash { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? ConfirmedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class ChatTranscriptMailConfiguration : IEntityTypeConfiguration<ChatTranscriptMail>
{
    public void Configure(EntityTypeBuilder<ChatTranscriptMail> builder)
    {
        builder.ToTable("chat_transcript_mail");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Address).HasMaxLength(254);
        builder.Property(m => m.Kind).HasMaxLength(16);
        builder.Property(m => m.CodeHash).HasMaxLength(64);
        builder.HasIndex(m => new { m.ConversationId, m.CreatedAt });
        builder.HasIndex(m => new { m.Address, m.CreatedAt });
    }
}

// The transcript by email: public messages only, already redacted at intake, and only to an address the customer has
// proven: the one their wallet holds, or, for a visitor, one that answered a code first. Without that, anyone could
// have the server mail text they typed to any address (an open relay). Mail is rate-limited per conversation and address.
public sealed partial class ChatService
{
    /// <summary>Mails (codes and transcripts together) one conversation may cause in a day.</summary>
    public const int TranscriptMailsPerConversationPerDay = 4;

    /// <summary>Mails (codes and transcripts together) one address may receive from chats in a day.</summary>
    public const int TranscriptMailsPerAddressPerDay = 4;

    private const int CodeMinutes = 15;
    private const int CodeAttempts = 5;

    public async Task<TranscriptRequested> RequestTranscriptAsync(ChatCaller caller, long conversationId, string? email, CancellationToken ct)
    {
        RequireCustomer(caller);
        var conversation = await FindForAsync(caller, conversationId, write: true, ct);
        var now = time.GetUtcNow();
        string to;
        if (conversation.IsVisitor)
        {
            to = await ProvenVisitorAddressAsync(conversation, email?.Trim(), now, ct);
        }
        else
        {
            // A signed-in wallet customer gets it only at the address the wallet holds, whatever they type.
            var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == conversation.CustomerId, ct);
            to = customer.Email ?? "";
            if (!IsAddress(to))
            {
                throw new ChatException("email", "Your wallet account has no email address; add one in the app first.");
            }
        }

        await CheckMailAllowanceAsync(conversationId, to, now, ct);
        db.ChatTranscriptMail.Add(new ChatTranscriptMail { ConversationId = conversationId, Address = to, Kind = ChatTranscriptMail.Transcript, CreatedAt = now });
        await db.SaveChangesAsync(ct);

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

    /// <summary>
    /// The visitor's proven address. A new address gets a code (and nothing else); the visitor sends the code in the same
    /// field, which proves the address for this conversation. A proven address is used when none (or it) is given again.
    /// </summary>
    private async Task<string> ProvenVisitorAddressAsync(ChatConversation conversation, string? given, DateTimeOffset now, CancellationToken ct)
    {
        var proven = await db.ChatTranscriptMail.AsNoTracking()
            .Where(m => m.ConversationId == conversation.TicketId && m.Kind == ChatTranscriptMail.Code && m.ConfirmedAt != null)
            .OrderByDescending(m => m.Id).Select(m => m.Address).FirstOrDefaultAsync(ct);
        if (string.IsNullOrEmpty(given) || string.Equals(given, proven, StringComparison.OrdinalIgnoreCase))
        {
            return proven ?? throw new ChatException("email", "Enter the email address to send the transcript to.");
        }

        if (NormalizeCode(given) is { } entered)
        {
            var pending = await db.ChatTranscriptMail
                .Where(m => m.ConversationId == conversation.TicketId && m.Kind == ChatTranscriptMail.Code && m.ConfirmedAt == null)
                .OrderByDescending(m => m.Id).FirstOrDefaultAsync(ct);
            if (pending is null || pending.ExpiresAt <= now || pending.Attempts >= CodeAttempts)
            {
                throw new ChatException("code", "That code has expired. Enter your email address again to get a new one.");
            }

            pending.Attempts++;
            if (!CryptographicOperations.FixedTimeEquals(Convert.FromHexString(pending.CodeHash!), SHA256.HashData(Encoding.UTF8.GetBytes($"{conversation.TicketId}:{entered}"))))
            {
                await db.SaveChangesAsync(ct);
                throw new ChatException("code", "That code is not right. Check the email we sent and try again.");
            }

            pending.ConfirmedAt = now;
            await db.SaveChangesAsync(ct);
            return pending.Address;
        }

        if (!IsAddress(given))
        {
            throw new ChatException("email", "Enter the email address to send the transcript to.");
        }

        await CheckMailAllowanceAsync(conversation.TicketId, given, now, ct);
        // Letters, not digits: outbound redaction removes anything that looks like a numeric one-time code from mail.
        var code = string.Create(9, 0, (chars, _) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = i == 4 ? '-' : CodeAlphabet[RandomNumberGenerator.GetInt32(CodeAlphabet.Length)];
            }
        });
        db.ChatTranscriptMail.Add(new ChatTranscriptMail
        {
            ConversationId = conversation.TicketId,
            Address = given,
            Kind = ChatTranscriptMail.Code,
            CodeHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{conversation.TicketId}:{code}"))),
            ExpiresAt = now.AddMinutes(CodeMinutes),
            CreatedAt = now,
        });
        await db.SaveChangesAsync(ct);

        // Only our words and the code: nothing the visitor typed goes to an address before it is proven.
        var zh = conversation.Language == "zh";
        await outbox.EnqueueAsync(new OutgoingEmail(
            given,
            zh ? "您的 WalletDesk 验证码" : "Your WalletDesk confirmation code",
            zh
                ? $"您的验证码是 {code}，{CodeMinutes} 分钟内有效。请在客服聊天窗口中输入它以接收对话记录。如果不是您本人请求，请忽略此邮件。"
                : $"Your code is {code}. It works for {CodeMinutes} minutes: enter it in the support chat to receive your transcript. If you did not ask for it, ignore this email.",
            "chat_transcript_code",
            conversation.TicketId.ToString(CultureInfo.InvariantCulture)), ct);
        throw new ChatException("confirm", zh
            ? "我们已向该邮箱发送验证码。请在此处输入验证码以接收对话记录。"
            : "We sent a code to that address. Enter the code here to receive the transcript.");
    }

    private async Task CheckMailAllowanceAsync(long conversationId, string address, DateTimeOffset now, CancellationToken ct)
    {
        var since = now.AddDays(-1);
        var forConversation = await db.ChatTranscriptMail.CountAsync(m => m.ConversationId == conversationId && m.CreatedAt >= since, ct);
        var forAddress = await db.ChatTranscriptMail.CountAsync(m => m.Address == address && m.CreatedAt >= since, ct);
        if (forConversation >= TranscriptMailsPerConversationPerDay || forAddress >= TranscriptMailsPerAddressPerDay)
        {
            throw new ChatException("rate_limited", "Too many emails for this conversation or address today. Try again tomorrow.");
        }
    }

    private const string CodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ";

    /// <summary>A confirmation code as typed (<c>kmrt-wxhp</c>, <c>KMRTWXHP</c>) in its one written form, or null when it is not one.</summary>
    private static string? NormalizeCode(string value)
    {
        var letters = value.Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        return letters.Length == 8 && letters.All(c => CodeAlphabet.Contains(c, StringComparison.Ordinal)) ? $"{letters[..4]}-{letters[4..]}" : null;
    }

    // An address intake would alter (a card number typed into it) is not an address we mail.
    private bool IsAddress(string value) =>
        value.Length is > 0 and <= 254 && System.Net.Mail.MailAddress.TryCreate(value, out var parsed) && parsed.Address == value
        && intake.Field(value, 256, contact: true) == value;
}
