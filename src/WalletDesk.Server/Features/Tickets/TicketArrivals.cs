using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;

namespace WalletDesk.Server.Features.Tickets;

/// <summary>One hour's new tickets for one channel, category and language.</summary>
public sealed record TicketArrivalCount(DateTimeOffset HourStart, string Channel, string Category, string Language, int Count);

/// <summary>
/// Tickets opened over time, the read the Insights module builds its rollups from (it never reads the tickets
/// table itself). Counts are grouped by UTC hour in memory: the SQL stays one range scan on the CreatedAt index
/// and identical on both providers.
/// </summary>
public sealed class TicketArrivals(AppDbContext db)
{
    public async Task<IReadOnlyList<TicketArrivalCount>> CountByHourAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var counts = new Dictionary<(long Hour, string Channel, string Category, string Language), int>();
        await foreach (var t in db.Tickets.AsNoTracking()
            .Where(t => t.CreatedAt >= from && t.CreatedAt < to)
            .Select(t => new { t.CreatedAt, t.Channel, t.Category, t.Language })
            .AsAsyncEnumerable().WithCancellation(ct))
        {
            var key = (t.CreatedAt.UtcTicks / TimeSpan.TicksPerHour, t.Channel, t.Category, t.Language);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return counts.Select(c => new TicketArrivalCount(new DateTimeOffset(c.Key.Hour * TimeSpan.TicksPerHour, TimeSpan.Zero), c.Key.Channel, c.Key.Category, c.Key.Language, c.Value)).ToList();
    }

    /// <summary>The plain aggregate a rollup must agree with: tickets opened in the range, per channel.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountByChannelAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        await db.Tickets.AsNoTracking().Where(t => t.CreatedAt >= from && t.CreatedAt < to)
            .GroupBy(t => t.Channel).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);

    /// <summary>When the first ticket was opened, or null when there is none.</summary>
    public async Task<DateTimeOffset?> FirstCreatedAtAsync(CancellationToken ct) =>
        await db.Tickets.AsNoTracking().OrderBy(t => t.CreatedAt).Select(t => (DateTimeOffset?)t.CreatedAt).FirstOrDefaultAsync(ct);

    /// <summary>The tickets behind a figure: those opened in the range, optionally of one channel and category, newest first.</summary>
    public async Task<IReadOnlyList<long>> ListIdsAsync(DateTimeOffset from, DateTimeOffset to, string? channel, string? category, int limit, CancellationToken ct)
    {
        var q = db.Tickets.AsNoTracking().Where(t => t.CreatedAt >= from && t.CreatedAt < to);
        if (channel is not null)
        {
            q = q.Where(t => t.Channel == channel);
        }

        if (category is not null)
        {
            q = q.Where(t => t.Category == category);
        }

        return await q.OrderByDescending(t => t.Id).Select(t => t.Id).Take(limit).ToListAsync(ct);
    }
}
