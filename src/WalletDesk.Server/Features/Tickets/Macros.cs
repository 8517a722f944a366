using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Wallet;

namespace WalletDesk.Server.Features.Tickets;

/// <summary>A canned reply in English and Chinese with allowlisted placeholders, optionally setting a status and tags.</summary>
public sealed class Macro
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string BodyEn { get; set; }
    public required string BodyZh { get; set; }
    public string? SetStatus { get; set; }
    public string? AddTags { get; set; }
    public bool IsActive { get; set; } = true;
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class MacroConfiguration : IEntityTypeConfiguration<Macro>
{
    public void Configure(EntityTypeBuilder<Macro> builder)
    {
        builder.ToTable("macros");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Name).HasMaxLength(120);
        builder.Property(m => m.BodyEn).HasMaxLength(5000);
        builder.Property(m => m.BodyZh).HasMaxLength(5000);
        builder.Property(m => m.SetStatus).HasMaxLength(24);
        builder.Property(m => m.AddTags).HasMaxLength(200);
    }
}

/// <summary>
/// Renders macros. Placeholders come from a fixed list and are plain substitutions — no expressions, no template
/// engine — so a macro can never run code or reach data beyond what the list names (SECURITY-CHECKLIST G3).
/// </summary>
public sealed partial class MacroRenderer(AppDbContext db, IWalletGateway wallet, TransactionExplainer explainer)
{
    public static readonly IReadOnlyList<string> Placeholders =
    [
        "customer.name", "ticket.id", "ticket.subject", "agent.name", "response_time",
        "transaction.reference", "transaction.status", "transaction.explanation", "transaction.next_step",
    ];

