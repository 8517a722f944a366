using System.Text;

namespace WalletDesk.Redaction.Tests;

// Deterministic generators shared by the property and false-positive tests. Random is seeded; nothing here is secret.
#pragma warning disable CA5394
internal static class Generators
{
    private static readonly string[] Iins = ["4", "51", "52", "53", "54", "55", "2221", "2720", "34", "37", "6011", "65", "62", "35", "36", "30", "81"];

    public static readonly string[] EnglishWords =
    [
        "hello", "my", "card", "is", "please", "refund", "the", "payment", "failed", "yesterday", "and", "wallet", "order",
        "thanks", "number", "charged", "twice", "merchant", "help", "account", "why", "was", "it", "declined", "top-up",
    ];

    public static readonly string[] ChineseWords =
    [
        "你好", "我的", "卡号", "是", "请", "退款", "支付", "失败", "昨天", "钱包", "订单", "谢谢", "扣款", "两次", "商家",
        "帮忙", "账户", "为什么", "被拒绝", "充值", "银行卡",
    ];

    public static string LuhnComplete(string body)
    {
        for (var d = 0; d <= 9; d++)
        {
            var candidate = body + (char)('0' + d);
            if (IsLuhn(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("unreachable");
    }

    public static bool IsLuhn(string digits)
    {
        var sum = 0;
        var dbl = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (dbl)
            {
                d = d * 2 > 9 ? (d * 2) - 9 : d * 2;
            }

            sum += d;
            dbl = !dbl;
        }

        return sum % 10 == 0;
    }

    public static string Digits(Random random, int count)
    {
        var sb = new StringBuilder(count);
        for (var i = 0; i < count; i++)
        {
            sb.Append((char)('0' + random.Next(10)));
        }

        return sb.ToString();
    }

    /// <summary>A Luhn-valid number: half with a real brand prefix, half entirely random (any first digit).</summary>
    public static string Pan(Random random, int length)
    {
        var prefix = random.Next(2) == 0 ? Iins[random.Next(Iins.Length)] : string.Empty;
        return LuhnComplete(prefix + Digits(random, length - 1 - prefix.Length));
    }

    public static string Words(Random random, bool chinese, int count)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            if (chinese)
            {
                sb.Append(ChineseWords[random.Next(ChineseWords.Length)]);
            }
            else
            {
                if (i > 0)
                {
                    sb.Append(' ');
                }

                sb.Append(EnglishWords[random.Next(EnglishWords.Length)]);
            }
        }

        return sb.ToString();
    }

    public static string ToFullWidth(string s)
    {
        var chars = s.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] is >= '0' and <= '9')
            {
                chars[i] = (char)('０' + (chars[i] - '0'));
            }
        }

        return new string(chars);
    }

    /// <summary>
    /// The grouping people type: 4-6-5 for 15 digits (Amex) and 4-6-4 for 14 (Diners) half the time, otherwise fours;
    /// one gap string from <paramref name="gaps"/> throughout, or a fresh one per gap when <paramref name="mixed"/>.
    /// </summary>
    public static string CardGroups(Random random, string pan, string[] gaps, bool mixed = false)
    {
        int[] sizes = pan.Length is 14 or 15 && random.Next(2) == 0 ? [4, 6, pan.Length - 10] : [];
        var sb = new StringBuilder();
        var gap = gaps[random.Next(gaps.Length)];
        var p = 0;
        for (var k = 0; p < pan.Length; k++)
        {
            var size = k < sizes.Length ? sizes[k] : 4;
            if (p > 0)
            {
                sb.Append(mixed ? gaps[random.Next(gaps.Length)] : gap);
            }

            sb.Append(pan, p, Math.Min(size, pan.Length - p));
            p += size;
        }

        return sb.ToString();
    }

    private static readonly string[] GlueBefore = ["card", "mycard", "Card", "cardno", "no", "visa", "VISA", "卡号", "银行卡", "号码", "pan", "is"];

    private static readonly string[] GlueAfter = ["", "please", "thanks", "ok", "谢谢", "请查", "exp", "."];

    /// <summary>The number typed without spaces against a word before it, after it, or both.</summary>
    public static string GluedToWords(Random random, string written) =>
        GlueBefore[random.Next(GlueBefore.Length)] + written + GlueAfter[random.Next(GlueAfter.Length)];

    public static string GroupsOf4(string pan, char separator)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < pan.Length; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                sb.Append(separator);
            }

            sb.Append(pan[i]);
        }

        return sb.ToString();
    }

    /// <summary>At most one separator between any two digits, chosen at random from <paramref name="separators"/>.</summary>
    public static string RandomSeparators(Random random, string pan, string separators, double rate)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < pan.Length; i++)
        {
            if (i > 0 && random.NextDouble() < rate)
            {
                sb.Append(separators[random.Next(separators.Length)]);
            }

            sb.Append(pan[i]);
        }

        return sb.ToString();
    }
}
#pragma warning restore CA5394
