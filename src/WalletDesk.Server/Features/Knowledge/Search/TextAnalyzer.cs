using System.Globalization;
using System.Text;

namespace WalletDesk.Server.Features.Knowledge.Search;

/// <summary>A term found in text, with where it came from (for highlighting).</summary>
/// <param name="Term">The indexed form: an English stem, a CJK bigram or a CJK unigram.</param>
/// <param name="Start">Offset of the first character in the normalized text.</param>
/// <param name="Length">Number of characters covered in the normalized text.</param>
/// <param name="Kind">What produced it.</param>
internal readonly record struct Token(string Term, int Start, int Length, TokenKind Kind);

internal enum TokenKind
{
    Word,
    CjkSingle,
    CjkBigram,
    CjkUnigram,
}

/// <summary>
/// The one analyser behind indexing, querying and highlighting, identical on SQLite and PostgreSQL: NFKC and
/// lower-case; Latin words minus stop words, Porter-stemmed (hyphenated pairs also joined, so "top-up" matches
/// "topup"); runs of Chinese/Japanese/Korean characters as overlapping bigrams (FTS tokenizers see an unspaced
/// run as one token), plus unigrams kept apart so a one-character query still finds something.
/// </summary>
internal static class TextAnalyzer
{
    private static readonly HashSet<string> EnglishStopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "from", "by", "as", "into", "about",
        "is", "are", "was", "were", "be", "been", "being", "am", "it", "its", "this", "that", "these", "those", "there",
        "i", "me", "my", "you", "your", "we", "our", "us", "they", "them", "their", "he", "she", "his", "her",
        "do", "does", "did", "doing", "have", "has", "had", "can", "could", "would", "should", "will", "shall", "may", "might",
        "what", "why", "how", "when", "where", "which", "who", "whom", "if", "then", "so", "than", "too", "very",
        "just", "any", "some", "all", "also", "not", "no", "yet", "still", "get", "got",
    };

    // Function-word bigrams that carry no topic ("how", "what", "why", "please", "my").
    private static readonly HashSet<string> CjkStopBigrams = new(StringComparer.Ordinal)
    {
        "怎么", "什么", "为什", "如何", "一下", "请问", "你们", "我们", "我的", "的话", "了吗", "可以", "是否",
    };

    public static string Normalize(string text) => text.Normalize(NormalizationForm.FormKC).ToLowerInvariant();

    public static bool IsCjk(char c) =>
        c is >= '\u4E00' and <= '\u9FFF'   // CJK unified ideographs
            or >= '\u3400' and <= '\u4DBF' // extension A
            or >= '\uF900' and <= '\uFAFF' // compatibility ideographs
            or >= '\u3040' and <= '\u30FF' // hiragana, katakana
            or >= '\uAC00' and <= '\uD7AF'; // hangul syllables

    private static bool IsWordChar(char c) => !IsCjk(c) && (char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark);

    /// <summary>All tokens of already-normalized text, in order. Unigrams are included when <paramref name="unigrams"/> is set.</summary>
    public static List<Token> Tokenize(string normalized, bool unigrams)
    {
        var tokens = new List<Token>();
        var i = 0;
        var previousWordEnd = -1;
        string? previousWord = null;
        while (i < normalized.Length)
        {
            var c = normalized[i];
            if (IsCjk(c))
            {
                var start = i;
                while (i < normalized.Length && IsCjk(normalized[i]))
                {
                    i++;
                }

                AddCjkRun(normalized, start, i - start, tokens, unigrams);
                previousWord = null;
                continue;
            }

            if (IsWordChar(c))
            {
                var start = i;
                var word = new StringBuilder();
                while (i < normalized.Length && (IsWordChar(normalized[i]) || IsApostropheInWord(normalized, i)))
                {
                    if (IsWordChar(normalized[i]))
                    {
                        word.Append(normalized[i]);
                    }

                    i++;
                }

                var surface = word.ToString();
                // "top-up" and "e-mail" are also written "topup" and "email": index the joined form too.
                if (previousWord is not null && previousWordEnd == start - 1 && normalized[start - 1] == '-')
                {
                    var joined = previousWord + surface;
                    tokens.Add(new Token(PorterStemmer.Stem(joined), start - 1 - previousWord.Length, joined.Length + 1, TokenKind.Word));
                }

                if (!EnglishStopWords.Contains(surface))
                {
                    tokens.Add(new Token(PorterStemmer.Stem(surface), start, i - start, TokenKind.Word));
                }

                previousWord = surface;
                previousWordEnd = i;
                continue;
            }

            if (c != '-')
            {
                previousWord = null;
            }

            i++;
        }

        return tokens;
    }

    /// <summary>Where each Latin word of normalized text is (apostrophes inside a word included), as <see cref="Tokenize"/> finds them.</summary>
    public static IEnumerable<(int Start, int Length)> WordSpans(string normalized)
    {
        var i = 0;
        while (i < normalized.Length)
        {
            if (!IsWordChar(normalized[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < normalized.Length && (IsWordChar(normalized[i]) || IsApostropheInWord(normalized, i)))
            {
                i++;
            }

            yield return (start, i - start);
        }
    }

    public static bool IsStopWord(string word) => EnglishStopWords.Contains(word);

    private static bool IsApostropheInWord(string s, int i) =>
        s[i] is '\'' or '\u2019' && i > 0 && i + 1 < s.Length && char.IsLetter(s[i - 1]) && char.IsLetter(s[i + 1]);

    private static void AddCjkRun(string text, int start, int length, List<Token> tokens, bool unigrams)
    {
        if (length == 1)
        {
            // A lone character is its own word: a term of the main field, and a unigram like every other character.
            tokens.Add(new Token(text.Substring(start, 1), start, 1, TokenKind.CjkSingle));
            if (unigrams)
            {
                tokens.Add(new Token(text.Substring(start, 1), start, 1, TokenKind.CjkUnigram));
            }

            return;
        }

        for (var p = start; p < start + length - 1; p++)
        {
            var bigram = text.Substring(p, 2);
            if (!CjkStopBigrams.Contains(bigram))
            {
                tokens.Add(new Token(bigram, p, 2, TokenKind.CjkBigram));
            }
        }

        if (unigrams)
        {
            for (var p = start; p < start + length; p++)
            {
                tokens.Add(new Token(text.Substring(p, 1), p, 1, TokenKind.CjkUnigram));
            }
        }
    }

    /// <summary>The space-joined terms to index for a field, and separately its CJK unigrams.</summary>
    public static (string Terms, string Unigrams) IndexTerms(string text)
    {
        var terms = new StringBuilder(text.Length);
        var unigrams = new StringBuilder();
        foreach (var token in Tokenize(Normalize(text), unigrams: true))
        {
            var target = token.Kind == TokenKind.CjkUnigram ? unigrams : terms;
            target.Append(token.Term).Append(' ');
        }

        return (terms.ToString().TrimEnd(), unigrams.ToString().TrimEnd());
    }

    /// <summary>The distinct query terms in order of first appearance, capped so a pasted essay cannot make an expensive query.</summary>
    public static List<string> QueryTerms(string query, int max = 16)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var terms = new List<string>();
        foreach (var token in Tokenize(Normalize(query), unigrams: false))
        {
            if (seen.Add(token.Term))
            {
                terms.Add(token.Term);
                if (terms.Count == max)
                {
                    break;
                }
            }
        }

        return terms;
    }

    /// <summary>True for a plain Latin word term (the only kind typo correction applies to).</summary>
    public static bool IsLatinWord(string term)
    {
        foreach (var c in term)
        {
            if (c is < 'a' or > 'z')
            {
                return false;
            }
        }

        return term.Length > 0;
    }
}
