using System.Text.RegularExpressions;

namespace WalletDesk.Server.Features.Knowledge;

/// <summary>Small text rules shared by the service, the importer and the endpoints.</summary>
public static partial class KbText
{
    /// <summary>Splits a comma-separated list, trimming and dropping empties and duplicates.</summary>
    public static IReadOnlyList<string> SplitList(string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? []
            : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();

    public static string JoinList(IEnumerable<string>? values) =>
        values is null ? "" : string.Join(",", values.Select(v => v.Replace(",", " ", StringComparison.Ordinal).Trim()).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal));

    /// <summary>Lowercase letters and digits in hyphen-joined words, 2–96 characters.</summary>
    public static bool IsValidSlug(string? slug) => slug is { Length: >= 2 and <= 96 } && SlugPattern().IsMatch(slug);

    /// <summary>A category or section key: same shape as a slug, up to 48 characters.</summary>
    public static bool IsValidKey(string? key) => key is { Length: >= 2 and <= 48 } && SlugPattern().IsMatch(key);

    /// <summary>
    /// True when the text holds a control character (U+0000–U+001F, U+007F–U+009F: NUL, tab, newline, escape …).
    /// No reader types one into a search box; SQLite ends text at a NUL, so <c>"\0"</c> inside a LIKE pattern became
    /// the empty pattern and matched every article. Search queries with them are refused, not cleaned.
    /// </summary>
    public static bool HasControlCharacters(string? text) =>
        text is not null && (text.AsSpan().IndexOfAnyInRange('\u0000', '\u001F') >= 0 || text.AsSpan().IndexOfAnyInRange('\u007F', '\u009F') >= 0);

    /// <summary>The plain message for a search query with a control character (help center in HelpText, CLI here).</summary>
    public const string ControlCharacterMessage = "The search text contains a control character (such as a tab, a line break or NUL); type plain text.";

    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();
}
