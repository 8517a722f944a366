using System.Globalization;
using System.Text;

namespace WalletDesk.Server.Features.Knowledge.ImportExport;

/// <summary>
/// One article translation as a Markdown file with YAML front matter (the StarterContent format, see its
/// README): <c>slug, lang, title, category, section, tags, visibility, related, reviewed</c> and optionally <c>status</c>.
/// Only that flat subset of YAML is read: <c>key: value</c>, quoted strings and <c>[a, b]</c> lists.
/// </summary>
public sealed record ArticleFile(
    string Slug, string Lang, string Title, string Category, string Section, IReadOnlyList<string> Tags,
    string Visibility, IReadOnlyList<string> Related, DateOnly? Reviewed, string Status, string Body)
{
    public static ArticleFile Parse(string text, string source)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimStart('\uFEFF');
        if (!text.StartsWith("---\n", StringComparison.Ordinal))
        {
            throw new FormatException($"{source}: no front matter (the file must start with a '---' line).");
        }

        var end = text.IndexOf("\n---", 3, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new FormatException($"{source}: the front matter has no closing '---' line.");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rawLine in text[4..end].Split('\n'))
        {
            var line = rawLine.TrimEnd();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new FormatException($"{source}: cannot read front matter line '{line}'.");
            }

            fields[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var bodyStart = text.IndexOf('\n', end + 1);
        var body = bodyStart < 0 ? "" : text[(bodyStart + 1)..].Trim('\n') + "\n";

        string Required(string key) =>
            fields.TryGetValue(key, out var value) && Unquote(value).Length > 0 ? Unquote(value) : throw new FormatException($"{source}: '{key}' is missing.");

        DateOnly? reviewed = null;
        if (fields.TryGetValue("reviewed", out var reviewedText) && Unquote(reviewedText).Length > 0)
        {
            reviewed = DateOnly.TryParseExact(Unquote(reviewedText), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                ? day
                : throw new FormatException($"{source}: 'reviewed' must be a date like 2026-11-01.");
        }

        var file = new ArticleFile(
            Required("slug"), Required("lang"), Required("title"), Required("category"), Required("section"),
            List(fields.GetValueOrDefault("tags")), fields.TryGetValue("visibility", out var visibility) ? Unquote(visibility) : ArticleVisibility.Public,
            List(fields.GetValueOrDefault("related")), reviewed,
            fields.TryGetValue("status", out var status) ? Unquote(status) : ArticleStatus.Published, body);
        file.Validate(source);
        return file;
    }

    public void Validate(string source)
    {
        var problems = new List<string>();
        if (!KbText.IsValidSlug(Slug))
        {
            problems.Add($"slug '{Slug}' is not lowercase words joined by hyphens");
        }

        if (!KbLanguages.IsKnown(Lang))
        {
            problems.Add($"lang '{Lang}' must be en or zh");
        }

        if (!KbText.IsValidKey(Category) || !KbText.IsValidKey(Section))
        {
            problems.Add("category and section must be keys like 'adding-money'");
        }

        if (!ArticleVisibility.All.Contains(Visibility))
        {
            problems.Add($"visibility '{Visibility}' must be public or internal");
        }

        if (!ArticleStatus.All.Contains(Status))
        {
            problems.Add($"status '{Status}' must be draft, published or archived");
        }

        if (Title.Length > KbLimits.TitleLength || Body.Length > KbLimits.BodyLength)
        {
            problems.Add("title or body is too long");
        }

        if (Related.Any(r => !KbText.IsValidSlug(r)))
        {
            problems.Add("related must list slugs");
        }

        if (problems.Count > 0)
        {
            throw new FormatException($"{source}: {string.Join("; ", problems)}.");
        }
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("---\n");
        text.Append("slug: ").Append(Slug).Append('\n');
        text.Append("lang: ").Append(Lang).Append('\n');
        text.Append("title: ").Append(Quote(Title)).Append('\n');
        text.Append("category: ").Append(Category).Append('\n');
        text.Append("section: ").Append(Section).Append('\n');
        text.Append("tags: [").Append(string.Join(", ", Tags.Select(Quote))).Append("]\n");
        text.Append("visibility: ").Append(Visibility).Append('\n');
        text.Append("related: [").Append(string.Join(", ", Related)).Append("]\n");
        if (Reviewed is { } reviewed)
        {
            text.Append("reviewed: ").Append(reviewed.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\n');
        }

        if (Status != ArticleStatus.Published)
        {
            text.Append("status: ").Append(Status).Append('\n');
        }

        text.Append("---\n\n");
        text.Append(Body.TrimEnd('\n')).Append('\n');
        return text.ToString();
    }

    private static IReadOnlyList<string> List(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        value = value.Trim();
        if (value.StartsWith('[') && value.EndsWith(']'))
        {
            value = value[1..^1];
        }

        return SplitRespectingQuotes(value).Select(Unquote).Where(v => v.Length > 0).ToList();
    }

    private static IEnumerable<string> SplitRespectingQuotes(string value)
    {
        var current = new StringBuilder();
        char? quote = null;
        foreach (var c in value)
        {
            // A quote opens only at the start of an item, so an apostrophe ("can't") is just a character.
            if (quote is null && c is '"' or '\'' && current.ToString().Trim().Length == 0)
            {
                quote = c;
            }
            else if (quote == c)
            {
                quote = null;
            }

            if (c == ',' && quote is null)
            {
                yield return current.ToString().Trim();
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        yield return current.ToString().Trim();
    }

    private static string Unquote(string value)
    {
        value = value.Trim();
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            return value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
        }

        if (value.Length >= 2 && value[0] == '\'' && value[^1] == '\'')
        {
            return value[1..^1].Replace("''", "'", StringComparison.Ordinal);
        }

        return value;
    }

    private static string Quote(string value) =>
        value.IndexOfAny([':', '#', '"', '\'', ',', '[', ']', '{', '}']) >= 0 || value != value.Trim() || value.Length == 0
            ? "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""
            : value;
}
