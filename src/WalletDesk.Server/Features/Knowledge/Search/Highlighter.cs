using System.Net;
using System.Text;

namespace WalletDesk.Server.Features.Knowledge.Search;

/// <summary>
/// Snippets and highlighted titles as safe HTML: every character of the source is HTML-encoded and the only
/// markup added is <c>&lt;mark&gt;</c> around matched terms.
/// </summary>
internal static class Highlighter
{
    private const int Context = 50;

    /// <summary>The best window of <paramref name="maxLength"/> characters around the matches, encoded, with matches marked.</summary>
    public static string Snippet(string plain, IReadOnlyCollection<string> terms, int maxLength = 220)
    {
        if (string.IsNullOrEmpty(plain))
        {
            return "";
        }

        var (spans, marks) = Matches(plain, terms);
        if (plain.Length <= maxLength)
        {
            return Render(plain, 0, plain.Length, marks);
        }

        var (start, end) = (0, maxLength);
        if (spans.Count > 0)
        {
            var bestCount = -1;
            foreach (var anchor in spans)
            {
                var s = Math.Max(0, anchor.Start - Context);
                var e = Math.Min(plain.Length, s + maxLength);
                s = Math.Max(0, e - maxLength);
                var count = spans.Where(x => x.Start >= s && x.End <= e).Select(x => x.Term).Distinct(StringComparer.Ordinal).Count();
                if (count > bestCount)
                {
                    bestCount = count;
                    (start, end) = (s, e);
                }
            }
        }

        // Start at a word boundary when one is near, so the snippet does not open mid-word.
        if (start > 0)
        {
            var space = plain.IndexOf(' ', start, Math.Min(15, end - start));
            if (space > 0 && marks.All(x => x.Start >= space + 1 || x.End <= start))
            {
                start = space + 1;
            }
        }

        return Render(plain, start, end, marks);
    }

    /// <summary>The whole text, encoded, with matches marked.</summary>
    public static string Highlight(string text, IReadOnlyCollection<string> terms) =>
        string.IsNullOrEmpty(text) ? "" : Render(text, 0, text.Length, Matches(text, terms).Merged);

    private readonly record struct Span(int Start, int End, string Term);

    /// <summary>Every matched term occurrence (for choosing a window) and the same merged into marked runs.</summary>
    private static (List<Span> Raw, List<Span> Merged) Matches(string text, IReadOnlyCollection<string> terms)
    {
        var wanted = terms as IReadOnlySet<string> ?? new HashSet<string>(terms, StringComparer.Ordinal);
        // Lower-casing keeps offsets aligned with the original text (NFKC would not).
        // Unigram tokens are only worth making when a one-character term is being looked for.
        var unigrams = wanted.Any(t => t.Length == 1);
        var raw = TextAnalyzer.Tokenize(text.ToLowerInvariant(), unigrams)
            .Where(t => wanted.Contains(t.Term))
            .Select(t => new Span(t.Start, t.Start + t.Length, t.Term))
            .OrderBy(s => s.Start)
            .ToList();

        // Overlapping bigrams ("转账" + "账还") become one marked run.
        var merged = new List<Span>();
        foreach (var span in raw)
        {
            if (merged.Count > 0 && span.Start <= merged[^1].End)
            {
                merged[^1] = merged[^1] with { End = Math.Max(merged[^1].End, span.End) };
            }
            else
            {
                merged.Add(span);
            }
        }

        return (raw, merged);
    }

    private static string Render(string text, int start, int end, List<Span> spans)
    {
        var html = new StringBuilder((end - start) + 32);
        if (start > 0)
        {
            html.Append('…');
        }

        var position = start;
        foreach (var span in spans.Where(s => s.End > start && s.Start < end))
        {
            var s = Math.Max(span.Start, position);
            var e = Math.Min(span.End, end);
            if (e <= s)
            {
                continue;
            }

            html.Append(WebUtility.HtmlEncode(text[position..s]));
            html.Append("<mark>").Append(WebUtility.HtmlEncode(text[s..e])).Append("</mark>");
            position = e;
        }

        html.Append(WebUtility.HtmlEncode(text[position..end]));
        if (end < text.Length)
        {
            html.Append('…');
        }

        return html.ToString();
    }
}
