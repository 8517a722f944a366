using System.Text;
using AngleSharp.Dom;
using WalletDesk.Server.Features.Knowledge.Rendering;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Knowledge;

/// <summary>SECURITY-CHECKLIST A3/N2: hostile Markdown and HTML never yield active content.</summary>
public sealed class SafeMarkdownTests
{
    private static readonly string[] AllowedImageHosts = ["images.example.com"];

    public static TheoryData<string> HostileMarkdown => new()
    {
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](  javascript:alert(1))",
        "[x](java\tscript:alert(1))",
        "[x](java&#x09;script:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](file:///etc/passwd)",
        "![x](data:image/svg+xml,<svg onload=alert(1)>)",
        "![x](javascript:alert(1))",
        "![x](https://evil.example/track.png)",
        "![x](//evil.example/track.png)",
        "![x](/\\evil.example/x.png)",
        "![x](http://images.example.com/x.png)",
        "![x](https://images.example.com:8443/x.png)",
        "![x](https://user:pw@images.example.com/x.png)",
        "![x](https://images.example.com.evil.example/x.png)",
        "![x](https://evil.example/x.png?images.example.com)",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<iframe src=https://evil.example></iframe>",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        "<object data=x.swf></object><embed src=x>",
        "<style>input[name=csrf]{background:url(//evil.example)}</style>",
        "<form action=https://evil.example><button>go</button></form>",
        "<base href=https://evil.example/>",
        "<meta http-equiv=refresh content=\"0;url=https://evil.example\">",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<xxx> [#1](javascript:alert(1))",
        "<javascript:alert(1)>",
        "<https://example.com/\" onmouseover=\"alert(1)>",
        "[x](https://example.com \"title\\\" onmouseover=alert(1) x=\\\"\")",
        "[x]: javascript:alert(1)\n\n[y][x]",
        "<details open ontoggle=alert(1)>",
        "```html\n<script>alert(1)</script>\n```",
        "`<img src=x onerror=alert(1)>`",
        "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
        "<!-- <script>alert(1)</script> -->",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "*<img src=x onerror=alert(1)>*",
        "www.example.com/<script>",
        "{onclick=alert(1)}",
        "# Heading {#x onclick=alert(1)}",
    };

    [Theory, MemberData(nameof(HostileMarkdown))]
    public void HostileMarkdown_RendersWithoutActiveContent(string markdown)
    {
        var html = MarkdownRenderer.Render(markdown, AllowedImageHosts);

        AssertSafe(html, markdown);
    }

