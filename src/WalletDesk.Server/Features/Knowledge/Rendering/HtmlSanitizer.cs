using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace WalletDesk.Server.Features.Knowledge.Rendering;

/// <summary>
/// Article HTML through the maintained HtmlSanitizer package (Ganss.Xss, on AngleSharp's HTML parser) with our
/// allowlist: only the tags and attributes below survive, schemes http/https/mailto (and relative), no style, no
/// comments, no data attributes. Around it, two rules of ours: script-like elements (and anything outside the HTML
/// namespace: svg, math) are dropped with their content before it runs, other unknown elements are unwrapped; after it,
/// links keep only http, https, mailto and relative URLs (a refused link becomes its text; absolute links get
/// <c>rel="nofollow noopener noreferrer"</c>) and images only relative URLs or https on an allowed host's default port
/// (a refused image becomes its alt text). Markdig's <c>DisableHtml()</c> is the first line; this is the one that holds
/// (SECURITY-CHECKLIST A3, A5, N2).
/// </summary>
public static partial class HtmlSanitizer
{
    private static readonly string[] AllowedTags =
    [
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "del", "s", "ins", "mark", "sub", "sup",
        "code", "pre", "kbd", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
        "span", "dl", "dt", "dd",
    ];

    // Removed with everything inside: their content is code, a separate document or a form control, never article text.
    private static readonly HashSet<string> DropWithContent = new(StringComparer.Ordinal)
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript", "noembed", "noframes", "template",
        "svg", "math", "form", "input", "button", "select", "textarea", "option", "base", "link", "meta", "title", "head",
        "audio", "video", "source", "track", "canvas", "xmp", "plaintext", "portal", "dialog", "param", "picture",
    };

    private static readonly Dictionary<string, HashSet<string>> AllowedAttributes = new(StringComparer.Ordinal)
    {
        ["a"] = new(StringComparer.Ordinal) { "href", "title" },
        ["img"] = new(StringComparer.Ordinal) { "src", "alt", "title", "width", "height" },
        ["ol"] = new(StringComparer.Ordinal) { "start" },
        ["th"] = new(StringComparer.Ordinal) { "colspan", "rowspan" },
        ["td"] = new(StringComparer.Ordinal) { "colspan", "rowspan" },
        ["code"] = new(StringComparer.Ordinal) { "class" },
    };

    private static readonly HtmlParser Parser = new(new HtmlParserOptions { IsScripting = false });

    // Configured once and never changed afterwards, so one instance serves concurrent calls.
    private static readonly Ganss.Xss.HtmlSanitizer Library = CreateLibrarySanitizer();

    private static Ganss.Xss.HtmlSanitizer CreateLibrarySanitizer()
    {
        var sanitizer = new Ganss.Xss.HtmlSanitizer(new Ganss.Xss.HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(AllowedTags, StringComparer.OrdinalIgnoreCase),
            AllowedAttributes = new HashSet<string>(AllowedAttributes.Values.SelectMany(a => a), StringComparer.OrdinalIgnoreCase),
            AllowedSchemes = new HashSet<string>(["http", "https", "mailto"], StringComparer.OrdinalIgnoreCase),
            UriAttributes = new HashSet<string>(["href", "src"], StringComparer.OrdinalIgnoreCase),
            AllowedCssProperties = new HashSet<string>(StringComparer.OrdinalIgnoreCase),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
        })
        {
            // Unknown elements are unwrapped (their text stays); dangerous ones were dropped with their content before.
            KeepChildNodes = true,
            AllowDataAttributes = false,
        };
        return sanitizer;
    }

    /// <summary>Returns HTML containing only allowlisted markup. Safe to emit as-is into a page.</summary>
    public static string Sanitize(string html, IReadOnlyCollection<string>? allowedImageHosts = null)
    {
        if (string.IsNullOrEmpty(html))
        {
            return "";
        }

        var document = Parser.ParseDocument("<!DOCTYPE html><html><body><div></div></body></html>");
        var container = (IHtmlElement)document.Body!.FirstElementChild!;
        foreach (var node in Parser.ParseFragment(html, container).ToList())
        {
            container.AppendChild(node);
        }

        foreach (var element in container.QuerySelectorAll("*").ToList())
        {
            if (element.NamespaceUri != NamespaceNames.HtmlUri || DropWithContent.Contains(element.LocalName.ToLowerInvariant()))
            {
                element.Remove();
            }
        }

        Library.SanitizeDom(document, container);
        ApplyOurRules(container, allowedImageHosts ?? []);
        return container.InnerHtml;
    }

    /// <summary>Per-tag attributes and values, and the link and image URL rules, on what the library kept.</summary>
    private static void ApplyOurRules(IElement container, IReadOnlyCollection<string> imageHosts)
    {
        foreach (var element in container.QuerySelectorAll("*").ToList())
        {
            var name = element.LocalName.ToLowerInvariant();
            AllowedAttributes.TryGetValue(name, out var allowed);
            foreach (var attribute in element.Attributes.ToList())
            {
                var attributeName = attribute.Name.ToLowerInvariant();
                if (allowed is null || !allowed.Contains(attributeName) || !IsAllowedAttributeValue(name, attributeName, attribute.Value))
                {
                    element.RemoveAttribute(attribute.NamespaceUri, attribute.LocalName);
                }
            }

            if (name == "a")
            {
                var href = element.GetAttribute("href");
                var safe = href is null ? null : SafeLink(href);
                if (safe is null)
                {
                    // A link that may not point where it says is just its text.
                    Unwrap(element);
                    continue;
                }

                element.SetAttribute("href", safe);
                if (IsAbsolute(safe))
                {
                    element.SetAttribute("rel", "nofollow noopener noreferrer");
                }
            }
            else if (name == "img")
            {
                var src = element.GetAttribute("src");
                var safe = src is null ? null : SafeImage(src, imageHosts);
                if (safe is null)
                {
                    var alt = element.GetAttribute("alt");
                    element.Replace(element.Owner!.CreateTextNode(alt ?? ""));
                    continue;
                }

                element.SetAttribute("src", safe);
            }
        }
    }

    private static bool IsAllowedAttributeValue(string tag, string attribute, string value) => attribute switch
    {
        "class" => tag == "code" && CodeLanguageClass().IsMatch(value),
        "start" or "colspan" or "rowspan" or "width" or "height" => value.Length <= 4 && value.All(char.IsAsciiDigit),
        _ => true,
    };

    private static void Unwrap(IElement element)
    {
        var parent = element.Parent;
        if (parent is null)
        {
            return;
        }

        foreach (var child in element.ChildNodes.ToList())
        {
            parent.InsertBefore(child, element);
        }

        element.Remove();
    }

    /// <summary>The URL browsers would act on: tabs, newlines and controls anywhere are ignored by them, so drop them before checking.</summary>
    private static string Clean(string url)
    {
        Span<char> buffer = url.Length <= 512 ? stackalloc char[url.Length] : new char[url.Length];
        var length = 0;
        foreach (var c in url)
        {
            if (c > ' ' && !char.IsControl(c) && c != '\u00A0' && !char.IsWhiteSpace(c))
            {
                buffer[length++] = c;
            }
        }

        return new string(buffer[..length]);
    }

    private static bool IsAbsolute(string url) => UrlScheme().IsMatch(url) || url.StartsWith("//", StringComparison.Ordinal);

    /// <summary>http, https, mailto or relative; anything else (javascript:, data:, vbscript:, file:, …) is refused.</summary>
    public static string? SafeLink(string url)
    {
        var cleaned = Clean(url).Replace('\\', '/');
        if (cleaned.Length == 0)
        {
            return null;
        }

        var scheme = UrlScheme().Match(cleaned);
        if (!scheme.Success)
        {
            return cleaned.StartsWith("//", StringComparison.Ordinal) ? ("https:" + cleaned) : cleaned;
        }

        return scheme.Groups[1].Value.ToLowerInvariant() switch
        {
            "http" or "https" => Uri.TryCreate(cleaned, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host) ? cleaned : null,
            "mailto" => cleaned,
            _ => null,
        };
    }

    /// <summary>
    /// Relative (same origin), or https on an allowed host's default port without user info: exactly what the CSP's
    /// img-src lets the browser load, so every image kept also displays.
    /// </summary>
    public static string? SafeImage(string url, IReadOnlyCollection<string> allowedHosts)
    {
        var cleaned = Clean(url).Replace('\\', '/');
        if (cleaned.Length == 0)
        {
            return null;
        }

        if (cleaned.StartsWith("//", StringComparison.Ordinal))
        {
            cleaned = "https:" + cleaned;
        }

        var scheme = UrlScheme().Match(cleaned);
        if (!scheme.Success)
        {
            return cleaned;
        }

        var name = scheme.Groups[1].Value.ToLowerInvariant();
        return name is "https"
            && Uri.TryCreate(cleaned, UriKind.Absolute, out var uri)
            && uri.IsDefaultPort
            && uri.UserInfo.Length == 0
            && allowedHosts.Contains(uri.IdnHost, StringComparer.OrdinalIgnoreCase)
                ? cleaned
                : null;
    }

    [GeneratedRegex(@"^([a-zA-Z][a-zA-Z0-9+.\-]*):")]
    private static partial Regex UrlScheme();

    [GeneratedRegex(@"^language-[a-zA-Z0-9+#_\-]{1,32}$")]
    private static partial Regex CodeLanguageClass();
}
