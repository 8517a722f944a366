using System.Text;

namespace WalletDesk.Redaction.Tests;

#pragma warning disable CA5394
public class PanPropertyTests
{
    private const int CasesPerCell = 400;

    public enum SeparatorPattern
    {
        None,
        SpacesInFours,
        DashesInFours,
        RandomSpaceDashDot,
        RandomAnySeparator,
        FullWidthDigits,
        FullWidthInFoursWithIdeographicSpace,
        FullWidthRandomSeparators,
        SlashesInFours,
        CommasInFours,
        MarksWithSpacesInFours,
        DoubledSpacesInFours,
        LineBreaksInFours,
        MixedSpacingInFours,
        FullWidthMarksInFours,
        GluedToWords,
    }

    public static TheoryData<int, SeparatorPattern> Cells()
    {
        var data = new TheoryData<int, SeparatorPattern>();
        for (var length = 13; length <= 19; length++)
        {
            foreach (var pattern in Enum.GetValues<SeparatorPattern>())
            {
                data.Add(length, pattern);
            }
        }

        return data;
    }

    [Fact]
    public void Cells_CoverAtLeast20000Cases() =>
        (Cells().Count * CasesPerCell).ShouldBeGreaterThanOrEqualTo(20_000);

    [Theory]
    [MemberData(nameof(Cells))]
    public void Redact_LuhnValidPanInRandomText_NeverLeavesFullPan(int length, SeparatorPattern pattern)
    {
        var random = new Random((length * 100) + (int)pattern);
        for (var i = 0; i < CasesPerCell; i++)
        {
            var pan = Generators.Pan(random, length);
            var written = Format(random, pan, pattern);
            var chinese = random.Next(2) == 0;
            var input = Embed(random, written, chinese);

            var result = Redactor.Redact(input);

            var context = $"pan {pan} pattern {pattern} input \"{input}\" output \"{result.Text}\"";
            var normalized = Normalize(result.Text);
            normalized.Contains(pan, StringComparison.Ordinal).ShouldBeFalse(context);
            StripSeparators(normalized).Contains(pan, StringComparison.Ordinal).ShouldBeFalse(context);
            var bin = pan[..6];
            result.Findings.Any(f => f.Kind == RedactionKind.Pan && f.Pan!.Bin == bin).ShouldBeTrue(context);
        }
    }

    internal static string Format(Random random, string pan, SeparatorPattern pattern) => pattern switch
    {
        SeparatorPattern.None => pan,
        SeparatorPattern.SpacesInFours => Generators.GroupsOf4(pan, ' '),
        SeparatorPattern.DashesInFours => Generators.GroupsOf4(pan, '-'),
        SeparatorPattern.RandomSpaceDashDot => Generators.RandomSeparators(random, pan, " -.", 0.3),
        SeparatorPattern.RandomAnySeparator => Generators.RandomSeparators(random, pan, " -.\u00A0\u3000\u2013\uFF0D\uFF0E", 0.5),
        SeparatorPattern.FullWidthDigits => Generators.ToFullWidth(pan),
        SeparatorPattern.FullWidthInFoursWithIdeographicSpace => Generators.ToFullWidth(Generators.GroupsOf4(pan, '\u3000')),
        SeparatorPattern.FullWidthRandomSeparators => Generators.ToFullWidth(Generators.RandomSeparators(random, pan, " \u3000\uFF0D-", 0.4)),
        SeparatorPattern.SlashesInFours => Generators.CardGroups(random, pan, ["/", "\uFF0F"]),
        SeparatorPattern.CommasInFours => Generators.CardGroups(random, pan, [",", "\uFF0C"]),
        SeparatorPattern.MarksWithSpacesInFours => Generators.CardGroups(random, pan, [", ", " / ", " - ", "_", ". ", " , "]),
        SeparatorPattern.DoubledSpacesInFours => Generators.CardGroups(random, pan, ["  ", "   "]),
        SeparatorPattern.LineBreaksInFours => Generators.CardGroups(random, pan, ["\n", "\r\n", " \n", "\n\n"]),
        SeparatorPattern.MixedSpacingInFours => Generators.CardGroups(random, pan, [" ", "  ", "\n", "\t", " \n", "\r\n", "\u3000", "\u00A0 "], mixed: true),
        SeparatorPattern.FullWidthMarksInFours => Generators.ToFullWidth(Generators.CardGroups(random, pan, ["\uFF0F", "\uFF0C", "\u3000\u3000", "\n", "\uFF0C "], mixed: true)),
        SeparatorPattern.GluedToWords => Generators.GluedToWords(random, random.Next(3) == 0 ? Generators.GroupsOf4(pan, ' ') : pan),
        _ => throw new ArgumentOutOfRangeException(nameof(pattern)),
    };

    // The number sits in ordinary English (spaces or punctuation around it) or Chinese (glued to the characters).
    internal static string Embed(Random random, string written, bool chinese)
    {
        var before = Generators.Words(random, chinese, random.Next(0, 6));
        var after = Generators.Words(random, chinese, random.Next(0, 6));
        string[] englishJoins = [" ", ": ", " (", " #", "\n", " \""];
        string[] chineseJoins = ["", "：", "，", " ", "（", "「"];
        var joins = chinese ? chineseJoins : englishJoins;
        var open = before.Length == 0 ? string.Empty : joins[random.Next(joins.Length)];
        var close = after.Length == 0 ? string.Empty : (chinese ? ["", "，", "。", " "] : new[] { " ", ". ", ", ", ") ", "\n" })[random.Next(4)];
        return before + open + written + close + after;
    }

    internal static string Normalize(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            sb.Append(c is >= '０' and <= '９' ? (char)('0' + (c - '０')) : c);
        }

        return sb.ToString();
    }

    internal static string StripSeparators(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (!(char.IsWhiteSpace(c) || c is '-' or '.' or '\u2013' or '\uFF0D' or '\uFF0E' or '/' or ',' or '_' or '\uFF0F' or '\uFF0C'))
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
#pragma warning restore CA5394
