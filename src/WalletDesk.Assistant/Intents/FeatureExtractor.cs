using System.Runtime.InteropServices;

namespace WalletDesk.Assistant.Intents;

/// <summary>
/// Turns text into hashed sparse features in two views: a word view (stemmed unigrams and bigrams,
/// which also yields CJK character unigrams and bigrams because each CJK character is a token, plus
/// unordered word pairs within a window) and a character view (2–5-grams inside word boundaries, for
/// typos; 2–3-grams over CJK runs).
/// </summary>
/// <remarks>
/// Features are 64-bit FNV-1a hashes rather than strings so extraction allocates almost nothing at
/// prediction time; at 64 bits collisions between a few hundred thousand n-grams are negligible.
/// The lowest bit of a key carries its view; the next bit marks word pairs (their own minimum
/// document frequency).
/// </remarks>
internal static class FeatureExtractor
{
    public const ulong WordView = 0;
    public const ulong CharView = 1;

    /// <summary>Bit set on word-pair keys (which belong to the word view).</summary>
    public const ulong PairFlag = 2;

    /// <summary>
    /// A token is paired with each of the previous tokens up to this distance. Pairs are second-order
    /// features ("card" with "arrive" anywhere near it) that bigrams miss; the window bounds their count
    /// to a linear function of the input length.
    /// </summary>
    public const int PairWindow = 10;

    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    private const char UnigramTag = '\u0001';
    private const char BigramTag = '\u0002';
    private const char CharGramTag = '\u0003';
    private const char CjkGramTag = '\u0004';
    private const char PairTag = '\u0005';

    public static int MinCharGram => 2;

    public static int MaxCharGram => 5;

    public static List<ulong> Extract(string? text) => Extract(TextNormalizer.Tokenize(text));

    public static List<ulong> Extract(List<Token> tokens)
    {
        var keys = new List<ulong>(tokens.Count * 16);
        var stems = new string[tokens.Count];
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            stems[i] = t.Kind == TokenKind.Word ? TextNormalizer.Stem(t.Text) : t.Text;
            keys.Add(Key(WordView, UnigramTag, stems[i], default));
            if (i > 0)
            {
                keys.Add(Key(WordView, BigramTag, stems[i - 1], stems[i]));
            }

            for (var j = Math.Max(0, i - PairWindow); j < i; j++)
            {
                // Unordered: "refund card" and "card refund" are the same pair.
                var first = string.CompareOrdinal(stems[j], stems[i]) <= 0;
                keys.Add(Key(WordView | PairFlag, PairTag, first ? stems[j] : stems[i], first ? stems[i] : stems[j]));
            }
        }

        Span<char> padded = stackalloc char[TextNormalizer.MaxWordChars + 2];
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Kind == TokenKind.Word)
            {
                padded[0] = ' ';
                t.Text.AsSpan().CopyTo(padded[1..]);
                padded[t.Text.Length + 1] = ' ';
                var word = padded[..(t.Text.Length + 2)];
                for (var n = MinCharGram; n <= MaxCharGram && n <= word.Length; n++)
                {
                    for (var start = 0; start + n <= word.Length; start++)
                    {
                        keys.Add(Key(CharView, CharGramTag, word.Slice(start, n), default));
                    }
                }
            }
            else if (t.Kind == TokenKind.Cjk && i + 1 < tokens.Count && tokens[i + 1].Kind == TokenKind.Cjk)
            {
                Span<char> gram = [t.Text[0], tokens[i + 1].Text[0], ' '];
                keys.Add(Key(CharView, CjkGramTag, gram[..2], default));
                if (i + 2 < tokens.Count && tokens[i + 2].Kind == TokenKind.Cjk)
                {
                    gram[2] = tokens[i + 2].Text[0];
                    keys.Add(Key(CharView, CjkGramTag, gram, default));
                }
            }
        }

        return keys;
    }

    /// <summary>Unstemmed token unigrams only: the feature set of the benchmark baseline.</summary>
    public static List<ulong> PlainUnigrams(List<Token> tokens) =>
        tokens.Select(t => Key(WordView, UnigramTag, t.Text, default)).ToList();

    /// <summary>Unstemmed token unigrams and bigrams: the feature set of the plain linear reference model.</summary>
    public static List<ulong> PlainUnigramsAndBigrams(List<Token> tokens)
    {
        var keys = PlainUnigrams(tokens);
        for (var i = 1; i < tokens.Count; i++)
        {
            keys.Add(Key(WordView, BigramTag, tokens[i - 1].Text, tokens[i].Text));
        }

        return keys;
    }

    public static bool IsCharView(ulong key) => (key & 1UL) == CharView;

    public static bool IsPair(ulong key) => (key & 3UL) == PairFlag;

    private static ulong Key(ulong view, char tag, ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var h = FnvOffset;
        h = (h ^ tag) * FnvPrime;
        foreach (var c in a)
        {
            h = (h ^ c) * FnvPrime;
        }

        if (!b.IsEmpty)
        {
            h = (h ^ ' ') * FnvPrime;
            foreach (var c in b)
            {
                h = (h ^ c) * FnvPrime;
            }
        }

        // A final avalanche step: FNV's low bits are weak and we overwrite the lowest two.
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        return (h & ~3UL) | view;
    }

    /// <summary>Counts keys in place: returns distinct keys with their term frequencies.</summary>
    public static int CountDistinct(List<ulong> keys, out Span<ulong> distinct, out int[] counts)
    {
        var span = CollectionsMarshal.AsSpan(keys);
        span.Sort();
        counts = new int[span.Length];
        var n = 0;
        for (var i = 0; i < span.Length; i++)
        {
            if (n > 0 && span[n - 1] == span[i])
            {
                counts[n - 1]++;
            }
            else
            {
                span[n] = span[i];
                counts[n] = 1;
                n++;
            }
        }

        distinct = span[..n];
        return n;
    }
}
