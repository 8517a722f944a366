using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace WalletDesk.Redaction.Tests;

// Measures how often look-alike numbers are redacted. The bounds are the ones documented in docs/redaction.md;
// "0" classes are excluded by a rule, the numeric order-number classes are ~10% by design (Luhn passes 1 in 10).
#pragma warning disable CA5394
public class FalsePositiveTests(ITestOutputHelper output)
{
    private const int Samples = 5_000;

    public static TheoryData<string, double> Classes() => new()
    {
        { "phone-plus-international", 0.0 },
        { "phone-cn-mobile", 0.0 },
        { "phone-without-plus-13-15-digits", 0.12 },
        { "iban", 0.0 },
        { "order-id-prefixed", 0.0 },
        { "order-id-numeric-16", 0.12 },
        { "order-id-numeric-18-cn", 0.12 },
        { "transaction-ref", 0.0 },
        { "non-luhn-16", 0.002 },
        { "dates-times-amounts-urls", 0.0 },
        { "numbers-in-lists-and-lines", 0.015 },
        { "chinese-text-with-numbers", 0.0 },
    };

    public static IEnumerable<string> ClassNames() => Classes().Select(row => (string)row[0]);

    [Theory]
    [MemberData(nameof(Classes))]
    public void Redact_LookAlikeNumbers_FalsePositiveRateWithinDocumentedBound(string kind, double bound)
    {
        var random = new Random(kind.Length * 7919);
        var redacted = 0;
        string? example = null;
        for (var i = 0; i < Samples; i++)
        {
            var input = Generate(random, kind);
            var result = Redactor.Redact(input);
            if (result.WasRedacted)
            {
                redacted++;
                example ??= $"{input} -> {result.Text}";
            }
        }

        var rate = (double)redacted / Samples;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FP {kind}: {redacted}/{Samples} = {rate:P2} (bound {bound:P1}) e.g. {example}"));
        rate.ShouldBeLessThanOrEqualTo(bound, example);
    }

    [Fact]
    public void Redact_NumericOrderIds_AreMaskedExactlyWhenLuhnValid()
    {
        // The documented trade-off: a Luhn-valid 16-digit order number is indistinguishable from a card number.
        var random = new Random(16);
        for (var i = 0; i < 2_000; i++)
        {
            var id = Generators.Digits(random, 16);
            Redactor.Redact($"order {id}").WasRedacted.ShouldBe(Generators.IsLuhn(id), id);
        }
    }

