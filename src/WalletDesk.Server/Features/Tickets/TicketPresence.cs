using System.Collections.Concurrent;

namespace WalletDesk.Server.Features.Tickets;

/// <summary>Who has a ticket open or is writing a reply, so agents see a collision before they both answer.</summary>
/// <remarks>Kept in memory per process: it is a hint, not a lock. Live updates across nodes come with the real-time console.</remarks>
public sealed class TicketPresence(TimeProvider time)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(3);
    private readonly ConcurrentDictionary<(long Ticket, Guid Agent), (string Name, bool Replying, DateTimeOffset Seen)> _seen = new();

    public void Touch(long ticketId, Guid agentId, string name, bool replying) =>
        _seen[(ticketId, agentId)] = (name, replying, time.GetUtcNow());

    /// <summary>The other agents on this ticket in the last few minutes.</summary>
    public IReadOnlyList<(string Name, bool Replying, DateTimeOffset Seen)> Others(long ticketId, Guid me)
    {
        var cutoff = time.GetUtcNow() - Ttl;
        foreach (var stale in _seen.Where(p => p.Value.Seen < cutoff).Select(p => p.Key).ToList())
        {
            _seen.TryRemove(stale, out _);
        }

        return _seen.Where(p => p.Key.Ticket == ticketId && p.Key.Agent != me).Select(p => p.Value).OrderByDescending(p => p.Seen).ToList();
    }
}
