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

    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();
}
