namespace WalletDesk.Assistant.Entities;

/// <summary>Parses Chinese numerals such as 五十, 一千二百, 两百五 and 三点五 into decimals.</summary>
internal static class ChineseNumerals
{
    public const string Characters = "零〇一二两三四五六七八九十百千万亿点";

    public static bool TryParse(string text, out decimal value)
    {
        value = 0;
        if (text.Length == 0)
        {
            return false;
        }

        var point = text.IndexOf('点', StringComparison.Ordinal);
        if (point >= 0)
        {
            if (!TryParseInteger(text[..point], out var whole) || point == text.Length - 1)
            {
                return false;
            }

            decimal scale = 0.1m, fraction = 0;
            foreach (var c in text[(point + 1)..])
            {
                var d = Digit(c);
                if (d < 0)
                {
                    return false;
                }

                fraction += d * scale;
                scale /= 10;
            }

            value = whole + fraction;
            return true;
        }

        return TryParseInteger(text, out value);
    }

    private static bool TryParseInteger(string text, out decimal value)
    {
        value = 0;
        if (text.Length == 0)
        {
            return false;
        }

        decimal total = 0, section = 0, digit = 0;
        var lastUnit = 0m;
        var pendingDigit = false;
        foreach (var c in text)
        {
            var d = Digit(c);
            if (d >= 0)
            {
                digit = d;
                pendingDigit = true;
                if (d == 0)
                {
                    // 一百零五: after 零 a trailing digit is plain units, not the colloquial abbreviation.
                    lastUnit = 1;
                }

                continue;
            }

            decimal unit = c switch { '十' => 10, '百' => 100, '千' => 1000, _ => 0 };
            if (unit > 0)
            {
                // A bare 十 means 10 ("十五" = 15).
                section += (pendingDigit ? digit : 1) * unit;
                lastUnit = unit;
                digit = 0;
                pendingDigit = false;
                continue;
            }

            decimal big = c switch { '万' => 10_000, '亿' => 100_000_000, _ => 0 };
            if (big == 0)
            {
                return false;
            }

            section += pendingDigit ? digit : 0;
            total = big == 10_000 ? total + section * big : (total + section) * big;
            section = 0;
            digit = 0;
            lastUnit = big;
            pendingDigit = false;
        }

        if (pendingDigit)
        {
            // Colloquial abbreviation: 两百五 is 250 and 一千二 is 1,200 — a trailing digit counts in the next lower unit.
            section += lastUnit >= 100 ? digit * (lastUnit / 10) : digit;
        }

        value = total + section;
        return true;
    }

    private static int Digit(char c) => c switch
    {
        '零' or '〇' => 0,
        '一' => 1,
        '二' or '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => -1,
    };
}
