namespace WalletDesk.Redaction;

// IBANs such as "DE89 3704 0044 0532 0130 00" contain long digit runs that pass Luhn one time in ten.
// A mod-97-valid IBAN is recognised and its digits are left alone.
internal static class Iban
{
    public static bool Covers(ReadOnlySpan<char> text, int runStart, int runEnd)
    {
        // An IBAN is at most 34 characters plus grouping spaces, so its start is within ~45 chars before the run.
        var from = Math.Max(0, runStart - 45);
        for (var i = from; i <= runStart && i + 4 <= text.Length; i++)
        {
            // The country code is written in capitals; a lowercase word glued to a card number ("is4111…") that
            // happens to close mod 97 (1 in 97) must not hide it.
            if (!char.IsAsciiLetterUpper(text[i]) || !char.IsAsciiLetterUpper(text[i + 1])
                || !char.IsAsciiDigit(text[i + 2]) || !char.IsAsciiDigit(text[i + 3]))
            {
                continue;
            }

            if (i > 0 && char.IsAsciiLetterOrDigit(text[i - 1]))
            {
                continue;
            }

            var end = LongestValidEnd(text, i);
            if (end >= runEnd)
            {
                return true;
            }
        }

        return false;
    }

    // Returns the end index of the longest mod-97-valid IBAN starting at start, or -1.
    internal static int LongestValidEnd(ReadOnlySpan<char> text, int start)
    {
        var best = -1;
        var count = 0;
        var remainder = 0;
        var p = start;
        while (p < text.Length && count < 34)
        {
            var c = text[p];
            if (char.IsAsciiLetterOrDigit(c))
            {
                if (count >= 4)
                {
                    remainder = Append(remainder, c);
                }

                count++;
                p++;
                if (count >= 15 && (p == text.Length || !char.IsAsciiLetterOrDigit(text[p])) && Closes(text, start, remainder))
                {
                    best = p;
                }

                continue;
            }

            // Printed IBANs group by single spaces.
            if (c == ' ' && p + 1 < text.Length && char.IsAsciiLetterOrDigit(text[p + 1]) && count >= 4)
            {
                p++;
                continue;
            }

            break;
        }

        return best;
    }

    private static bool Closes(ReadOnlySpan<char> text, int start, int remainder)
    {
        for (var k = 0; k < 4; k++)
        {
            remainder = Append(remainder, text[start + k]);
        }

        return remainder == 1;
    }

    private static int Append(int remainder, char c)
    {
        if (char.IsAsciiDigit(c))
        {
            return ((remainder * 10) + (c - '0')) % 97;
        }

        var v = char.ToUpperInvariant(c) - 'A' + 10;
        return ((remainder * 100) + v) % 97;
    }
}
