using Markdig;
using Microsoft.Extensions.Options;

namespace WalletDesk.Server.Features.Knowledge.Rendering;

/// <summary>
/// Article Markdown to safe HTML: Markdig with raw HTML disabled and no attribute-injecting extensions
/// (no generic attributes, no raw-HTML-bearing extras), then <see cref="HtmlSanitizer"/> over the result.
/// </summary>
public sealed class MarkdownRenderer(IOptions<KnowledgeOptions> options)
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .Build();

    /// <summary>Renders untrusted Markdown to HTML that may be emitted as-is.</summary>
    public string ToHtml(string markdown) => Render(markdown, options.Value.AllowedImageHosts);

    public static string Render(string markdown, IReadOnlyCollection<string>? allowedImageHosts = null)
    {
        var html = Markdown.ToHtml(markdown ?? "", Pipeline);
        return HtmlSanitizer.Sanitize(html, allowedImageHosts);
    }

    /// <summary>The text a reader sees, for snippets and the search index.</summary>
    public static string ToPlainText(string markdown)
    {
        var text = Markdown.ToPlainText(markdown ?? "", Pipeline);
        return System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();
    }
}
