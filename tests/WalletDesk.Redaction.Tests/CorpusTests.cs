namespace WalletDesk.Redaction.Tests;

public class CorpusTests
{
    public static TheoryData<int, string, string, string> Cases()
    {
        var data = new TheoryData<int, string, string, string>();
        var path = Path.Combine(AppContext.BaseDirectory, "Corpus", "redaction-cases.tsv");
        var lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var cols = line.Split('\t');
            if (cols.Length != 3)
            {
                throw new InvalidDataException($"redaction-cases.tsv line {lineNo}: expected 3 tab-separated columns, got {cols.Length}");
            }

            // "\n", "\r" and "\t" in a cell stand for a line break, carriage return and tab.
            var input = Unescape(cols[0]);
            data.Add(lineNo, input, cols[1] == "=" ? input : Unescape(cols[1]), cols[2]);
        }

        return data;
    }

    private static string Unescape(string cell) =>
        cell.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\r", "\r", StringComparison.Ordinal).Replace("\\t", "\t", StringComparison.Ordinal);

    [Fact]
    public void Corpus_HasEnoughPositiveAndNegativeCases()
    {
        var cases = Cases().Select(row => ((string)row[1], (string)row[3])).ToList();
        cases.Count.ShouldBeGreaterThanOrEqualTo(120);
        cases.Count(c => c.Item2 == "-").ShouldBeGreaterThanOrEqualTo(40);
        cases.Count(c => c.Item2.Contains("Pan", StringComparison.Ordinal)).ShouldBeGreaterThanOrEqualTo(40);
        cases.Count(c => c.Item1.Any(ch => ch >= '\u4E00' && ch <= '\u9FFF')).ShouldBeGreaterThanOrEqualTo(30);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Redact_CorpusCase_MatchesExpectedOutputAndKinds(int line, string input, string expected, string kinds)
    {
        var result = Redactor.Redact(input);

        result.Text.ShouldBe(expected, $"line {line}");
        var expectedKinds = kinds == "-" ? [] : kinds.Split(',').Order(StringComparer.Ordinal).ToArray();
        result.Findings.Select(f => f.Kind.ToString()).Order(StringComparer.Ordinal).ToArray().ShouldBe(expectedKinds, $"line {line}");
        result.WasRedacted.ShouldBe(expectedKinds.Length > 0);

        // Redacting already-redacted text must change nothing: stored text is re-redacted when it is quoted later.
        Redactor.Redact(result.Text).Text.ShouldBe(result.Text, $"line {line} (second pass)");
    }
}
