using System.Security.Cryptography;
using WalletDesk.Server.Data;

namespace WalletDesk.Server.Features.Attachments;

/// <summary>A file written to the temporary folder, not yet part of the store.</summary>
public sealed record StagedFile(string TempPath, long Length, string Sha256);

/// <summary>
/// Attachment bytes on disk: <c>{data}/attachments/{2 hex}/{32 hex}</c>, outside any web root, named by the server.
/// Writes go to <c>{data}/attachments/.tmp</c>, are fsynced and then renamed into place (atomic on one file system);
/// the database row comes last, so a crash leaves at worst an orphan file that <see cref="AttachmentReconciler"/> removes.
/// </summary>
public sealed class AttachmentStore
{
    private const int CopyBufferBytes = 81920;
    private readonly TimeProvider _time;

    public AttachmentStore(DataPaths paths, TimeProvider time)
    {
        _time = time;
        Root = Path.Combine(paths.Root, "attachments");
        TempFolder = Path.Combine(Root, ".tmp");
        Directory.CreateDirectory(TempFolder);
    }

    public string Root { get; }

    public string TempFolder { get; }

    /// <summary>Copies <paramref name="source"/> to a temp file while hashing it; stops and deletes it once it passes <paramref name="maxBytes"/>.</summary>
    /// <returns>Null when the content was larger than <paramref name="maxBytes"/> (nothing is left behind).</returns>
    public async Task<StagedFile?> StageAsync(Stream source, long maxBytes, CancellationToken ct)
    {
        var path = Path.Combine(TempFolder, Guid.NewGuid().ToString("N") + ".part");
        var keep = false;
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                var buffer = new byte[CopyBufferBytes];
                int read;
                while ((read = await source.ReadAsync(buffer, ct)) > 0)
                {
                    total += read;
                    if (total > maxBytes)
                    {
                        return null;
                    }

                    hash.AppendData(buffer, 0, read);
                    await WriteAsync(() => file.WriteAsync(buffer.AsMemory(0, read), ct).AsTask());
                }

                // Durable before it is renamed into the store: a power cut must not leave a named file with holes.
                await WriteAsync(() =>
                {
                    file.Flush(flushToDisk: true);
                    return Task.CompletedTask;
                });
            }

            File.SetLastWriteTimeUtc(path, _time.GetUtcNow().UtcDateTime);
            keep = true;
            return new StagedFile(path, total, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        finally
        {
            if (!keep)
            {
                TryDelete(path);
            }
        }
    }

    // Failures of our own disk (full, read-only, gone) are told apart from a client that stopped sending.
    private static async Task WriteAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (IOException ex)
        {
            throw new AttachmentStorageException(ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new AttachmentStorageException(ex);
        }
    }

    /// <summary>Renames a staged file into the store under a fresh server-generated key and returns the key.</summary>
    public string Commit(StagedFile staged)
    {
        var name = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var key = name[..2] + "/" + name;
        var target = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(staged.TempPath, target, overwrite: false);
        // The age the reconciler judges by comes from the same clock as everything else.
        File.SetLastWriteTimeUtc(target, _time.GetUtcNow().UtcDateTime);
        return key;
    }

    public FileStream OpenRead(string key) =>
        new(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);

    public string PathOf(string key)
    {
        // Keys are generated here, never taken from a request; refuse anything else rather than trust the database blindly.
        if (key.Length != 35 || key[2] != '/' || !key.Remove(2, 1).All(char.IsAsciiHexDigitLower) || key[..2] != key[3..5])
        {
            throw new InvalidOperationException("Not an attachment storage key.");
        }

        return Path.Combine(Root, key[..2], key[3..]);
    }

    public static string? KeyOf(string root, string file)
    {
        var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
        return relative.Length == 35 && relative[2] == '/' && relative.Remove(2, 1).All(char.IsAsciiHexDigitLower) ? relative : null;
    }

    public void Delete(string key) => TryDelete(PathOf(key));

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the reconciler.
        }
        catch (UnauthorizedAccessException)
        {
            // Left for the reconciler.
        }
    }
}

/// <summary>The attachment folder could not be written (disk full, read-only, missing); answered with 507.</summary>
public sealed class AttachmentStorageException(Exception inner) : Exception("The attachment store could not be written.", inner);
