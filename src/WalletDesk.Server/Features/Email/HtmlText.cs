using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace WalletDesk.Server.Features.Email;

/// <summary>
/// HTML mail turned into plain text: no markup, scripts, styles or links survive, only what a reader sees. Block
/// elements become line breaks; quoted blocks (<c>blockquote</c>) get "> " so the quote folder recognises them.
/// </summary>
public static class HtmlText
{
    private static readonly HashSet<string> Dropped = new(StringComparer.OrdinalIgnoreCase) { "script", "style", "head", "title", "template", "noscript", "iframe", "object", "embed", "svg", "math" };
    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "div", "section", "article", "header", "footer", "tr", "li", "hr", "dt", "dd", "address", "center", "form", "fieldset",
    };

    /// <summary>Blocks set apart by a blank line.</summary>
    private static readonly HashSet<string> Paragraphs = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "table", "ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote",
    };

    /// <summary>Text shorter than this many characters per input is enough; larger HTML is cut (a mail's text is never that long).</summary>
    private const int MaxHtmlChars = 2_000_000;

    public static string ToText(string html)
    {
        var parser = new HtmlParser(new HtmlParserOptions { IsScripting = false });
        var document = parser.ParseDocument(html.Length > MaxHtmlChars ? html[..MaxHtmlChars] : html);
        var output = new StringBuilder();
        if (document.Body is { } body)
        {
            Walk(body, output, quoteDepth: 0, depth: 0);
        }

        var lines = output.ToString().Split('\n').Select(l => l.TrimEnd());
        var text = new StringBuilder();
        var blank = 0;
        foreach (var line in lines)
        {
            if (line.Trim().Trim('>').Trim().Length == 0)
            {
                blank++;
                continue;
            }

            if (text.Length > 0)
            {
                text.Append(blank > 0 ? "\n\n" : "\n");
            }

            text.Append(line);
            blank = 0;
        }

        return text.ToString();
    }

    private static void Walk(INode node, StringBuilder output, int quoteDepth, int depth)
    {
        if (depth > 200)
        {
            return;
        }

        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText text:
                    AppendText(output, text.Data, quoteDepth);
                    break;
                case IElement element:
                    var name = element.LocalName;
                    if (Dropped.Contains(name))
                    {
                        break;
                    }

                    if (name.Equals("br", StringComparison.OrdinalIgnoreCase))
                    {
                        TrimSpaces(output);
                        output.Append('\n');
                        break;
                    }

                    var quote = name.Equals("blockquote", StringComparison.OrdinalIgnoreCase);
                    var paragraph = Paragraphs.Contains(name);
                    var block = paragraph || Blocks.Contains(name);
                    var inner = quote ? quoteDepth + 1 : quoteDepth;
                    if (paragraph)
                    {
                        BlankLine(output);
                    }
                    else if (block)
                    {
                        NewLine(output, inner);
                    }

                    if (name.Equals("li", StringComparison.OrdinalIgnoreCase))
                    {
                        output.Append("- ");
                    }
                    else if (name is "td" or "th" && output.Length > 0 && output[^1] is not ('\n' or ' '))
                    {
                        output.Append(' ');
                    }

                    Walk(element, output, inner, depth + 1);
                    if (paragraph)
                    {
                        BlankLine(output);
                    }
                    else if (block)
                    {
                        NewLine(output, quoteDepth);
                    }

                    break;
            }
        }
    }

    private static void AppendText(StringBuilder output, string data, int quoteDepth)
    {
        foreach (var c in data)
        {
            if (char.IsWhiteSpace(c) && c != '\u00a0' && c != '\u3000')
            {
                if (output.Length > 0 && output[^1] is not (' ' or '\n'))
                {
                    output.Append(' ');
                }
            }
            else
            {
                if (output.Length == 0 || output[^1] == '\n')
                {
                    output.Append(Prefix(quoteDepth));
                }

                output.Append(c == '\u00a0' ? ' ' : c);
            }
        }
    }

    private static void TrimSpaces(StringBuilder output)
    {
        while (output.Length > 0 && output[^1] == ' ')
        {
            output.Length--;
        }
    }

    private static void BlankLine(StringBuilder output)
    {
        TrimSpaces(output);
        if (output.Length == 0)
        {
            return;
        }

        while (!(output.Length >= 2 && output[^1] == '\n' && output[^2] == '\n'))
        {
            output.Append('\n');
        }
    }

    private static void NewLine(StringBuilder output, int quoteDepth)
    {
        TrimSpaces(output);

        if (output.Length > 0 && output[^1] != '\n')
        {
            output.Append('\n');
        }

        _ = quoteDepth;
    }

    private static string Prefix(int quoteDepth) => quoteDepth == 0 ? "" : string.Concat(Enumerable.Repeat("> ", Math.Min(quoteDepth, 10)));
}
