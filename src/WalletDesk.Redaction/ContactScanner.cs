namespace WalletDesk.Redaction;

// The identifiers an operator may choose to mask (RedactionRules): passports, bank accounts, phone numbers.
// Off by default, so their cost is only paid when an operator turns them on.
internal static class ContactScanner
{
    private static readonly string[] PassportWords = ["passport number", "passport no", "passport", "护照号码", "护照号", "护照"];

    private static readonly string[] AccountWords =
    [
        "bank account number", "bank account no", "bank account", "account number", "account no", "acct no", "acct",
        "银行账号", "银行账户", "银行卡号", "收款账号", "账号", "账户号", "帐号",
    ];

    // Words and marks that may sit between a keyword and its value: "passport no.: E12345678", "账号是 6222…".
    private static readonly string[] GapWords = ["number", "no", "num", "is", "was", "my", "the", "是", "为", "號碼", "号码", "号", "：", "，"];

    public static void ScanPassports(string text, Redactions acc)
    {
        var span = text.AsSpan();

        // Chinese passports need no keyword: E/G + 8 digits, or E + letter + 7 digits, standing alone.
        for (var i = 0; i + 9 <= span.Length; i++)
        {
            if (span[i] is not ('E' or 'G') || (i > 0 && char.IsAsciiLetterOrDigit(span[i - 1]))
                || (i + 9 < span.Length && char.IsAsciiLetterOrDigit(span[i + 9])))
            {
                continue;
            }

            var second = span[i + 1];
            var digitsFrom = char.IsAsciiDigit(second) ? i + 1 : span[i] == 'E' && char.IsAsciiLetterUpper(second) && second is not ('I' or 'O') ? i + 2 : -1;
            if (digitsFrom > 0 && AllAsciiDigits(span[digitsFrom..(i + 9)]))
            {
                acc.TryAdd(i, i + 9, Markers.Passport, RedactionKind.Passport);
            }
        }

        foreach (var (_, valueStart) in Keywords(span, PassportWords))
        {
            var end = valueStart;
            var digits = 0;
            while (end < span.Length && char.IsAsciiLetterOrDigit(span[end]))
            {
                digits += char.IsAsciiDigit(span[end]) ? 1 : 0;
                end++;
            }

            if (end - valueStart is >= 6 and <= 9 && digits >= 5 && (end == span.Length || !Chars.IsDigit(span[end])))
            {
                acc.TryAdd(valueStart, end, Markers.Passport, RedactionKind.Passport);
            }
        }
    }

    public static void ScanBankAccounts(string text, Redactions acc)
    {
        var span = text.AsSpan();
        foreach (var (_, valueStart) in Keywords(span, AccountWords))
        {
            var (end, digits) = ReadNumber(span, valueStart, allowParens: false);
            if (digits is >= 8 and <= 30)
            {
                acc.TryAdd(valueStart, end, LastFour(span[valueStart..end]), RedactionKind.BankAccount);
            }
        }

        // IBANs carry their own check digits, so they need no keyword.
        for (var i = 0; i + 15 <= span.Length; i++)
        {
            if (char.IsAsciiLetterUpper(span[i]) && char.IsAsciiLetterUpper(span[i + 1]) && char.IsAsciiDigit(span[i + 2]) && char.IsAsciiDigit(span[i + 3])
                && (i == 0 || !char.IsAsciiLetterOrDigit(span[i - 1])) && Iban.LongestValidEnd(span, i) is var end and > 0)
            {
                acc.TryAdd(i, end, LastFour(span[i..end]), RedactionKind.BankAccount);
                i = end;
            }
        }
    }

