using System.Text.RegularExpressions;

namespace WalletDesk.Server.Features.Email;

/// <summary>What a customer wrote this time (<see cref="Reply"/>) and whether quoted history or a signature was folded away.</summary>
public sealed record FoldedText(string Reply, bool Folded);

/// <summary>
/// Folds away the quoted history and the signature under a reply: English and Chinese attribution lines
/// ("On … wrote:", "在 … 写道："), "-----Original Message-----" and QQ's "原始邮件", Outlook's From/Sent blocks (English
/// and Chinese), a trailing "&gt;" quote, the "-- " signature separator and "Sent from my iPhone" style lines.
/// Forwarded messages ("---------- Forwarded message ---------") are kept: there they are the content.
/// </summary>
public static partial class QuoteFolder
{
    private const int MaxLines = 20_000;

    public static FoldedText Fold(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        if (lines.Length > MaxLines)
        {
            lines = lines[..MaxLines];
        }

        var cut = QuoteStart(lines);
        var end = SignatureStart(lines, cut);
        var reply = string.Join('\n', lines[..end]).Trim();
        if (reply.Length == 0)
        {
            // Nothing but quotes (or a bare signature): show everything rather than nothing.
            return new FoldedText(string.Join('\n', lines).Trim(), false);
        }

        return new FoldedText(reply, end < lines.Length && string.Join('\n', lines[end..]).Trim().Length > 0);
    }

    /// <summary>Index of the first line of quoted history, or the line count when there is none.</summary>
    private static int QuoteStart(string[] lines)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (IsForwardMarker(line))
            {
                // A forwarded message is the content; quotes inside it are the customer's to show.
                return lines.Length;
            }

            if (OriginalMessage().IsMatch(line) || Attribution(line) || (i + 1 < lines.Length && Attribution(line + " " + lines[i + 1].Trim()) && !Attribution(lines[i + 1].Trim())))
            {
                return i;
            }

            if (HeaderFrom().IsMatch(line) && HeaderBlockFollows(lines, i) && !PreviousIsForward(lines, i))
            {
                return Underscores().IsMatch(Previous(lines, i)) ? PreviousIndex(lines, i) : i;
            }

            if (line.StartsWith('>') && RestIsQuoted(lines, i))
            {
                return i;
            }
        }

        return lines.Length;
    }

    private static bool Attribution(string line) =>
        line.Length <= 400 && (OnWrote().IsMatch(line) || ChineseWrote().IsMatch(line));

    private static bool IsForwardMarker(string line) => ForwardMarker().IsMatch(line);

    private static bool HeaderBlockFollows(string[] lines, int from)
    {
        var seen = 0;
        for (var j = from + 1; j < lines.Length && j <= from + 6; j++)
        {
            if (HeaderOther().IsMatch(lines[j].Trim()))
            {
                seen++;
            }
        }

        return seen >= 1;
    }

    private static bool PreviousIsForward(string[] lines, int i) => IsForwardMarker(Previous(lines, i).Trim());

    private static int PreviousIndex(string[] lines, int i)
    {
        for (var j = i - 1; j >= 0; j--)
        {
            if (lines[j].Trim().Length > 0)
            {
                return j;
            }
        }

        return i;
    }

    private static string Previous(string[] lines, int i)
    {
        var j = PreviousIndex(lines, i);
        return j == i ? "" : lines[j];
    }

    private static bool RestIsQuoted(string[] lines, int from)
    {
        for (var j = from; j < lines.Length; j++)
        {
            var t = lines[j].Trim();
            if (t.Length > 0 && !t.StartsWith('>'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Where the signature starts within <c>lines[..end]</c>: the "-- " separator, or a mobile "sent from" line near the end.</summary>
    private static int SignatureStart(string[] lines, int end)
    {
        for (var i = 0; i < end; i++)
        {
            if (lines[i] is "-- " or "--" or "-- \t")
            {
                return i;
            }
        }

        for (var i = 0; i < end; i++)
        {
            if (SentFrom().IsMatch(lines[i].Trim()))
            {
                var after = lines[(i + 1)..end].Count(l => l.Trim().Length > 0);
                if (after <= 2)
                {
                    return i;
                }
            }
        }

        return end;
    }

    [GeneratedRegex(@"^-{2,}\s*(Original Message|Original Mail|原始邮件|原始郵件|原邮件)\s*-{2,}$", RegexOptions.IgnoreCase, 1000)]
    private static partial Regex OriginalMessage();

    [GeneratedRegex(@"^(>\s*)?On\s.{1,300}\swrote\s?:$", RegexOptions.IgnoreCase | RegexOptions.Singleline, 1000)]
    private static partial Regex OnWrote();

    [GeneratedRegex(@"^(在|於|于).{1,300}(写道|寫道)\s*[:：]?$|^.{1,200}\s(写道|寫道)\s*[:：]$", RegexOptions.Singleline, 1000)]
    private static partial Regex ChineseWrote();

    [GeneratedRegex(@"^-{2,}\s*(Forwarded message|Forwarded Message|Begin forwarded message|转发的邮件|轉寄的郵件|转发邮件)\s*-{0,}\s*:?$|^Begin forwarded message\s*:$", RegexOptions.IgnoreCase, 1000)]
    private static partial Regex ForwardMarker();

    [GeneratedRegex(@"^\*?(From|发件人|發件人|寄件者)\*?\s*[:：]", RegexOptions.IgnoreCase, 1000)]
    private static partial Regex HeaderFrom();

    [GeneratedRegex(@"^\*?(Sent|Date|To|Subject|Cc|发送时间|日期|时间|收件人|主题|抄送|寄件日期|傳送時間|收件者|主旨)\*?\s*[:：]", RegexOptions.IgnoreCase, 1000)]
    private static partial Regex HeaderOther();

    [GeneratedRegex(@"^_{8,}$", RegexOptions.None, 1000)]
    private static partial Regex Underscores();

    [GeneratedRegex(@"^(Sent from my .{1,40}|Sent from (Mail|Outlook|Yahoo Mail|my mobile).{0,40}|Get Outlook for (iOS|Android).{0,10}|(发自|發自)我的.{1,30}|从我的.{1,30}发送|(来自|來自)我的.{1,30}|Sent via .{1,40})$", RegexOptions.IgnoreCase, 1000)]
    private static partial Regex SentFrom();
}
