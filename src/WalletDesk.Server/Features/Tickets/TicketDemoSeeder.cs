using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Wallet;

namespace WalletDesk.Server.Features.Tickets;

/// <summary>Demo tickets in both languages over the demo customers' real wallet histories, through the same intake as production.</summary>
public sealed class TicketDemoSeeder(AppDbContext db, TicketService tickets, IWalletGateway wallet)
{
    private sealed record Script(string Category, string TxStatus, string SubjectEn, string BodyEn, string SubjectZh, string BodyZh);

    private static readonly Script[] Scripts =
    [
        new("topup_failed", TransactionStatuses.Failed, "My top up failed twice", "I tried to top up from my card twice this morning and both failed. Was I charged?", "充值失败了两次", "今天早上用银行卡充值两次都失败了，钱扣了吗？"),
        new("transfer_delayed", TransactionStatuses.Pending, "Transfer hasn't arrived", "I sent money to my brother yesterday and he still hasn't received it.", "我的转账还没到", "昨天给我哥转的钱到现在还没到账，怎么回事？"),
        new("refund", TransactionStatuses.Completed, "Where is my refund?", "The shop says they refunded me last week but I don't see it.", "退款还没收到", "商家说上周已经退款了，但我还没看到钱。"),
        new("incorrect_amount", TransactionStatuses.Completed, "Charged twice for one coffee", "I see two payments for the same coffee shop, I only paid once.", "同一笔消费被扣了两次", "同一家咖啡店扣了我两次钱，我只付了一次。"),
        new("account_locked", "", "My account is locked", "The app says my account is locked after I entered the wrong password.", "账户被锁了", "输错密码后App提示账户被锁定了。"),
        new("security", "", "Someone logged in from a new phone", "I got an alert that someone signed in from a phone I don't own. Please help.", "有陌生设备登录我的账户", "收到提醒说有一台不是我的手机登录了我的账户，请帮忙处理。"),
        new("account_setup", "", "Verification code never arrives", "I never receive the SMS code when I try to sign in.", "收不到验证码", "登录时一直收不到短信验证码。"),
        new("fees_limits", "", "What is the FX fee?", "How much do you charge to convert USD to CNY?", "换汇手续费是多少？", "美元换人民币收多少手续费？"),
    ];

    public async Task<int> SeedAsync(int count = 80, CancellationToken ct = default)
    {
        if (await db.Tickets.AnyAsync(ct))
        {
            return 0;
        }

        var random = new Random(20261123);
        var customers = await db.Customers.AsNoTracking().OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Take(count).ToListAsync(ct);
        var agents = await db.StaffUsers.AsNoTracking().Where(u => u.Role == "agent").OrderBy(u => u.UserName).ToListAsync(ct);
        var categories = await db.TicketCategories.AsNoTracking().Select(c => c.Key).ToListAsync(ct);
        var created = 0;
        foreach (var customer in customers)
        {
            var script = Scripts[random.Next(Scripts.Length)];
            var category = categories.Contains(script.Category) ? script.Category : "other";
            var zh = customer.Locale == "zh";
            var references = new List<string>();
            if (script.TxStatus.Length > 0 && await wallet.FindAccountAsync(customer.ExternalId, ct) is { } account)
            {
                var page = await wallet.ListTransactionsAsync(account.AccountId, new WalletTransactionQuery(Status: script.TxStatus, Limit: 1), ct);
                references.AddRange(page.Items.Select(t => t.Reference));
            }

            var channel = new[] { TicketChannels.InApp, TicketChannels.Web, TicketChannels.Email, TicketChannels.Chat, TicketChannels.Phone }[random.Next(5)];
            var result = await tickets.CreateAsync(
                customer.Id,
                new NewTicket(zh ? script.SubjectZh : script.SubjectEn, zh ? script.BodyZh : script.BodyEn, category, channel, customer.Locale, $"demo-{customer.Id:N}", references),
                new TicketActor(TicketActors.Customer, customer.Id.ToString(), customer.DisplayName),
                ct);
            created++;

            // Move some tickets along so every inbox view has something to show.
            var agent = agents.Count == 0 ? null : agents[random.Next(agents.Count)];
            var roll = random.Next(10);
            if (agent is not null && roll >= 4)
            {
                var actor = new TicketActor(TicketActors.Agent, agent.Id.ToString(), agent.DisplayName);
                await tickets.UpdateAsync(result.Ticket.Id, new TicketChanges(AssigneeId: agent.Id), actor, ct);
                var status = roll switch { 4 or 5 => TicketStatuses.PendingCustomer, 6 => TicketStatuses.OnHold, 7 or 8 => TicketStatuses.Solved, _ => TicketStatuses.Open };
                var reply = zh ? "您好，我们正在核实，请稍候。" : "Thanks for reaching out — I'm checking this for you now.";
                await tickets.AddAgentMessageAsync(result.Ticket.Id, reply, isInternal: false, $"demo-reply-{result.Ticket.Id}", actor, status, ct);
            }
        }

        return created;
    }
}
