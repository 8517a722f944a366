using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;

namespace WalletDesk.Server.Features.Knowledge.Search;

/// <summary>Document frequencies of indexed terms, for typo correction and (on PostgreSQL) IDF weights.</summary>
internal sealed class VocabularySet
{
    public Dictionary<string, int> DocumentFrequency { get; } = new(StringComparer.Ordinal);
    public int Documents { get; set; }

    /// <summary>Words as written in the articles (lower-case Latin letters, 3+), with the number of articles that use them.</summary>
    public Dictionary<string, int> SurfaceFrequency { get; } = new(StringComparer.Ordinal);

    /// <summary>The written words grouped by length, the candidate pool for correcting a misspelt word.</summary>
    private Dictionary<int, List<string>> SurfaceByLength { get; } = [];

    /// <summary>Terms in all documents' title, tags and body together (for BM25's average document length).</summary>
    public long TotalLength { get; set; }

    public double AverageLength => Documents == 0 ? 1 : Math.Max(1, (double)TotalLength / Documents);

    public int Frequency(string term) => DocumentFrequency.GetValueOrDefault(term);

    /// <summary>Terms that occur in some title or tag list: the product's and features' names, as editors write them.</summary>
    public HashSet<string> HeadTerms { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The written word of the articles closest to a misspelt word by edit distance (optimal string alignment:
    /// insertions, deletions, substitutions and adjacent swaps), at most 1 edit for words of up to 4 letters and 2 for
    /// longer ones; ties go to the word more articles use, then to the alphabetically first. Words, not stems, so what
    /// the reader is shown is a real word ("delivery", never "deliveri").
    /// </summary>
    public string? CorrectWord(string word)
    {
        var maxDistance = word.Length <= 4 ? 1 : 2;
        string? best = null;
        var bestDistance = int.MaxValue;
        var bestFrequency = 0;
        for (var length = word.Length - maxDistance; length <= word.Length + maxDistance; length++)
        {
            if (!SurfaceByLength.TryGetValue(length, out var candidates))
            {
                continue;
            }

            foreach (var candidate in candidates)
            {
                var distance = EditDistance.Osa(word, candidate, Math.Min(maxDistance, bestDistance));
                if (distance > maxDistance)
                {
                    continue;
                }

                var frequency = SurfaceFrequency[candidate];
                if (distance < bestDistance || (distance == bestDistance && (frequency > bestFrequency
                    || (frequency == bestFrequency && string.CompareOrdinal(candidate, best) < 0))))
                {
                    (best, bestDistance, bestFrequency) = (candidate, distance, frequency);
                }
            }
        }

        return best;
    }

    /// <summary>Counts a document's written words (lower-case Latin letter runs of 3+ letters in its title and text).</summary>
    public void AddSurfaces(string text)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lower = text.ToLowerInvariant();
        var start = -1;
        for (var i = 0; i <= lower.Length; i++)
        {
            var letter = i < lower.Length && lower[i] is >= 'a' and <= 'z';
            if (letter && start < 0)
            {
                start = i;
            }
            else if (!letter && start >= 0)
            {
                if (i - start >= 3 && (i == lower.Length || !char.IsLetterOrDigit(lower[i])) && (start == 0 || !char.IsLetterOrDigit(lower[start - 1])))
                {
                    seen.Add(lower[start..i]);
                }

                start = -1;
            }
        }

        foreach (var word in seen)
        {
            if (SurfaceFrequency.TryGetValue(word, out var count))
            {
                SurfaceFrequency[word] = count + 1;
                continue;
            }

            SurfaceFrequency[word] = 1;
            if (!SurfaceByLength.TryGetValue(word.Length, out var list))
            {
                SurfaceByLength[word.Length] = list = [];
            }

            list.Add(word);
        }
    }

    public void Add(IEnumerable<string> documentTerms)
    {
        Documents++;
        foreach (var term in documentTerms)
        {
            if (DocumentFrequency.TryGetValue(term, out var df))
            {
                DocumentFrequency[term] = df + 1;
                continue;
            }

            DocumentFrequency[term] = 1;
        }
    }
}

/// <summary>
/// The vocabulary of the search index, built by reading it once and reused until an edit on this node
/// invalidates it or <see cref="KnowledgeOptions.VocabularyCacheSeconds"/> pass (edits on other nodes).
/// Two sets: public articles only (what anonymous readers may learn words from) and everything.
/// </summary>
public sealed class KnowledgeVocabulary(IOptions<KnowledgeOptions> options, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Snapshot? _snapshot;
    private long _version;

    internal sealed record Snapshot(VocabularySet Public, VocabularySet All, DateTimeOffset BuiltAt, long Version);

    public void Invalidate() => Interlocked.Increment(ref _version);

    public void Dispose() => _gate.Dispose();

    internal async Task<Snapshot> GetAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _snapshot);
        if (IsFresh(current))
        {
            return current!;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            current = Volatile.Read(ref _snapshot);
            if (IsFresh(current))
            {
                return current!;
            }

            var version = Interlocked.Read(ref _version);
            var built = await BuildAsync(db, version, cancellationToken);
            Volatile.Write(ref _snapshot, built);
            return built;
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool IsFresh(Snapshot? snapshot) =>
        snapshot is not null
        && snapshot.Version == Interlocked.Read(ref _version)
        && time.GetUtcNow() - snapshot.BuiltAt < TimeSpan.FromSeconds(options.Value.VocabularyCacheSeconds);

    private async Task<Snapshot> BuildAsync(AppDbContext db, long version, CancellationToken cancellationToken)
    {
        var publicSet = new VocabularySet();
        var all = new VocabularySet();
        // EF's ref-counted open runs the connection interceptors (SQLite pragmas) and leaves an open connection alone.
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();

        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = db.IsSqlite
                ? "SELECT vis, title, tags, body, display, plain FROM kb_search_fts"
                : "SELECT vis, title, tags, body, display, plain FROM kb_search_index";
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var terms = new HashSet<string>(StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken))
            {
                terms.Clear();
                var length = 0;
                for (var column = 1; column <= 3; column++)
                {
                    foreach (var term in reader.GetString(column).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        terms.Add(term);
                        length++;
                        if (column < 3)
                        {
                            all.HeadTerms.Add(term);
                            if (reader.GetString(0) == ArticleVisibility.Public)
                            {
                                publicSet.HeadTerms.Add(term);
                            }
                        }
                    }
                }

                var written = reader.GetString(4) + "\n" + reader.GetString(5);
                all.Add(terms);
                all.TotalLength += length;
                all.AddSurfaces(written);
                if (reader.GetString(0) == ArticleVisibility.Public)
                {
                    publicSet.Add(terms);
                    publicSet.TotalLength += length;
                    publicSet.AddSurfaces(written);
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return new Snapshot(publicSet, all, time.GetUtcNow(), version);
    }
}

internal static class EditDistance
{
    /// <summary>Optimal string alignment distance; returns <paramref name="limit"/> + 1 as soon as it must exceed it.</summary>
    public static int Osa(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit)
        {
            return limit + 1;
        }

        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = current[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    value = Math.Min(value, previous2[j - 2] + 1);
                }

                current[j] = value;
                rowMin = Math.Min(rowMin, value);
            }

            if (rowMin > limit)
            {
                return limit + 1;
            }

            (previous2, previous, current) = (previous, current, previous2);
        }

        return previous[b.Length];
    }
}
