using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;

namespace WalletDesk.Server.Features.Tickets;

/// <summary>
/// Twelve weeks of past, closed demo tickets with a wallet support desk's rhythm (busy late mornings and evenings,
/// quieter weekends, in the operator's time zone) and, over the last six hours, a burst of failed top-ups, so a new
/// user's insights page has history to forecast from and a spike to look at. Written in bulk (it is history: no
/// intake, SLA or notifications to replay); only into a demo database with no older tickets.
/// </summary>
public sealed class TicketDemoHistory(AppDbContext db, TimeProvider time)
{
    private const double PeakPerHour = 6;
    private const int BurstHours = 6;
    private const double BurstPerHour = 9;

    private static readonly (string Category, string En, string Zh)[] Subjects =
    [
        ("topup_failed", "Top-up failed", "充值失败"),
        ("transfer_delayed", "Transfer not arrived", "转账未到账"),
        ("refund", "Refund not received", "退款未收到"),
        ("incorrect_amount", "Charged the wrong amount", "扣款金额不对"),
        ("account_locked", "Account locked", "账户被锁"),
        ("security", "Unknown sign-in alert", "陌生设备登录提醒"),
        ("account_setup", "Cannot verify my identity", "实名认证失败"),
        ("fees_limits", "Question about fees", "手续费问题"),
    ];

    private static readonly string[] Channels = [TicketChannels.Chat, TicketChannels.Chat, TicketChannels.Chat, TicketChannels.InApp, TicketChannels.InApp, TicketChannels.Email, TicketChannels.Phone, TicketChannels.Web];

    public async Task<int> SeedAsync(int weeks = 12, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var currentHour = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);
        var start = currentHour.AddDays(-7 * weeks);
        if (await db.Tickets.AnyAsync(t => t.CreatedAt < currentHour, ct))
        {
            return 0;
        }

        var customers = await db.Customers.AsNoTracking().OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Select(c => new { c.Id, c.Locale, c.DisplayName }).Take(400).ToListAsync(ct);
        var agents = await db.StaffUsers.AsNoTracking().Where(u => u.Role == "agent").OrderBy(u => u.UserName).Select(u => new { u.Id, u.DisplayName }).ToListAsync(ct);
        if (customers.Count == 0 || agents.Count == 0)
        {
            return 0;
        }

        var zone = TimeZoneInfo.TryFindSystemTimeZoneById("Asia/Shanghai", out var shanghai) ? shanghai : TimeZoneInfo.Utc;
        var random = new Random(20261207);
        var created = 0;
        var batch = new List<(Ticket Ticket, string Body, string Reply, (Guid Id, string Name) Agent, string CustomerName)>();
        for (var hour = start; hour < currentHour; hour = hour.AddHours(1))
        {
            var local = TimeZoneInfo.ConvertTime(hour, zone);
            var mean = PeakPerHour * (local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.6 : 1) * Shape(local.Hour);
            var count = Poisson(random, mean);
            var burst = hour >= currentHour.AddHours(-BurstHours) ? Poisson(random, BurstPerHour) : 0;
            for (var i = 0; i < count + burst; i++)
            {
                var subject = i < count ? Subjects[random.Next(Subjects.Length)] : Subjects[0];
                var customer = customers[random.Next(customers.Count)];
                var agent = agents[random.Next(agents.Count)];
                var zh = customer.Locale == "zh";
                var at = hour.AddSeconds(random.Next(3600));
                var answered = at.AddMinutes(2 + random.Next(90));
                var solved = answered.AddMinutes(5 + random.Next(600));
                var ticket = new Ticket
                {
                    CustomerId = customer.Id,
                    Subject = zh ? subject.Zh : subject.En,
                    Channel = i < count ? Channels[random.Next(Channels.Length)] : TicketChannels.InApp,
                    Category = subject.Category,
                    Priority = subject.Category is "security" ? TicketPriorities.Urgent : subject.Category is "topup_failed" or "transfer_delayed" ? TicketPriorities.High : TicketPriorities.Normal,
                    Status = solved < now.AddDays(-4) ? TicketStatuses.Closed : TicketStatuses.Solved,
                    Language = customer.Locale,
                    CreatedAt = at,
                    UpdatedAt = solved,
                    FirstResponseAt = answered,
                    SolvedAt = solved,
                    ClosedAt = solved < now.AddDays(-4) ? solved.AddDays(4) : null,
                    LastCustomerMessageAt = at,
                    ClientRequestId = $"demo-history-{hour.UtcTicks / TimeSpan.TicksPerHour}-{i}",
                    MessageCount = 2,
                };
                batch.Add((ticket, zh ? $"{subject.Zh}，请帮我看一下。" : $"{subject.En} — can you check, please?",
                    zh ? "已为您处理完毕，如有问题请随时联系我们。" : "All sorted on our side — let us know if anything else comes up.", (agent.Id, agent.DisplayName), customer.DisplayName));
            }

            if (batch.Count >= 1000 || (hour.AddHours(1) >= currentHour && batch.Count > 0))
            {
                created += await WriteAsync(batch, ct);
                batch.Clear();
            }
        }

        return created;
    }

    private async Task<int> WriteAsync(List<(Ticket Ticket, string Body, string Reply, (Guid Id, string Name) Agent, string CustomerName)> batch, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Tickets.AddRange(batch.Select(b => b.Ticket));
        await db.SaveChangesAsync(ct);
        foreach (var (ticket, body, reply, agent, customerName) in batch)
        {
            db.TicketMessages.Add(new TicketMessage { TicketId = ticket.Id, Seq = 1, AuthorType = TicketActors.Customer, AuthorId = ticket.CustomerId.ToString(), AuthorName = customerName, Visibility = "public", Body = body, Channel = ticket.Channel, CreatedAt = ticket.CreatedAt });
            db.TicketMessages.Add(new TicketMessage { TicketId = ticket.Id, Seq = 2, AuthorType = TicketActors.Agent, AuthorId = agent.Id.ToString(), AuthorName = agent.Name, Visibility = "public", Body = reply, Channel = ticket.Channel, CreatedAt = ticket.FirstResponseAt!.Value });
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return batch.Count;
    }

    // Quiet at night, a late-morning and an evening peak.
    private static double Shape(int hour) =>
        0.08 + (0.92 * Math.Max(Math.Exp(-Math.Pow((hour - 11) / 3.0, 2)), Math.Exp(-Math.Pow((hour - 20) / 2.5, 2))));

    private static int Poisson(Random random, double mean)
    {
        // Knuth's method: fine for the small hourly means here.
        var limit = Math.Exp(-mean);
        var product = random.NextDouble();
        var k = 0;
        while (product > limit)
        {
            k++;
            product *= random.NextDouble();
        }

        return k;
    }
}
