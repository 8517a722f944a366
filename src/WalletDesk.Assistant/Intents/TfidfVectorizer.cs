namespace WalletDesk.Assistant.Intents;

/// <summary>
/// Sublinear TF-IDF over the hashed features of <see cref="FeatureExtractor"/>. Each view is
/// L2-normalised on its own and then weighted, so the many character n-grams cannot drown the few
/// word features; the combined vector is normalised again so cosine similarity is a plain dot product.
/// </summary>
internal sealed class TfidfVectorizer
{
    private readonly Dictionary<ulong, int> _index;

    public TfidfVectorizer(ulong[] keys, float[] idf, float wordViewWeight)
    {
        Keys = keys;
        Idf = idf;
        WordViewWeight = wordViewWeight;
        _index = new Dictionary<ulong, int>(keys.Length);
        for (var i = 0; i < keys.Length; i++)
        {
            _index[keys[i]] = i;
        }
    }

    /// <summary>Vocabulary in ascending key order; a feature's column is its position.</summary>
    public ulong[] Keys { get; }

    public float[] Idf { get; }

    /// <summary>Share of the squared norm given to the word view (the character view gets the rest).</summary>
    public float WordViewWeight { get; }

    public int Dimension => Keys.Length;

    public static TfidfVectorizer Fit(IReadOnlyList<List<ulong>> documents, int minWordDf, int minPairDf, int minCharDf, float wordViewWeight)
    {
        var df = new Dictionary<ulong, int>();
        foreach (var doc in documents)
        {
            var copy = new List<ulong>(doc);
            FeatureExtractor.CountDistinct(copy, out var distinct, out _);
            foreach (var key in distinct)
            {
                df[key] = df.GetValueOrDefault(key) + 1;
            }
        }

        var kept = df
            .Where(kv => kv.Value >= (FeatureExtractor.IsCharView(kv.Key) ? minCharDf : FeatureExtractor.IsPair(kv.Key) ? minPairDf : minWordDf))
            .Select(kv => kv.Key)
            .Order()
            .ToArray();
        var n = documents.Count;
        var idf = new float[kept.Length];
        for (var i = 0; i < kept.Length; i++)
        {
            // Smoothed IDF (as in scikit-learn) keeps every kept feature's weight positive.
            idf[i] = (float)(Math.Log((1.0 + n) / (1.0 + df[kept[i]])) + 1.0);
        }

        return new TfidfVectorizer(kept, idf, wordViewWeight);
    }

    public SparseVector Transform(string? text) => Transform(FeatureExtractor.Extract(text));

    /// <summary>Vectorises extracted keys. The list is sorted in place.</summary>
    public SparseVector Transform(List<ulong> keys)
    {
        var n = FeatureExtractor.CountDistinct(keys, out var distinct, out var counts);
        var indices = new int[n];
        var values = new float[n];
        var isChar = new bool[n];
        var m = 0;
        double wordNorm = 0, charNorm = 0;
        for (var i = 0; i < n; i++)
        {
            if (!_index.TryGetValue(distinct[i], out var column))
            {
                continue;
            }

            var v = (float)((1.0 + Math.Log(counts[i])) * Idf[column]);
            indices[m] = column;
            values[m] = v;
            isChar[m] = FeatureExtractor.IsCharView(distinct[i]);
            if (isChar[m])
            {
                charNorm += v * v;
            }
            else
            {
                wordNorm += v * v;
            }

            m++;
        }

        if (m == 0)
        {
            return SparseVector.Empty;
        }

        var wordScale = wordNorm > 0 ? Math.Sqrt(WordViewWeight / wordNorm) : 0;
        var charScale = charNorm > 0 ? Math.Sqrt((1 - WordViewWeight) / charNorm) : 0;
        double total = 0;
        for (var i = 0; i < m; i++)
        {
            values[i] = (float)(values[i] * (isChar[i] ? charScale : wordScale));
            total += values[i] * values[i];
        }

        // One view can be empty (unknown words only), so renormalise to unit length.
        var final = total > 0 ? (float)(1 / Math.Sqrt(total)) : 0f;
        for (var i = 0; i < m; i++)
        {
            values[i] *= final;
        }

        if (m < n)
        {
            Array.Resize(ref indices, m);
            Array.Resize(ref values, m);
        }

        return new SparseVector(indices, values);
    }
}
