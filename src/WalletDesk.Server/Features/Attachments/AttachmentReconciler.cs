using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;

namespace WalletDesk.Server.Features.Attachments;

/// <summary>What one reconciliation pass removed.</summary>
public sealed record ReconcileResult(int OrphansDeleted, int TempFilesDeleted, int FilesChecked);

/// <summary>
/// Deletes attachment files that no row points to (a crash between the file move and the insert, or a failed insert
/// whose cleanup did not run) and abandoned temp files, once they are older than <see cref="AttachmentOptions.OrphanAgeMinutes"/>;
/// younger files may belong to an upload still in flight.
/// </summary>
public sealed class AttachmentReconciler(
    IDbContextFactory<AppDbContext> contexts,
    AttachmentStore store,
    TimeProvider time,
    IOptions<AttachmentOptions> options,
    ILogger<AttachmentReconciler> logger) : BackgroundService
{
    private const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunReconciler)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.ReconcileIntervalMinutes), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var result = await ReconcileAsync(stoppingToken);
                    if (result.OrphansDeleted + result.TempFilesDeleted > 0)
                    {
                        logger.LogWarning("Attachment reconciliation removed {Orphans} orphaned files and {Temp} abandoned uploads", result.OrphansDeleted, result.TempFilesDeleted);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The database may be away; the next tick tries again.
                    logger.LogError(ex, "Attachment reconciliation failed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    public async Task<ReconcileResult> ReconcileAsync(CancellationToken ct = default)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - TimeSpan.FromMinutes(options.Value.OrphanAgeMinutes);
        var temp = 0;
        foreach (var file in Directory.EnumerateFiles(store.TempFolder))
        {
            if (File.GetLastWriteTimeUtc(file) < cutoff)
            {
                AttachmentStore.TryDelete(file);
                temp++;
            }
        }

        var orphans = 0;
        var checkedFiles = 0;
        var candidates = new List<string>(Batch);
        foreach (var file in Directory.EnumerateFiles(store.Root, "*", SearchOption.AllDirectories))
        {
            if (file.StartsWith(store.TempFolder, StringComparison.Ordinal) || AttachmentStore.KeyOf(store.Root, file) is not { } key)
            {
                continue;
            }

            checkedFiles++;
            if (File.GetLastWriteTimeUtc(file) < cutoff)
            {
                candidates.Add(key);
            }

            if (candidates.Count == Batch)
            {
                orphans += await DeleteUnreferencedAsync(candidates, ct);
                candidates.Clear();
            }
        }

        if (candidates.Count > 0)
        {
            orphans += await DeleteUnreferencedAsync(candidates, ct);
        }

        return new ReconcileResult(orphans, temp, checkedFiles);
    }

    private async Task<int> DeleteUnreferencedAsync(List<string> keys, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var known = (await db.Set<Attachment>().AsNoTracking().Where(a => keys.Contains(a.StorageKey)).Select(a => a.StorageKey).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var deleted = 0;
        foreach (var key in keys.Where(k => !known.Contains(k)))
        {
            store.Delete(key);
            deleted++;
        }

        return deleted;
    }
}
