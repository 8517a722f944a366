using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace WalletDesk.Redaction.Tests;

#pragma warning disable CA5394
public class ResidentIdTests(ITestOutputHelper output)
{
    private const int Samples = 5_000;
    private static readonly string[] Regions = ["110101", "310104", "440305", "510107", "330106", "420111", "610113", "810000", "650102", "230103"];

    [Theory]
    [InlineData("身份证号110101199003074514，请帮我实名", "身份证号110***********4514，请帮我实名")]
    [InlineData("my ID is 11010119900307408X.", "my ID is 110***********408X.")]
    [InlineData("ID 110101 19900307 4514 thanks", "ID 110***********4514 thanks")]
    [InlineData("身份证：１１０１０１１９９００３０７４５１４", "身份证：110***********4514")]
    [InlineData("ID110101199003074514", "ID110***********4514")]
    public void Redact_ValidResidentId_MasksAllButFirst3AndLast4(string input, string expected)
    {
        var result = Redactor.Redact(input);

        result.Text.ShouldBe(expected);
        result.Findings.Single().Kind.ShouldBe(RedactionKind.ResidentId);
        result.Notice.ShouldBe(RedactionNotice.PersonalDetails);
        Redactor.Redact(result.Text).Text.ShouldBe(result.Text);
    }

    [Theory]
    [InlineData("身份证号110101199003074515")] // wrong check character
    [InlineData("身份证号110101199002304511")] // 30 February
    [InlineData("订单号990101199003074514")] // no such region
    [InlineData("流水号 2110101199003074514")] // a longer number
    [InlineData("ref 110101199003074514abc")] // glued to a token
    public void Redact_IdShapedNumberFailingACheck_IsLeftAlone(string input)
    {
        var result = Redactor.Redact(input);

        result.Findings.ShouldNotContain(f => f.Kind == RedactionKind.ResidentId, result.Text);
    }

    [Fact]
    public void Redact_ResidentIdsTurnedOff_LeavesThem()
    {
        Redactor.Redact("身份证号110101199003074514", null, new RedactionRules { ResidentIds = false }).WasRedacted.ShouldBeFalse();
    }

    [Fact]
    public void Redact_GeneratedValidIds_AreAllMasked()
    {
        var random = new Random(18);
        for (var i = 0; i < Samples; i++)
        {
            var id = ValidId(random);
            var written = random.Next(3) switch
            {
                0 => id,
                1 => $"{id[..6]} {id[6..14]} {id[14..]}",
                _ => Generators.ToFullWidth(id),
            };
            var input = random.Next(2) == 0 ? $"身份证号{written}，谢谢" : $"my ID card number is {written}, thanks";

            var result = Redactor.Redact(input);

            result.Text.Contains(id[3..14], StringComparison.Ordinal).ShouldBeFalse(input);
            Generators.ToFullWidth(result.Text).Contains(Generators.ToFullWidth(id[3..14]), StringComparison.Ordinal).ShouldBeFalse(input);
            result.Findings.ShouldContain(f => f.Kind == RedactionKind.ResidentId, input);
        }
    }

    // An 18-digit number is masked as an ID only when region, date and check character all hold.
    [Fact]
    public void Redact_EighteenDigitNumbers_FalsePositiveRatesWithinBounds()
    {
        var random = new Random(1811);
        var (randomHits, shapedHits) = (0, 0);
        for (var i = 0; i < Samples; i++)
        {
            // Fully random order numbers, and numbers with a real region and birth date where only the check character decides.
            var shaped = Regions[random.Next(Regions.Length)] + BirthDate(random) + Generators.Digits(random, 4);
            randomHits += IsMaskedAsId($"订单号 {Generators.Digits(random, 18)}") ? 1 : 0;
            shapedHits += IsMaskedAsId($"订单号 {shaped}") ? 1 : 0;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"FP resident-id random 18-digit: {randomHits}/{Samples} = {(double)randomHits / Samples:P2}; region+date-valid 18-digit: {shapedHits}/{Samples} = {(double)shapedHits / Samples:P2}"));
        ((double)randomHits / Samples).ShouldBeLessThan(0.002);
        ((double)shapedHits / Samples).ShouldBeLessThan(0.11); // the check character passes 1 in 11
    }

    private static bool IsMaskedAsId(string input) => Redactor.Redact(input).Findings.Any(f => f.Kind == RedactionKind.ResidentId);

    internal static string ValidId(Random random)
    {
        var body = Regions[random.Next(Regions.Length)] + BirthDate(random) + Generators.Digits(random, 3);
        int[] weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (body[i] - '0') * weights[i];
        }

        return body + "10X98765432"[sum % 11];
    }

    private static string BirthDate(Random random) =>
        new DateOnly(1940, 1, 1).AddDays(random.Next(0, 365 * 70)).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
#pragma warning restore CA5394
