using System.Collections.Concurrent;

namespace WalletDesk.Server.Features.Identity;

/// <summary>
/// Failed sign-ins per account and client (a browser that signed in to that account before, else its IP address).
/// From the third failure on, that client waits 1 s, 2 s, 4 s … (up to the lockout time) before its next try. It is
/// kept in memory: the per-account slowdown on the account row is what bounds guessing across clients and processes;
/// this part only keeps one noisy client from spending the account's budget quickly.
/// </summary>
public sealed class SignInThrottle
{
    private const int FreeFailures = 2;
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset NotBefore)> _clients = new(StringComparer.Ordinal);

    public static string KeyFor(Guid userId, string? deviceId, string? ip) =>
        deviceId is not null ? $"{userId:N}|device:{deviceId}" : $"{userId:N}|ip:{ip ?? "unknown"}";

    /// <summary>How long this client must still wait before it may try this account again.</summary>
    public TimeSpan Wait(string key, DateTimeOffset now) =>
        _clients.TryGetValue(key, out var entry) && entry.NotBefore > now ? entry.NotBefore - now : TimeSpan.Zero;

    public void Fail(string key, DateTimeOffset now, TimeSpan cap)
    {
        if (_clients.Count > MaxEntries)
        {
            foreach (var stale in _clients.Where(c => c.Value.NotBefore < now - cap).Select(c => c.Key).ToList())
            {
                _clients.TryRemove(stale, out _);
            }
        }

        _clients.AddOrUpdate(key, _ => (1, now), (_, entry) =>
        {
            var failures = entry.Failures + 1;
            var delay = failures <= FreeFailures ? TimeSpan.Zero : Progressive(failures - FreeFailures - 1, TimeSpan.FromSeconds(1), cap);
            return (failures, now + delay);
        });
    }

    public void Succeed(string key) => _clients.TryRemove(key, out _);

    /// <summary><paramref name="unit"/> × 2^<paramref name="step"/>, at most <paramref name="cap"/>.</summary>
    public static TimeSpan Progressive(int step, TimeSpan unit, TimeSpan cap) =>
        step >= 30 ? cap : TimeSpan.FromTicks(Math.Min(cap.Ticks, unit.Ticks * (1L << step)));
}
