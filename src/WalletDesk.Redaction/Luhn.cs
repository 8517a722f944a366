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

/// <summary>A maximal run of digits inside a candidate card number; <see cref="Separator"/> is the char before it ('\0' for the first).</summary>
internal readonly record struct DigitGroup(int Start, int End, char Separator)
{
    public int Length => End - Start;
}
