using System.Globalization;
using System.Text;

namespace WalletDesk.Assistant.Intents;

/// <summary>A token of normalised text: a Latin/alphanumeric word, a single CJK character or a currency symbol.</summary>
internal readonly record struct Token(string Text, TokenKind Kind);

internal enum TokenKind : byte
{
    Word,
    Cjk,
    Symbol,
}

/// <summary>
/// Canonicalises raw customer text before feature extraction so that the same request typed on a phone,
/// a Chinese IME or a desktop keyboard produces the same tokens.
/// </summary>
internal static class TextNormalizer
{
    /// <summary>Longer input is truncated: intent is carried by the first sentences, and the cap bounds prediction time.</summary>
    public const int MaxChars = 1000;

    public const int MaxTokens = 200;

    /// <summary>Words longer than this are cut so one pasted blob cannot explode the character n-gram count.</summary>
    public const int MaxWordChars = 24;

    /// <summary>Every run of digits becomes this one character: amounts and dates vary, their presence is what matters.</summary>
    public const char DigitPlaceholder = '#';

    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var span = text.AsSpan(0, Math.Min(text.Length, MaxChars));
        var clean = new StringBuilder(span.Length);
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                clean.Append(c).Append(span[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                // A lone surrogate (for example from truncation) would make string.Normalize throw.
                clean.Append(' ');
            }
            else if (c is '\u2019' or '\u2018' or '\u02BC')
            {
                clean.Append('\'');
            }
            else
            {
                clean.Append(c);
            }
        }

        // NFKC folds full-width Latin letters, digits and punctuation (common with Chinese IMEs) to ASCII.
        return clean.ToString().Normalize(NormalizationForm.FormKC).ToLowerInvariant();
    }

    public static List<Token> Tokenize(string? text)
    {
        var normalized = Normalize(text);
        var tokens = new List<Token>(Math.Min(normalized.Length / 3 + 4, MaxTokens));
        var word = new StringBuilder(MaxWordChars);

        void Flush()
        {
            if (word.Length > 0)
            {
                tokens.Add(new Token(word.ToString(), TokenKind.Word));
                word.Clear();
            }
        }

        for (var i = 0; i < normalized.Length && tokens.Count < MaxTokens; i++)
        {
            var c = normalized[i];
            if (IsCjk(c))
            {
                Flush();
                tokens.Add(new Token(c.ToString(), TokenKind.Cjk));
            }
            else if (char.IsDigit(c))
            {
                if (word.Length == 0 || word[^1] != DigitPlaceholder)
                {
                    AppendCapped(word, DigitPlaceholder);
                }
            }
            else if (char.IsLetter(c))
            {
                AppendCapped(word, c);
            }
            else if (c == '\'' && word.Length > 0)
            {
                // "don't" and "dont" should be the same word; customers type both.
            }
            else if (c == '.' && word.Length > 0 && word[^1] == DigitPlaceholder && i + 1 < normalized.Length && char.IsDigit(normalized[i + 1]))
            {
                // "12.50" stays one number token.
            }
            else
            {
                Flush();
                if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.CurrencySymbol)
                {
                    tokens.Add(new Token(c.ToString(), TokenKind.Symbol));
                }
            }
        }

        Flush();
        return tokens;
    }

    private static void AppendCapped(StringBuilder word, char c)
    {
        if (word.Length < MaxWordChars)
        {
            word.Append(c);
        }
    }

    /// <summary>Han ideographs, kana and Hangul: scripts written without spaces, so each character is a token.</summary>
    public static bool IsCjk(char c) =>
        c is (>= '\u4E00' and <= '\u9FFF') or (>= '\u3400' and <= '\u4DBF') or (>= '\uF900' and <= '\uFAFF')
            or (>= '\u3040' and <= '\u30FF') or (>= '\uAC00' and <= '\uD7AF');

    /// <summary>
    /// A deliberately light English suffix stripper (plural, -ing, -ed). Character n-grams already cover
    /// morphology; this only lets "transfers", "transferred" and "transferring" share a word feature.
    /// </summary>
    public static string Stem(string word)
    {
        if (word.Length <= 3 || word.Contains(DigitPlaceholder, StringComparison.Ordinal))
        {
            return word;
        }

        string stem = word;
        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length > 4)
        {
            stem = word[..^3] + "y";
        }
        else if (word.EndsWith("sses", StringComparison.Ordinal))
        {
            stem = word[..^2];
        }
        else if (word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal)
            && !word.EndsWith("us", StringComparison.Ordinal) && !word.EndsWith("is", StringComparison.Ordinal))
        {
            stem = word[..^1];
        }
        else if (word.EndsWith("ing", StringComparison.Ordinal) && word.Length >= 6)
        {
            stem = UndoubleConsonant(word[..^3]);
        }
        else if (word.EndsWith("ed", StringComparison.Ordinal) && word.Length >= 5)
        {
            stem = UndoubleConsonant(word[..^2]);
        }

        // "charge", "charged" and "charging" all end up as "charg".
        return stem.Length > 4 && stem.EndsWith('e') ? stem[..^1] : stem;
    }

    private static string UndoubleConsonant(string s) =>
        s.Length >= 4 && s[^1] == s[^2] && s[^1] is not ('l' or 's' or 'z' or 'e' or 'o') ? s[..^1] : s;
}
