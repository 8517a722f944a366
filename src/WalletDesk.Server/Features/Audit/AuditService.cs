using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;

namespace WalletDesk.Server.Features.Audit;

/// <summary>What happened, to be written to the audit trail.</summary>
public sealed record AuditEvent(
    string Action,
    string Outcome,
    string ActorType,
    string? ActorId = null,
    string? ActorName = null,
    string? ObjectType = null,
    string? ObjectId = null,
    string? SourceIp = null,
    string? Details = null);

public static class AuditOutcomes
{
    public const string Success = "success";
    public const string Failure = "failure";
    public const string Denied = "denied";
}

/// <summary>Appends to and verifies the hash-chained audit trail. Nothing in the product updates or deletes an entry.</summary>
public sealed class AuditService(IDbContextFactory<AppDbContext> contexts, TimeProvider time)
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    // One appender per process; PostgreSQL adds an advisory lock so several processes chain correctly.
    private static readonly SemaphoreSlim AppendLock = new(1, 1);
    private const long PostgresAdvisoryLockKey = 0x5744_4155_4449_54; // "WDAUDIT"

    public async Task<AuditEntry> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        await AppendLock.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var strategy = db.Database.CreateExecutionStrategy();
            return await strategy.ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                if (!db.IsSqlite)
                {
                    await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({PostgresAdvisoryLockKey})", cancellationToken);
                }

                var head = await db.AuditHeads.SingleOrDefaultAsync(h => h.Id == 1, cancellationToken);
                var now = time.GetUtcNow();
                var entry = new AuditEntry
                {
                    Id = (head?.LastId ?? 0) + 1,
                    // PostgreSQL keeps microseconds; hash exactly what the database will give back.
                    At = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero),
                    ActorType = auditEvent.ActorType,
                    ActorId = Truncate(auditEvent.ActorId, 64),
                    ActorName = Truncate(auditEvent.ActorName, 128),
                    Action = auditEvent.Action,
                    ObjectType = auditEvent.ObjectType,
                    ObjectId = Truncate(auditEvent.ObjectId, 128),
                    Outcome = auditEvent.Outcome,
                    SourceIp = Truncate(auditEvent.SourceIp, 64),
                    Details = Truncate(auditEvent.Details, 4000),
                    PreviousHash = head?.LastHash ?? GenesisHash,
                    Hash = "",
                };
                entry.Hash = ComputeHash(entry);
                db.AuditEntries.Add(entry);
                if (head is null)
                {
                    db.AuditHeads.Add(new AuditHead { Id = 1, LastId = entry.Id, LastHash = entry.Hash });
                }
                else
                {
                    head.LastId = entry.Id;
                    head.LastHash = entry.Hash;
                }

                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return entry;
            });
        }
        finally
        {
            AppendLock.Release();
        }
    }

    /// <summary>Walks the whole chain and reports the first entry that was altered, removed or reordered.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var expectedPrevious = GenesisHash;
        long expectedId = 1;
        long count = 0;
        await foreach (var entry in db.AuditEntries.AsNoTracking().OrderBy(e => e.Id).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (entry.Id != expectedId)
            {
                return AuditVerification.Broken(count, expectedId, $"entry {expectedId} is missing (the next entry is {entry.Id})");
            }

            if (!string.Equals(entry.PreviousHash, expectedPrevious, StringComparison.Ordinal))
            {
                return AuditVerification.Broken(count, entry.Id, $"entry {entry.Id} does not link to the entry before it");
            }

            if (!string.Equals(ComputeHash(entry), entry.Hash, StringComparison.Ordinal))
            {
                return AuditVerification.Broken(count, entry.Id, $"entry {entry.Id} was altered (its hash does not match its content)");
            }

            expectedPrevious = entry.Hash;
            expectedId++;
            count++;
        }

        var head = await db.AuditHeads.AsNoTracking().SingleOrDefaultAsync(h => h.Id == 1, cancellationToken);
        if (head is not null && (head.LastId != count || !string.Equals(head.LastHash, expectedPrevious, StringComparison.Ordinal)))
        {
            return AuditVerification.Broken(count, count + 1, $"entries after {count} were removed (the chain head records {head.LastId})");
        }

        return new AuditVerification(true, count, null, null);
    }

    internal static string ComputeHash(AuditEntry e)
    {
        // Unambiguous canonical form: each field length-prefixed, so moving text between fields changes the hash.
        var builder = new StringBuilder(512);
        void Add(string? value)
        {
            value ??= "\0";
            builder.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('|');
        }

        Add(e.Id.ToString(CultureInfo.InvariantCulture));
        Add(e.At.UtcTicks.ToString(CultureInfo.InvariantCulture));
        Add(e.ActorType);
        Add(e.ActorId);
        Add(e.ActorName);
        Add(e.Action);
        Add(e.ObjectType);
        Add(e.ObjectId);
        Add(e.Outcome);
        Add(e.SourceIp);
        Add(e.Details);
        Add(e.PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }

    private static string? Truncate(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}

/// <summary>The result of walking the audit chain.</summary>
public sealed record AuditVerification(bool IsIntact, long EntriesChecked, long? FirstBadEntryId, string? Problem)
{
    public static AuditVerification Broken(long checkedCount, long badId, string problem) => new(false, checkedCount, badId, problem);
}