    [GeneratedRegex(@"\{\{\s*([a-z_.]+)\s*\}\}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"\{\{|\}\}|\{%|@\(|\$\{", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex TemplateSyntax();

    /// <summary>Checks a macro body: every placeholder must be on the list and nothing else may look like template code.</summary>
    public static string? Validate(string body)
    {
        foreach (Match match in PlaceholderPattern().Matches(body))
        {
            if (!Placeholders.Contains(match.Groups[1].Value))
            {
                return $"Unknown placeholder {{{{{match.Groups[1].Value}}}}}. Allowed: {string.Join(", ", Placeholders.Select(p => "{{" + p + "}}"))}.";
            }
        }

        var stripped = PlaceholderPattern().Replace(body, "");
        return TemplateSyntax().IsMatch(stripped) ? "Only the listed {{placeholders}} may use braces; other template syntax is not allowed." : null;
    }

    /// <summary>
    /// Fills the macro in for one ticket. A placeholder with no value (no linked transaction, no name on file) is left
    /// in the text as written and listed in <see cref="RenderedMacro.Missing"/>: an empty substitution would read
    /// "I looked up : " to the customer, and a reply that still holds a placeholder cannot be sent (<see cref="Unfilled"/>).
    /// </summary>
    public async Task<RenderedMacro> RenderAsync(Macro macro, Ticket ticket, Guid? agentId, CancellationToken ct)
    {
        var agentName = await db.StaffUsers.AsNoTracking().Where(u => u.Id == agentId).Select(u => u.DisplayName).SingleOrDefaultAsync(ct);
        var body = ticket.Language == "zh" ? macro.BodyZh : macro.BodyEn;
        var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == ticket.CustomerId, ct);
        WalletTransaction? tx = null;
        var reference = await db.TicketTransactionLinks.AsNoTracking().Where(l => l.TicketId == ticket.Id).OrderBy(l => l.LinkedAt).Select(l => l.TransactionReference).FirstOrDefaultAsync(ct);
        WalletAccount? account = null;
        if (reference is not null && PlaceholderPattern().Matches(body).Any(m => m.Groups[1].Value.StartsWith("transaction.", StringComparison.Ordinal)))
        {
            account = await wallet.FindAccountAsync(customer.ExternalId, ct);
            tx = account is null ? null : await wallet.GetTransactionAsync(account.AccountId, reference, ct);
        }

        var explanation = tx is null ? null : explainer.Explain(tx, ticket.Language, account?.TimeZone);
        var missing = new List<string>();
        var rendered = PlaceholderPattern().Replace(body, match =>
        {
            var value = match.Groups[1].Value switch
            {
                "customer.name" => customer.DisplayName,
                "ticket.id" => ticket.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "ticket.subject" => ticket.Subject,
                "agent.name" => agentName,
                "response_time" => PublishedResponseTimes.For(ticket.Channel, ticket.Priority, ticket.Language),
                "transaction.reference" => tx?.Reference ?? reference,
                "transaction.status" => tx?.Status,
                "transaction.explanation" => explanation is null ? null : explanation.Summary + (explanation.Timing is null ? "" : " " + explanation.Timing),
                "transaction.next_step" => explanation?.NextStep,
                _ => null,
            };
            if (string.IsNullOrWhiteSpace(value))
            {
                if (!missing.Contains(match.Groups[1].Value))
                {
                    missing.Add(match.Groups[1].Value);
                }

                return "{{" + match.Groups[1].Value + "}}";
            }

            return value;
        });
        return new RenderedMacro(rendered, missing);
    }

    /// <summary>The listed placeholders still in a reply: left by a macro that had no value for them.</summary>
    public static IReadOnlyList<string> Unfilled(string text) =>
        [.. PlaceholderPattern().Matches(text).Select(m => m.Groups[1].Value).Where(Placeholders.Contains).Distinct()];

    /// <summary>What the agent must still fill in, and why each has no value, in English or Chinese.</summary>
    public static string MissingMessage(IReadOnlyList<string> missing, bool zh)
    {
        var reasons = missing.Select(name => (name, why: name switch
        {
            _ when name.StartsWith("transaction.", StringComparison.Ordinal) => zh ? "此工单没有关联交易，或钱包中找不到该交易" : "no transaction is linked to this ticket, or the wallet does not know it",
            "customer.name" => zh ? "客户资料中没有姓名" : "the customer has no name on file",
            "agent.name" => zh ? "您的账号没有显示名称" : "your account has no display name",
            _ => zh ? "没有值" : "it has no value",
        }))
            .GroupBy(r => r.why)
            .Select(g => $"{string.Join(", ", g.Select(r => "{{" + r.name + "}}"))} ({g.Key})");
        return zh
            ? $"回复中仍有未填写的占位符：{string.Join("；", reasons)}。请先填写或删除后再发送。"
            : $"The reply still has placeholders with no value: {string.Join("; ", reasons)}. Fill them in or remove them before sending.";
    }
}

/// <summary>A macro filled in for a ticket; <see cref="Missing"/> names the placeholders that had no value and remain in <see cref="Body"/>.</summary>
public sealed record RenderedMacro(string Body, IReadOnlyList<string> Missing);

/// <summary>The macros the product ships with.</summary>
public static class DefaultMacros
{
    public static readonly IReadOnlyList<Macro> All =
    [
        new()
        {
            Id = 1,
            Name = "Transaction status",
            BodyEn = "Hi {{customer.name}},\n\nI looked up {{transaction.reference}}: {{transaction.explanation}}\n\n{{transaction.next_step}}\n\n{{agent.name}}",
            BodyZh = "{{customer.name}}您好，\n\n我查询了交易 {{transaction.reference}}：{{transaction.explanation}}\n\n{{transaction.next_step}}\n\n{{agent.name}}",
        },
        new()
        {
            Id = 2,
            Name = "Ask for the transaction reference",
            BodyEn = "Hi {{customer.name}},\n\nCould you send me the reference of the transaction (it starts with TX and is shown on the transaction's details page in the Wallet app)? Please don't send card numbers or codes.\n\n{{agent.name}}",
            BodyZh = "{{customer.name}}您好，\n\n请把这笔交易的编号发给我（以 TX 开头，可在钱包App的交易详情页看到）。请不要发送卡号或验证码。\n\n{{agent.name}}",
            SetStatus = TicketStatuses.PendingCustomer,
        },
        new()
        {
            Id = 3,
            Name = "Waiting for the bank",
            BodyEn = "Hi {{customer.name}},\n\nWe have asked your bank about this and will update you as soon as they answer; banks usually reply within 2 business days.\n\n{{agent.name}}",
            BodyZh = "{{customer.name}}您好，\n\n我们已向您的银行核实此事，收到答复后会第一时间通知您；银行通常在 2 个工作日内回复。\n\n{{agent.name}}",
            SetStatus = TicketStatuses.OnHold,
            AddTags = "bank",
        },
        new()
        {
            Id = 4,
            Name = "Unlock through the app (never by chat)",
            BodyEn = "Hi {{customer.name}},\n\nFor your security, accounts are unlocked only after you verify yourself in the Wallet app: open the app and follow \"Verify it's you\". We will never ask for your password or one-time codes.\n\n{{agent.name}}",
            BodyZh = "{{customer.name}}您好，\n\n为了您的账户安全，账户只能在您于钱包App内完成身份验证后解锁：请打开App，按“验证身份”提示操作。我们绝不会索要您的密码或验证码。\n\n{{agent.name}}",
        },
        new()
        {
            Id = 5,
            Name = "Solved",
            BodyEn = "Hi {{customer.name}},\n\nGlad this is sorted. If anything else comes up, just reply here.\n\n{{agent.name}}",
            BodyZh = "{{customer.name}}您好，\n\n很高兴问题已经解决。如有其他问题，直接回复即可。\n\n{{agent.name}}",
            SetStatus = TicketStatuses.Solved,
        },
    ];
}
