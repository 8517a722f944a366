using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Insights;

/// <summary>What a rebuild did and whether the rollup then agreed with a plain aggregate over the tickets.</summary>
/// <param name="Hours">Hours recomputed.</param>
/// <param name="Rows">Rollup rows written.</param>
/// <param name="Tickets">Tickets counted.</param>
/// <param name="Mismatches">Week-and-channel cells where the rollup and the direct count differ (0 when it is right).</param>
public sealed record RollupRebuild(int Hours, int Rows, int Tickets, IReadOnlyList<string> Mismatches);

/// <summary>
/// Keeps <see cref="HourlyArrivals"/> current. Each refresh recomputes every hour from the last final one (and at
/// least the previous hour, for tickets committed late) from <see cref="TicketArrivals"/>, replacing those rows in one
/// transaction. Any process may run it: two that race meet the unique index, and the loser's transaction rolls back
/// whole and is simply retried on its next tick.
/// </summary>
public sealed class ArrivalRollup(AppDbContext db, TicketArrivals arrivals, TimeProvider time)
{
    internal const string StateName = "arrivals";
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan Chunk = TimeSpan.FromDays(7);

    public async Task RefreshAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var currentHour = HourOf(now);
        var state = await db.Set<InsightRollupState>().SingleOrDefaultAsync(s => s.Name == StateName, ct);
        var from = state?.CompleteBefore ?? (await arrivals.FirstCreatedAtAsync(ct) is { } first ? HourOf(first) : currentHour);
        if (from > currentHour - Hour)
        {
            from = currentHour - Hour;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        for (var start = from; start < now; start += Chunk)
        {
            await ReplaceAsync(start, Min(start + Chunk, now), ct);
        }

        if (state is null)
        {
            db.Add(new InsightRollupState { Name = StateName, CompleteBefore = currentHour });
        }
        else
        {
            state.CompleteBefore = currentHour;
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
    }

    /// <summary>Throws the rollup away and recomputes it from every ticket, then checks it against a direct count.</summary>
    public async Task<RollupRebuild> RebuildAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var first = await arrivals.FirstCreatedAtAsync(ct) is { } f ? HourOf(f) : HourOf(now);
        int rows = 0, tickets = 0;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.Set<HourlyArrivals>().ExecuteDeleteAsync(ct);
            await db.Set<HourlyChannelArrivals>().ExecuteDeleteAsync(ct);
            for (var start = first; start < now; start += Chunk)
            {
                var (r, t) = await ReplaceAsync(start, Min(start + Chunk, now), ct);
                rows += r;
                tickets += t;
            }

            var state = await db.Set<InsightRollupState>().SingleOrDefaultAsync(s => s.Name == StateName, ct);
            if (state is null)
            {
                db.Add(new InsightRollupState { Name = StateName, CompleteBefore = HourOf(now) });
            }
            else
            {
                state.CompleteBefore = HourOf(now);
            }

            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        db.ChangeTracker.Clear();
        return new RollupRebuild((int)((now - first).Ticks / Hour.Ticks) + 1, rows, tickets, await VerifyAsync(first, now, ct));
    }

    /// <summary>Compares both rollups with a plain COUNT over the tickets, week by week and channel by channel.</summary>
    public async Task<IReadOnlyList<string>> VerifyAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var mismatches = new List<string>();
        for (var start = HourOf(from); start < to; start += Chunk)
        {
            var end = Min(start + Chunk, to);
            var direct = await arrivals.CountByChannelAsync(start, end, ct);
            var endHour = HourOf(end) == end ? end : HourOf(end) + Hour;
            var rolled = await db.Set<HourlyArrivals>().AsNoTracking()
                .Where(a => a.HourStart >= start && a.HourStart < endHour)
                .GroupBy(a => a.Channel).Select(g => new { g.Key, Count = g.Sum(a => a.Count) })
                .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
            var perChannel = await db.Set<HourlyChannelArrivals>().AsNoTracking()
                .Where(a => a.HourStart >= start && a.HourStart < endHour)
                .GroupBy(a => a.Channel).Select(g => new { g.Key, Count = g.Sum(a => a.Count) })
                .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
            foreach (var channel in direct.Keys.Union(rolled.Keys).Union(perChannel.Keys))
            {
                if (direct.GetValueOrDefault(channel) != rolled.GetValueOrDefault(channel))
                {
                    mismatches.Add($"{start:yyyy-MM-dd} {channel}: tickets {direct.GetValueOrDefault(channel)}, rollup {rolled.GetValueOrDefault(channel)}");
                }

                if (direct.GetValueOrDefault(channel) != perChannel.GetValueOrDefault(channel))
                {
                    mismatches.Add($"{start:yyyy-MM-dd} {channel}: tickets {direct.GetValueOrDefault(channel)}, channel rollup {perChannel.GetValueOrDefault(channel)}");
                }
            }
        }

        return mismatches;
    }

    internal static DateTimeOffset HourOf(DateTimeOffset at) =>
        new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);

    private async Task<(int Rows, int Tickets)> ReplaceAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        // Whole hours: a ticket committed at this very tick belongs to the current hour's row, not to the next refresh.
        var fromHour = HourOf(from);
        var toHour = HourOf(to) == to ? to : HourOf(to) + Hour;
        var counts = await arrivals.CountByHourAsync(fromHour, toHour, ct);
        await db.Set<HourlyArrivals>().Where(a => a.HourStart >= fromHour && a.HourStart < toHour).ExecuteDeleteAsync(ct);
        await db.Set<HourlyChannelArrivals>().Where(a => a.HourStart >= fromHour && a.HourStart < toHour).ExecuteDeleteAsync(ct);
        var rows = counts.Select(c => new HourlyArrivals { HourStart = c.HourStart, Channel = c.Channel, Category = c.Category, Language = c.Language, Count = c.Count }).ToList();
        var channelRows = counts.GroupBy(c => (c.HourStart, c.Channel)).Select(g => new HourlyChannelArrivals { HourStart = g.Key.HourStart, Channel = g.Key.Channel, Count = g.Sum(c => c.Count) }).ToList();
        db.AddRange(rows);
        db.AddRange(channelRows);
        await db.SaveChangesAsync(ct);
        foreach (var row in rows.Cast<object>().Concat(channelRows))
        {
            db.Entry(row).State = EntityState.Detached; // a rebuild writes a year of rows; the tracker need not hold them
        }

        return (counts.Count, counts.Sum(c => c.Count));
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
