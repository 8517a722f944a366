namespace WalletDesk.Server.Features.Knowledge.Search;

/// <summary>
/// The one relevance score of the search, computed here for both providers from the candidates' analysed fields and the
/// vocabulary's statistics, so SQLite and PostgreSQL rank alike (the databases only find and pre-order candidates).
/// BM25 over weighted fields, as FTS5's <c>bm25()</c> does it: each search item's occurrences are counted per field and
/// weighted (title 10, tags 4, body 1, CJK unigrams 0.3), the weighted count saturates (k1 = 1.2) against the document's
/// length relative to the average (b = 0.75), times the item's IDF. A phrase item ("monei back") counts adjacent
/// occurrences and takes its rarest word's IDF. A common word in a title therefore adds little next to a body full of
/// the query's rarer words, which PostgreSQL's <c>ts_rank</c> (no IDF, no saturation, title weight 10× body) got wrong.
/// Chinese bigrams found in no title or tags count half (<see cref="ChineseFillerWeight"/>).
/// </summary>
internal static class Bm25
{
    private const double K1 = 1.2;
    private const double B = 0.75;
    private static readonly double[] FieldWeights = [10.0, 4.0, 1.0, 0.3];

    public static double Score(KnowledgeSearch.Candidate candidate, IReadOnlyList<string> items, VocabularySet vocab)
    {
        string[][] fields =
        [
            Split(candidate.Title), Split(candidate.Tags), Split(candidate.Body), Split(candidate.Unigrams),
        ];
        var length = fields[0].Length + fields[1].Length + fields[2].Length;
        var norm = K1 * (1 - B + (B * length / vocab.AverageLength));
        var score = 0.0;
        foreach (var item in items)
        {
            var words = item.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                continue;
            }

            var tf = 0.0;
            for (var f = 0; f < fields.Length; f++)
            {
                tf += FieldWeights[f] * Occurrences(fields[f], words);
            }

            if (tf > 0)
            {
                score += words.Max(w => Idf(w, vocab)) * ItemWeight(words, vocab) * tf * (K1 + 1) / (tf + norm);
            }
        }

        return score;
    }

    /// <summary>
    /// Chinese filler weighs less than product and feature names. Overlapping bigrams of a customer's sentence include
    /// pairs across word boundaries ("钱包的", "了怎") and function words; they can be rare, so IDF alone ranks them high.
    /// A bigram that is in no article's title or tags (where editors name products and features: 充值, 收款码, 银行卡)
    /// counts half.
    /// </summary>
    internal const double ChineseFillerWeight = 0.5;

    private static double ItemWeight(string[] words, VocabularySet vocab) =>
        words.All(w => TextAnalyzer.IsCjk(w[0])) && !words.Any(vocab.HeadTerms.Contains) ? ChineseFillerWeight : 1.0;

    /// <summary>BM25's smoothed IDF. A lone CJK character is in most texts' unigram field, which the vocabulary does not count: taken as common.</summary>
    private static double Idf(string term, VocabularySet vocab)
    {
        var df = term.Length == 1 && TextAnalyzer.IsCjk(term[0]) ? vocab.Documents : vocab.Frequency(term);
        return Math.Log(1 + ((vocab.Documents - df + 0.5) / (df + 0.5)));
    }

    private static string[] Split(string terms) => terms.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static int Occurrences(string[] field, string[] words)
    {
        var count = 0;
        for (var i = 0; i + words.Length <= field.Length; i++)
        {
            var match = true;
            for (var j = 0; j < words.Length && match; j++)
            {
                match = string.Equals(field[i + j], words[j], StringComparison.Ordinal);
            }

            if (match)
            {
                count++;
            }
        }

        return count;
    }
}