    internal static string Generate(Random r, string kind) => kind switch
    {
        "phone-plus-international" => PlusPhone(r),
        "phone-cn-mobile" => CnMobile(r),
        "phone-without-plus-13-15-digits" => Pick(r, [
            $"call 0086 1{(char)('3' + r.Next(7))}{Generators.Digits(r, 1)} {Generators.Digits(r, 4)} {Generators.Digits(r, 4)}",
            $"tel 86 1{(char)('3' + r.Next(7))}{Generators.Digits(r, 9)}", $"0044 7{Generators.Digits(r, 9)}"]),
        "iban" => Iban(r),
        "order-id-prefixed" => Pick(r, [
            $"Order ORD-{Date(r)}-{Generators.Digits(r, 6)}", $"订单号：SO{Generators.Digits(r, 16)}", $"order #INV{Generators.Digits(r, 14)}",
            $"PO{Date(r)}{Generators.Digits(r, 8)} shipped"]),
        "order-id-numeric-16" => Pick(r, [$"order {Generators.Digits(r, 16)}", $"订单号{Generators.Digits(r, 16)}"]),
        "order-id-numeric-18-cn" => $"订单编号：{Date(r)}{Generators.Digits(r, 10)}",
        "transaction-ref" => Pick(r, [
            $"ref TX-{Alnum(r, 6)}", $"流水号 T{Date(r)}-{Generators.Digits(r, 6)}", $"微信支付单号{"42000"}{Generators.Digits(r, 23)}",
            $"支付宝交易号 {Date(r)}2200{Generators.Digits(r, 16)}", $"transfer id {Guid(r)}", $"txn {Alnum(r, 4)}-{Alnum(r, 4)}-{Alnum(r, 4)}"]),
        "non-luhn-16" => NonLuhn(r),
        "dates-times-amounts-urls" => Pick(r, [
            $"paid {r.Next(1, 99999)}.{r.Next(10, 99)} USD on {Date(r)[..4]}-{Date(r)[4..6]}-{Date(r)[6..]} {r.Next(10, 23)}:{r.Next(10, 59)}:{r.Next(10, 59)}",
            $"金额 ¥{r.Next(1, 999)},{r.Next(100, 999)},{r.Next(100, 999)}.{r.Next(10, 99)}",
            $"https://shop.example.com/orders/{Generators.Digits(r, 8)}/items/{Generators.Digits(r, 6)}?page={r.Next(1, 99)}",
            $"from {Dashed(Date(r))} to {Dashed(Date(r))}", $"stay {Dashed(Date(r))} {Dashed(Date(r))}",
            $"{r.Next(1, 255)}.{r.Next(1, 255)}.{r.Next(1, 255)}.{r.Next(1, 255)}", $"v{r.Next(1, 20)}.{r.Next(0, 99)}.{r.Next(0, 999)}"]),
        "numbers-in-lists-and-lines" => NumbersInListsAndLines(r),
        "chinese-text-with-numbers" => Pick(r, [
            $"我在{Date(r)[..4]}年{r.Next(1, 12)}月{r.Next(1, 28)}日充值了{r.Next(1, 9999)}元，订单号{Generators.Digits(r, 8)}，还没到账",
            $"转账{r.Next(1, 50000)}.{r.Next(10, 99)}元给尾号{Generators.Digits(r, 4)}的账户，手机{CnMobile(r)}",
            $"第{r.Next(1, 9)}次提现，{r.Next(1, 999)}，{r.Next(100, 999)}元，{Dashed(Date(r))} {r.Next(10, 23)}:{r.Next(10, 59)}",
            $"验证失败{r.Next(1, 9)}次，账户余额 ¥{r.Next(1, 99)},{r.Next(100, 999)}.{r.Next(10, 99)}，客服工号{Generators.Digits(r, 5)}"]),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    // Short numbers next to each other across commas, slashes and line breaks: the gaps a card number may now have.
    private static string NumbersInListsAndLines(Random r) => r.Next(9) switch
    {
        8 => $"charged {r.Next(1000, 9999)}, {r.Next(1000, 9999)}, {r.Next(1000, 9999)}, {r.Next(1000, 9999)}",
        0 => $"orders {Generators.Digits(r, 8)}, {Generators.Digits(r, 8)}, {Generators.Digits(r, 6)}",
        1 => $"paid {r.Next(100, 9999)}, {r.Next(100, 9999)}, {r.Next(100, 9999)} and {r.Next(100, 9999)}",
        2 => $"{Dashed(Date(r))}\n{r.Next(10, 9999)}.{r.Next(10, 99)}\n{Dashed(Date(r))}\n{r.Next(10, 9999)}.{r.Next(10, 99)}",
        3 => $"{Date(r)[..4]}/{Date(r)[4..6]}/{Date(r)[6..]}, {Date(r)[..4]}/{Date(r)[4..6]}/{Date(r)[6..]}",
        4 => $"phones: {CnMobileDigits(r)}, {CnMobileDigits(r)}",
        5 => $"+1 {Generators.Digits(r, 3)} {Generators.Digits(r, 3)} {Generators.Digits(r, 4)} / +86 {CnMobileDigits(r)}",
        6 => $"order {Generators.Digits(r, 6)}\nqty {r.Next(1, 9)}\n{Generators.Digits(r, 5)}  {Generators.Digits(r, 4)}",
        _ => $"{r.Next(1, 12)}/{r.Next(20, 35)}, {Generators.Digits(r, 4)}, {Generators.Digits(r, 3)}",
    };

    private static string CnMobileDigits(Random r) => "1" + (char)('3' + r.Next(7)) + Generators.Digits(r, 9);

    private static string Pick(Random r, string[] options) => options[r.Next(options.Length)];

    private static string Date(Random r) =>
        new DateOnly(2020, 1, 1).AddDays(r.Next(0, 3650)).ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string Dashed(string yyyymmdd) => $"{yyyymmdd[..4]}-{yyyymmdd[4..6]}-{yyyymmdd[6..]}";

    private static string Alnum(Random r, int n)
    {
        const string chars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        var sb = new StringBuilder();
        for (var i = 0; i < n; i++)
        {
            sb.Append(chars[r.Next(chars.Length)]);
        }

        return sb.ToString();
    }

    private static string Guid(Random r)
    {
        var bytes = new byte[16];
        r.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }

    private static string PlusPhone(Random r)
    {
        var (cc, national) = r.Next(6) switch
        {
            0 => ("1", Generators.Digits(r, 10)),
            1 => ("86", "1" + (char)('3' + r.Next(7)) + Generators.Digits(r, 9)),
            2 => ("44", "7" + Generators.Digits(r, 9)),
            3 => ("49", Generators.Digits(r, 11)),
            4 => ("852", Generators.Digits(r, 8)),
            _ => ("33", Generators.Digits(r, 9)),
        };
        var body = r.Next(4) switch
        {
            0 => national,
            1 => Generators.RandomSeparators(r, national, " ", 0.3),
            2 => Generators.RandomSeparators(r, national, "-", 0.3),
            _ => cc == "1" ? $"({national[..3]}) {national[3..6]}-{national[6..]}" : national,
        };
        var sep = r.Next(3) == 0 ? string.Empty : " ";
        return Pick(r, [$"call me at +{cc}{sep}{body}", $"电话：+{cc}{sep}{body}", $"+{cc}{sep}{body}"]);
    }

    private static string CnMobile(Random r)
    {
        var n = "1" + (char)('3' + r.Next(7)) + Generators.Digits(r, 9);
        var written = r.Next(4) switch
        {
            0 => n,
            1 => $"{n[..3]} {n[3..7]} {n[7..]}",
            2 => $"{n[..3]}-{n[3..7]}-{n[7..]}",
            _ => "+86 " + n,
        };
        return Pick(r, [$"手机号{written}", $"我的手机是 {written}，谢谢", $"call {written}"]);
    }

    private static string NonLuhn(Random r)
    {
        string n;
        do
        {
            n = Generators.Digits(r, 16);
        }
        while (Generators.IsLuhn(n));

        return Pick(r, [n, Generators.GroupsOf4(n, ' '), Generators.GroupsOf4(n, '-'), $"卡号{n}", $"card {Generators.RandomSeparators(r, n, " -.", 0.3)}"]);
    }

    private static string Iban(Random r)
    {
        var (cc, bban) = r.Next(5) switch
        {
            0 => ("GB", Letters(r, 4) + Generators.Digits(r, 14)),
            1 => ("DE", Generators.Digits(r, 18)),
            2 => ("FR", Generators.Digits(r, 10) + Alnum(r, 11) + Generators.Digits(r, 2)),
            3 => ("ES", Generators.Digits(r, 20)),
            _ => ("NL", Letters(r, 4) + Generators.Digits(r, 10)),
        };
        var check = 98 - Mod97(bban + cc + "00");
        var iban = $"{cc}{check:00}{bban}";
        var written = r.Next(2) == 0 ? iban : Generators.GroupsOf4(iban, ' ');
        return Pick(r, [$"IBAN {written}", $"please send to {written} thanks", $"收款账户：{written}"]);
    }

    private static string Letters(Random r, int n)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < n; i++)
        {
            sb.Append((char)('A' + r.Next(26)));
        }

        return sb.ToString();
    }

    private static int Mod97(string s)
    {
        var rem = 0;
        foreach (var c in s)
        {
            rem = char.IsAsciiDigit(c) ? ((rem * 10) + (c - '0')) % 97 : ((rem * 100) + (c - 'A' + 10)) % 97;
        }

        return rem;
    }
}
#pragma warning restore CA5394
