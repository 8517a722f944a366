using System.Buffers;

namespace WalletDesk.Assistant.Intents;

/// <summary>
/// An inverted index over the in-scope training vectors that answers "how similar is the most similar
/// training example?" (cosine, as all vectors are unit length). The out-of-scope check uses it as a
/// floor: a confident linear model can still be confidently wrong about text unlike anything it saw.
/// </summary>
/// <remarks>
/// Features found in more than <see cref="CommonFeatureShare"/> of the rows (frequent character n-grams,
/// "my", "我") are skipped: they say little about which example is nearest, yet their long posting
/// lists would dominate prediction time. The same similarity is used when the floor is fitted during
/// training, so the floor and the query agree on what "similar" means.
/// </remarks>
internal sealed class NearestNeighbourIndex
{
    private readonly int[] _postingStart;
    private readonly int[] _postingRow;
    private readonly float[] _postingValue;
    private readonly int _maxPosting;

    public const double CommonFeatureShare = 0.02;

    public NearestNeighbourIndex(SparseMatrix rows)
    {
        Rows = rows;
        _maxPosting = Math.Max(50, (int)(rows.Rows * CommonFeatureShare));
        var counts = new int[rows.Columns + 1];
        foreach (var column in rows.Indices)
        {
            counts[column + 1]++;
        }

        for (var f = 0; f < rows.Columns; f++)
        {
            counts[f + 1] += counts[f];
        }

        _postingStart = counts;
        _postingRow = new int[rows.Indices.Length];
        _postingValue = new float[rows.Indices.Length];
        var fill = (int[])counts.Clone();
        for (var r = 0; r < rows.Rows; r++)
        {
            for (var p = rows.RowStart[r]; p < rows.RowStart[r + 1]; p++)
            {
                var slot = fill[rows.Indices[p]]++;
                _postingRow[slot] = r;
                _postingValue[slot] = rows.Values[p];
            }
        }
    }

    public SparseMatrix Rows { get; }

    public double MaxSimilarity(SparseVector query)
    {
        var n = Rows.Rows;
        if (n == 0 || query.Count == 0)
        {
            return 0;
        }

        var accumulator = ArrayPool<float>.Shared.Rent(n);
        try
        {
            Array.Clear(accumulator, 0, n);
            for (var i = 0; i < query.Count; i++)
            {
                var f = query.Indices[i];
                if (_postingStart[f + 1] - _postingStart[f] > _maxPosting)
                {
                    continue;
                }

                var v = query.Values[i];
                for (var p = _postingStart[f]; p < _postingStart[f + 1]; p++)
                {
                    accumulator[_postingRow[p]] += v * _postingValue[p];
                }
            }

            var max = 0f;
            for (var r = 0; r < n; r++)
            {
                max = Math.Max(max, accumulator[r]);
            }

            return max;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(accumulator);
        }
    }
}