    [Fact]
    public void SafeMarkdown_KeepsItsMeaning()
    {
        var html = MarkdownRenderer.Render(
            "## Steps\n\n1. Open **Activity**\n2. Tap [the help page](/help/articles/contact-support) or [mail us](mailto:support@walletdesk.example)\n\n" +
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n![chart](/attachments/chart.png) ![remote](https://images.example.com/x.png) [site](https://example.com)",
            AllowedImageHosts);

        var root = Parse(html);
        root.QuerySelector("h2")!.TextContent.ShouldBe("Steps");
        root.QuerySelectorAll("ol li").Length.ShouldBe(2);
        root.QuerySelector("strong")!.TextContent.ShouldBe("Activity");
        root.QuerySelector("a[href='/help/articles/contact-support']").ShouldNotBeNull();
        root.QuerySelector("a[href='mailto:support@walletdesk.example']").ShouldNotBeNull();
        root.QuerySelector("a[href='https://example.com']")!.GetAttribute("rel").ShouldBe("nofollow noopener noreferrer");
        root.QuerySelector("table td").ShouldNotBeNull();
        root.QuerySelector("img[src='/attachments/chart.png']").ShouldNotBeNull();
        root.QuerySelector("img[src='https://images.example.com/x.png']").ShouldNotBeNull();
    }

    [Fact]
    public void RawHtml_IsShownAsText_NotDropped()
    {
        var html = MarkdownRenderer.Render("Type <b>bold</b> like this");

        Parse(html).QuerySelector("b").ShouldBeNull();
        html.ShouldContain("&lt;b&gt;bold&lt;/b&gt;");
    }

    [Fact]
    public void RandomAndMutatedMarkdownAndHtml_NeverYieldActiveContent()
    {
        // Fixed seed: a failure is reproducible and becomes a corpus entry above.
        var random = new Random(20261123);
        var pieces = HostileMarkdown.Cast<object[]>().Select(row => (string)row[0]).Concat(
        [
            "<", ">", "\"", "'", "`", "=", "/", "\\", ":", "&", "#", ";", "(", ")", "[", "]", "!", "*", "_", "|", "\n", "\t", " ", "\u0000", "\u00A0",
            "javascript", "JAVASCRIPT", "data", "vbscript", "on", "onerror", "onload", "srcdoc", "href", "src", "style", "script", "iframe", "svg",
            "object", "img", "a", "http", "https", "mailto", "//", "&#x3C;", "&lt;", "&#58;", "&colon;", "%3C", "转账", "<!--", "-->", "<![CDATA[", "]]>",
            "](", "![", "<a href=", "<img src=", " x=", "```", "> ", "- ", "1. ", "##", "<p>", "</p>", "<div", "template", "math", "noscript",
        ]).ToArray();

        for (var i = 0; i < 3000; i++)
        {
            var input = new StringBuilder();
            var count = random.Next(1, 24);
            for (var j = 0; j < count; j++)
            {
                var piece = pieces[random.Next(pieces.Length)];
                // Mutations: case flips, a dropped or duplicated character, a random code point.
                switch (random.Next(6))
                {
                    case 0:
                        piece = new string(piece.Select(c => random.Next(2) == 0 ? char.ToUpperInvariant(c) : c).ToArray());
                        break;
                    case 1 when piece.Length > 1:
                        piece = piece.Remove(random.Next(piece.Length), 1);
                        break;
                    case 2 when piece.Length > 0:
                        var at = random.Next(piece.Length);
                        piece = piece.Insert(at, piece[at].ToString());
                        break;
                    case 3:
                        piece += (char)random.Next(1, 0x3000);
                        break;
                }

                input.Append(piece);
            }

            var text = input.ToString();
            AssertSafe(MarkdownRenderer.Render(text, AllowedImageHosts), text);
            AssertSafe(HtmlSanitizer.Sanitize(text, AllowedImageHosts), text);
        }
    }

    private static IElement Parse(string html) => HttpHelpers.Html("<!DOCTYPE html><html><body><div id=root>" + html + "</div></body></html>").GetElementById("root")!;

    private static readonly HashSet<string> Forbidden = ["script", "iframe", "object", "embed", "style", "svg", "math", "form", "base", "meta", "link", "frame", "template", "noscript", "input", "button"];

    private static void AssertSafe(string html, string input)
    {
        // Parse the output as a browser would, then check every element and attribute.
        var root = Parse(html);
        foreach (var element in root.QuerySelectorAll("*"))
        {
            Forbidden.ShouldNotContain(element.LocalName, $"input: {input}\noutput: {html}");
            foreach (var attribute in element.Attributes)
            {
                attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase).ShouldBeFalse($"{attribute.Name} in output: {html}\ninput: {input}");
                attribute.Name.ShouldNotBe("srcdoc");
                attribute.Name.ShouldNotBe("style");
                if (attribute.Name is "href" or "src")
                {
                    var value = new string(attribute.Value.Where(c => c > ' ').ToArray());
                    var scheme = System.Text.RegularExpressions.Regex.Match(value, "^([a-zA-Z][a-zA-Z0-9+.-]*):");
                    if (scheme.Success)
                    {
                        var allowed = attribute.Name == "href" ? new[] { "http", "https", "mailto" } : ["http", "https"];
                        allowed.ShouldContain(scheme.Groups[1].Value.ToLowerInvariant(), $"output: {html}\ninput: {input}");
                    }

                    if (attribute.Name == "src" && (scheme.Success || value.StartsWith("//", StringComparison.Ordinal)))
                    {
                        // Exactly what the CSP's img-src admits (https://images.example.com), so a kept image also displays.
                        var uri = new Uri(value.StartsWith("//", StringComparison.Ordinal) ? "https:" + value : value);
                        uri.Host.ShouldBe("images.example.com", $"output: {html}");
                        uri.Scheme.ShouldBe("https", $"output: {html}");
                        uri.IsDefaultPort.ShouldBeTrue($"output: {html}");
                        uri.UserInfo.ShouldBeEmpty($"output: {html}");
                    }
                }
            }
        }
    }
}
