using System.Globalization;
using Xunit.Abstractions;

namespace WalletDesk.Redaction.Tests;

// The two figures docs/redaction.md publishes: how many card numbers are caught over every separator pattern and
// embedding, and how many look-alike numbers are masked. Run with
// `dotnet test tests/WalletDesk.Redaction.Tests --filter "FullyQualifiedName~DetectionFiguresTests" --logger "console;verbosity=detailed"`.
#pragma warning disable CA5394
public class DetectionFiguresTests(ITestOutputHelper output)
{
    private const int PositivesPerCell = 150;
    private const int NegativesPerClass = 2_000;

    // Classes where a Luhn-valid number is masked by design (indistinguishable from a card number).
    private static readonly HashSet<string> ByDesign = ["phone-without-plus-13-15-digits", "order-id-numeric-16", "order-id-numeric-18-cn"];

    [Fact]
    public void Corpus_EveryPatternAndLookAlikeClass_PrintsDetectionAndFalsePositiveRates()
    {
        var random = new Random(20261207);
        var caught = 0;
        var total = 0;
        foreach (var pattern in Enum.GetValues<PanPropertyTests.SeparatorPattern>())
        {
            var patternCaught = 0;
            var patternTotal = 0;
            for (var length = 13; length <= 19; length++)
            {
                for (var i = 0; i < PositivesPerCell; i++)
                {
                    var pan = Generators.Pan(random, length);
                    var input = PanPropertyTests.Embed(random, PanPropertyTests.Format(random, pan, pattern), random.Next(2) == 0);
                    var text = PanPropertyTests.StripSeparators(PanPropertyTests.Normalize(Redactor.Redact(input).Text));
                    patternTotal++;
                    if (!text.Contains(pan, StringComparison.Ordinal))
                    {
                        patternCaught++;
                    }
                }
            }

            output.WriteLine(Line($"detect {pattern,-38} {patternCaught,6}/{patternTotal,-6} {Rate(patternCaught, patternTotal)}"));
            caught += patternCaught;
            total += patternTotal;
        }

        var fpAll = 0;
        var fpExcluded = 0;
        var negatives = 0;
        var negativesExcluded = 0;
        foreach (var kind in FalsePositiveTests.ClassNames())
        {
            var masked = 0;
            for (var i = 0; i < NegativesPerClass; i++)
            {
                if (Redactor.Redact(FalsePositiveTests.Generate(random, kind)).Findings.Any(f => f.Kind == RedactionKind.Pan))
                {
                    masked++;
                }
            }

            output.WriteLine(Line($"false positive {kind,-33} {masked,6}/{NegativesPerClass,-6} {Rate(masked, NegativesPerClass)}{(ByDesign.Contains(kind) ? " (by design)" : string.Empty)}"));
            fpAll += masked;
            negatives += NegativesPerClass;
            if (!ByDesign.Contains(kind))
            {
                fpExcluded += masked;
                negativesExcluded += NegativesPerClass;
            }
        }

        output.WriteLine(Line($"DETECTION RATE {caught}/{total} = {Rate(caught, total)}"));
        output.WriteLine(Line($"FALSE-POSITIVE RATE {fpExcluded}/{negativesExcluded} = {Rate(fpExcluded, negativesExcluded)} (all classes incl. by-design Luhn-valid numbers: {fpAll}/{negatives} = {Rate(fpAll, negatives)})"));

        caught.ShouldBe(total);
        ((double)fpExcluded / negativesExcluded).ShouldBeLessThan(0.005);
    }

    private static string Rate(int n, int d) => ((double)n / d).ToString("P2", CultureInfo.InvariantCulture);

    private static string Line(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
#pragma warning restore CA5394