    public static void ScanPhones(string text, Redactions acc)
    {
        var span = text.AsSpan();
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (c is '+' or '\uFF0B' && i + 1 < span.Length && Chars.IsDigit(span[i + 1]))
            {
                // "+86 138 0013 8000", "+1 (415) 555-0100": E.164 allows 7 to 15 digits.
                var (end, digits) = ReadNumber(span, i + 1, allowParens: true);
                if (digits is >= 7 and <= 15)
                {
                    acc.TryAdd(i, end, LastFour(span[i..end]), RedactionKind.Phone);
                }

                i = Math.Max(i, end - 1);
            }
            else if (c == '1' && (i == 0 || !(char.IsAsciiLetterOrDigit(span[i - 1]) || Chars.IsDigit(span[i - 1]))))
            {
                // Chinese mobiles: 1[3-9] and 9 more digits, contiguous or 3-4-4.
                var (end, digits) = ReadNumber(span, i, allowParens: false);
                if (digits == 11 && span[i + 1] is >= '3' and <= '9' && (end == span.Length || !char.IsAsciiLetter(span[end])))
                {
                    acc.TryAdd(i, end, LastFour(span[i..end]), RedactionKind.Phone);
                }

                i = Math.Max(i, end - 1);
            }
        }
    }

    // Digits with at most one space, dash or dot between them (and brackets for phone area codes).
    private static (int End, int Digits) ReadNumber(ReadOnlySpan<char> text, int start, bool allowParens)
    {
        var p = start;
        var digits = 0;
        var end = start;
        while (p < text.Length)
        {
            var c = text[p];
            if (Chars.IsDigit(c))
            {
                digits++;
                p++;
                end = p;
                continue;
            }

            var separator = c is ' ' or '-' or '.' or '\u00A0' or '\u3000' || (allowParens && c is '(' or ')');
            if (separator && digits > 0 && p + 1 < text.Length && (Chars.IsDigit(text[p + 1]) || (allowParens && text[p + 1] is '(' or ' ')))
            {
                p++;
                continue;
            }

            if (allowParens && c == '(' && digits > 0)
            {
                p++;
                continue;
            }

            break;
        }

        return (end, digits);
    }

    // Yields, for each keyword found (ASCII case-insensitive, at word boundaries), where its value starts.
    private static List<(int Keyword, int ValueStart)> Keywords(ReadOnlySpan<char> text, string[] words)
    {
        var found = new List<(int, int)>();
        for (var i = 0; i < text.Length; i++)
        {
            foreach (var w in words)
            {
                if (!text[i..].StartsWith(w, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var ascii = char.IsAsciiLetter(w[0]);
                if (ascii && ((i > 0 && char.IsAsciiLetter(text[i - 1])) || (i + w.Length < text.Length && char.IsAsciiLetter(text[i + w.Length]))))
                {
                    continue;
                }

                found.Add((i, SkipGap(text, i + w.Length)));
                i += w.Length - 1;
                break;
            }
        }

        return found;
    }

    private static int SkipGap(ReadOnlySpan<char> text, int p)
    {
        var limit = Math.Min(text.Length, p + 24);
        while (p < limit)
        {
            var c = text[p];
            if (char.IsWhiteSpace(c) || c is ':' or '#' or '.' or '=' or '(' or ')' or '"' or '\'' or '「' or '」')
            {
                p++;
                continue;
            }

            var matched = false;
            foreach (var w in GapWords)
            {
                if (text[p..].StartsWith(w, StringComparison.OrdinalIgnoreCase)
                    && (!char.IsAsciiLetter(w[0]) || p + w.Length == text.Length || !char.IsAsciiLetter(text[p + w.Length])))
                {
                    p += w.Length;
                    matched = true;
                    break;
                }
            }

            if (!matched)
            {
                break;
            }
        }

        return p;
    }

    private static bool AllAsciiDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    // "****8000": the last four digits, so a customer and an agent can still tell which number was meant.
    private static string LastFour(ReadOnlySpan<char> value)
    {
        Span<char> last = stackalloc char[4];
        var n = 0;
        for (var i = value.Length - 1; i >= 0 && n < 4; i--)
        {
            if (Chars.IsDigit(value[i]))
            {
                last[3 - n++] = Chars.ToAsciiDigit(value[i]);
            }
        }

        return string.Concat("****", last[(4 - n)..]);
    }
}
