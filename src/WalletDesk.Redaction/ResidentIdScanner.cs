namespace WalletDesk.Redaction;

// Chinese resident identity card numbers (GB 11643): 6-digit region, 8-digit birth date, 3-digit sequence and a
// check character (ISO 7064 MOD 11-2, 'X' for 10). All three are checked, so a random 18-digit order number passes
// about 1 time in 11 × (valid region) × (valid date): rare enough to be on by default.
internal static class ResidentIdScanner
{
    private const int Length = 18;
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    public static void Scan(string text, Redactions acc)
    {
        var span = text.AsSpan();
        Span<char> id = stackalloc char[Length];
        var pos = 0;
        while (pos < span.Length)
        {
            var rel = span[pos..].IndexOfAny(Chars.Digits);
            if (rel < 0)
            {
                return;
            }

            var start = pos + rel;
            var end = start;
            while (end < span.Length && Chars.IsDigit(span[end]))
            {
                end++;
            }

            pos = end;
            if (start > 0 && char.IsAsciiLetterOrDigit(span[start - 1]) && !char.IsAsciiLetterUpper(span[start - 1]))
            {
                continue; // inside a lowercase token or a longer number
            }

            // Most numbers in a message are dates, amounts and short references: the region prefix turns them away cheaply.
            if (end - start >= 2 && !IsRegion((Chars.DigitValue(span[start]) * 10) + Chars.DigitValue(span[start + 1])))
            {
                continue;
            }

            var idEnd = Read(span, start, id);
            if (idEnd > 0 && IsValid(id))
            {
                acc.TryAdd(start, idEnd, Mask(id), RedactionKind.ResidentId);
                pos = idEnd;
            }
        }
    }

    /// <summary>Checks an 18-character number (digits, last may be X): region, birth date and check character.</summary>
    public static bool IsValid(ReadOnlySpan<char> id)
    {
        if (!IsRegion((Chars.DigitValue(id[0]) * 10) + Chars.DigitValue(id[1])))
        {
            return false;
        }

        var year = Number(id[6..10]);
        var month = Number(id[10..12]);
        var day = Number(id[12..14]);
        if (year is < 1900 or > 2099 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < Length - 1; i++)
        {
            sum += Chars.DigitValue(id[i]) * Weights[i];
        }

        return char.ToUpperInvariant(id[Length - 1]) == CheckCharacters[sum % 11];
    }

    // Reads 17 digits and a digit or X, allowing one space or dash between digits ("110101 19900307 451X").
    // Returns the end of the number in text, or -1 when it is not exactly 18 characters long.
    private static int Read(ReadOnlySpan<char> text, int start, Span<char> id)
    {
        var n = 0;
        var p = start;
        while (n < Length && p < text.Length)
        {
            var c = text[p];
            if (Chars.IsDigit(c))
            {
                id[n++] = Chars.ToAsciiDigit(c);
                p++;
            }
            else if (n == Length - 1 && c is 'X' or 'x' or '\uFF38' or '\uFF58')
            {
                id[n++] = 'X';
                p++;
            }
            else if (n > 0 && c is ' ' or '-' or '\u3000' or '\u00A0' && p + 1 < text.Length
                && (Chars.IsDigit(text[p + 1]) || (n == Length - 1 && text[p + 1] is 'X' or 'x')))
            {
                p++;
            }
            else
            {
                return -1;
            }
        }

        if (n < Length || (p < text.Length && (Chars.IsDigit(text[p]) || char.IsAsciiLetterOrDigit(text[p]))))
        {
            return -1;
        }

        return p;
    }

    // Province-level codes of GB/T 2260, plus 71 (Taiwan), 81/82 (Hong Kong, Macao) and 83 (Taiwan residents' permits).
    private static bool IsRegion(int code) =>
        code is (>= 11 and <= 15) or (>= 21 and <= 23) or (>= 31 and <= 37) or (>= 41 and <= 46) or (>= 50 and <= 54)
            or (>= 61 and <= 65) or 71 or 81 or 82 or 83;

    private static int Number(ReadOnlySpan<char> digits)
    {
        var v = 0;
        foreach (var c in digits)
        {
            v = (v * 10) + (c - '0');
        }

        return v;
    }

    // First 3 and last 4 characters stay, as Chinese services print an ID number: 110***********451X.
    private static string Mask(ReadOnlySpan<char> id) => string.Concat(id[..3], new string('*', Length - 7), id[^4..]);
}
