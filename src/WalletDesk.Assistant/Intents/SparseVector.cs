namespace WalletDesk.Assistant.Intents;

/// <summary>An L2-normalised sparse feature vector (indices into a <see cref="TfidfVectorizer"/> vocabulary).</summary>
internal readonly record struct SparseVector(int[] Indices, float[] Values)
{
    public static SparseVector Empty { get; } = new([], []);

    public int Count => Indices.Length;

    public double Dot(SparseVector other)
    {
        // Both sides are tiny (hundreds of entries), so a hash-free merge over a lookup is cheapest.
        var lookup = new Dictionary<int, float>(Count);
        for (var i = 0; i < Count; i++)
        {
            lookup[Indices[i]] = Values[i];
        }

        double sum = 0;
        for (var i = 0; i < other.Count; i++)
        {
            if (lookup.TryGetValue(other.Indices[i], out var v))
            {
                sum += v * other.Values[i];
            }
        }

        return sum;
    }
}

/// <summary>Rows of sparse vectors in compressed sparse row layout, the shape the solvers iterate over.</summary>
internal sealed class SparseMatrix
{
    public SparseMatrix(IReadOnlyList<SparseVector> rows, int columns)
    {
        Columns = columns;
        RowStart = new int[rows.Count + 1];
        var nnz = 0;
        for (var r = 0; r < rows.Count; r++)
        {
            RowStart[r] = nnz;
            nnz += rows[r].Count;
        }

        RowStart[rows.Count] = nnz;
        Indices = new int[nnz];
        Values = new float[nnz];
        for (var r = 0; r < rows.Count; r++)
        {
            rows[r].Indices.CopyTo(Indices, RowStart[r]);
            rows[r].Values.CopyTo(Values, RowStart[r]);
        }
    }

    public SparseMatrix(int[] rowStart, int[] indices, float[] values, int columns)
    {
        RowStart = rowStart;
        Indices = indices;
        Values = values;
        Columns = columns;
    }

    public int Rows => RowStart.Length - 1;

    public int Columns { get; }

    public int[] RowStart { get; }

    public int[] Indices { get; }

    public float[] Values { get; }
}
