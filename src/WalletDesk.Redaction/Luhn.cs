namespace WalletDesk.Redaction;

internal static class Luhn
{
    public static bool IsValid(ReadOnlySpan<char> text, ReadOnlySpan<DigitGroup> groups, int first, int last)
    {
        var sum = 0;
        var doubleIt = false;
        for (var g = last; g >= first; g--)
        {
            var group = groups[g];
            for (var i = group.End - 1; i >= group.Start; i--)
            {
                var d = Chars.DigitValue(text[i]);
                if (doubleIt)
                {
                    d *= 2;
                    if (d > 9)
                    {
                        d -= 9;
                    }
                }

                sum += d;
                doubleIt = !doubleIt;
            }
        }

        return sum % 10 == 0;
    }

    public static bool IsValid(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = Chars.DigitValue(digits[i]);
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0;
    }
}

/// <summary>
/// A maximal run of digits inside a candidate card number; the gap before it is <c>text[GapStart..Start]</c>
/// (empty for the first group).
/// </summary>
internal readonly record struct DigitGroup(int Start, int End, int GapStart)
{
    public int Length => End - Start;

    public int GapLength => Start - GapStart;

    public ReadOnlySpan<char> Gap(ReadOnlySpan<char> text) => text[GapStart..Start];

    // The separators card numbers have always been written with: exactly one space, dash or dot (any width).
    public bool HasClassicGap(ReadOnlySpan<char> text) => GapLength == 1 && Chars.IsPanSeparator(text[GapStart]);

    // Only spacing (spaces, tabs, line breaks, invisible characters) between this group and the one before.
    public bool HasSpacingGap(ReadOnlySpan<char> text)
    {
        foreach (var c in Gap(text))
        {
            if (!Chars.IsPanSpace(c))
            {
                return false;
            }
        }

        return GapLength > 0;
    }

    public bool SameGapAs(ReadOnlySpan<char> text, DigitGroup other) => Gap(text).SequenceEqual(other.Gap(text));
}
