namespace WalletDesk.Redaction;

// A bare 3-digit number shortly after a card number is its CVV when nothing but punctuation, or an
// expiry date (optionally introduced by "exp"/"有效期"), lies between them: "4111111111111111 exp 12/27 123".
internal static class CvvAfterPan
{
    private const int Window = 48;

    private static readonly string[] ExpiryWords =
        ["exp", "expiry", "expires", "expiration", "expiring", "valid", "thru", "through", "until", "till", "date", "and", "end", "ends"];

    private static readonly string[] ExpiryWordsCjk = ["有效期至", "有效期", "到期日", "到期", "过期", "日期", "至"];

    public static (int Start, int End) Find(ReadOnlySpan<char> text, int from)
    {
        var p = from;
        var limit = Math.Min(text.Length, from + Window);
        var sawExpiry = false;
        var sawWord = false;
        while (p < limit)
        {
            var c = text[p];
            if (Chars.IsSpace(c) || c is ',' or ';' or ':' or '/' or '(' or ')' or '-' or '.' or '，' or '；' or '：' or '（' or '）' or '、' or '。')
            {
                p++;
                continue;
            }

            if (char.IsAsciiLetter(c))
            {
                var e = p;
                while (e < text.Length && char.IsAsciiLetter(text[e]))
                {
                    e++;
                }

                if (!Contains(ExpiryWords, text[p..e]))
                {
                    return (-1, -1);
                }

                sawWord = true;
                p = e;
                continue;
            }

            if (Chars.IsDigit(c))
            {
                var e = p;
                while (e < text.Length && Chars.IsDigit(text[e]))
                {
                    e++;
                }

                var len = e - p;
                if (len is 1 or 2 && e + 1 < text.Length && text[e] is '/' or '-' or '／' or '.' && Chars.IsDigit(text[e + 1]))
                {
                    var e2 = e + 1;
                    while (e2 < text.Length && Chars.IsDigit(text[e2]))
                    {
                        e2++;
                    }

                    var month = Number(text[p..e]);
                    if (e2 - e - 1 is 2 or 4 && month is >= 1 and <= 12)
                    {
                        sawExpiry = true;
                        p = e2;
                        continue;
                    }

                    return (-1, -1);
                }

                if (len == 4 && sawWord && !sawExpiry && Number(text[p..(p + 2)]) is >= 1 and <= 12)
                {
                    sawExpiry = true; // "exp 1227"
                    p = e;
                    continue;
                }

                var cleanEnd = KeywordScanner.EndsCleanly(text, e);
                if (len == 3 && cleanEnd && (sawExpiry || !sawWord))
                {
                    return (p, e);
                }

                return (-1, -1);
            }

            var matched = false;
            foreach (var w in ExpiryWordsCjk)
            {
                if (text[p..].StartsWith(w, StringComparison.Ordinal))
                {
                    sawWord = true;
                    p += w.Length;
                    matched = true;
                    break;
                }
            }

            if (!matched)
            {
                return (-1, -1);
            }
        }

        return (-1, -1);
    }

    private static int Number(ReadOnlySpan<char> digits)
    {
        var v = 0;
        foreach (var c in digits)
        {
            v = (v * 10) + Chars.DigitValue(c);
        }

        return v;
    }

    private static bool Contains(string[] words, ReadOnlySpan<char> word)
    {
        foreach (var w in words)
        {
            if (word.Equals(w, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
