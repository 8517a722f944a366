using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MimeKit;
using MimeKit.Cryptography;

namespace WalletDesk.Server.Features.Email;

/// <summary>A file that came with a message.</summary>
public sealed record ParsedAttachment(string? FileName, string ContentType, byte[] Content);

/// <summary>Why a message must not open a ticket or get an answer.</summary>
public enum LoopKind { None, AutoReply, Bounce }

/// <summary>A message as the channel needs it: who, what they wrote this time, the whole text, files, threading headers, loop and sender checks.</summary>
public sealed record ParsedEmail(
    string FromAddress,
    string? FromName,
    string Subject,
    string Reply,
    string FullText,
    bool Folded,
    IReadOnlyList<ParsedAttachment> Attachments,
    string? MessageId,
    IReadOnlyList<string> ThreadHints,
    IReadOnlyList<string> Recipients,
    LoopKind Loop,
    string? LoopReason,
    IReadOnlyList<string> FailedRecipients,
    SenderAuth Auth,
    string ContentHash,
    string Language);

/// <summary>A message that cannot be made into a ticket entry; the reason goes to the quarantine.</summary>
public sealed class UnreadableEmailException(string reason) : Exception(reason);

/// <summary>
/// Reads raw RFC 5322 mail with MimeKit: nested multiparts, Chinese charsets (GB2312/GBK read as GB18030, Big5),
/// RFC 2047/2231 headers and file names, HTML-only mail as safe text, forwarded messages, DSNs.
/// Pure: no database, no clock; throws <see cref="UnreadableEmailException"/> for what cannot be read.
/// </summary>
public static class EmailParser
{
    // MimeKit looks charsets up through Encoding.GetEncoding, which knows GBK, GB18030 and Big5 only with the code pages provider.
    private static readonly Encoding Gb18030 = RegisterCodePages().GetEncoding("GB18030")!;
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>Headers a relay adds on the way; the same message delivered twice differs only in these.</summary>
    private static readonly HashSet<string> TraceHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Received", "Return-Path", "Delivered-To", "X-Original-To", "Envelope-To", "Authentication-Results", "ARC-Seal", "ARC-Message-Signature",
        "ARC-Authentication-Results", "Received-SPF", "X-Spam-Status", "X-Spam-Score", "X-Spam-Flag", "X-Spam-Level", "X-Virus-Scanned", "X-Received", "X-Gm-Message-State",
    };

    private const int MaxAttachments = 30;
    private const int MaxTextChars = 400_000;

    private static CodePagesEncodingProvider RegisterCodePages()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return (CodePagesEncodingProvider)CodePagesEncodingProvider.Instance;
    }

    public static MimeMessage Load(byte[] raw)
    {
        var options = new ParserOptions
        {
            // Undeclared 8-bit headers are tried as UTF-8 first, then as GB18030 (the usual culprit in Chinese mail).
            CharsetEncoding = Gb18030,
            MaxMimeDepth = 32,
            AllowAddressesWithoutDomain = true,
            RespectContentLength = false,
        };

        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            return MimeMessage.Load(options, stream);
        }
        catch (FormatException ex)
        {
            throw new UnreadableEmailException("MIME parse failed: " + ex.Message);
        }
    }

    public static ParsedEmail Parse(byte[] raw, string? ownAddress, IReadOnlyCollection<string> trustedAuthServIds)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var message = Load(raw);
        var from = message.From.Mailboxes.FirstOrDefault() ?? message.Sender
            ?? throw new UnreadableEmailException("The message has no From address.");
        var address = from.Address?.Trim() ?? "";
        if (address.Length is 0 or > EmailLimits.Address || !address.Contains('@', StringComparison.Ordinal) || address.Any(char.IsControl) || address.Any(char.IsWhiteSpace))
        {
            throw new UnreadableEmailException("The From address is missing or not an address.");
        }

        var body = new StringBuilder();
        var attachments = new List<ParsedAttachment>();
        var deliveryReports = new List<MessageDeliveryStatus>();
        Collect(message.Body, body, attachments, deliveryReports, depth: 0);
        var full = Normalise(body.ToString());
        var folded = QuoteFolder.Fold(full);
        var (loop, loopReason) = MailLoops.Classify(message, address, ownAddress, deliveryReports.Count > 0);
        var failed = loop == LoopKind.Bounce ? MailLoops.FailedRecipients(deliveryReports) : [];
        var hints = new List<string>();
        if (!string.IsNullOrEmpty(message.InReplyTo))
        {
            hints.Add(message.InReplyTo);
        }

        hints.AddRange(message.References.Where(r => !hints.Contains(r)));
        var recipients = message.To.Mailboxes.Concat(message.Cc.Mailboxes).Select(m => m.Address)
            .Concat(new[] { "Delivered-To", "X-Original-To", "Envelope-To" }.SelectMany(h => message.Headers.Where(x => x.Field.Equals(h, StringComparison.OrdinalIgnoreCase)).Select(x => x.Value.Trim().Trim('<', '>'))))
            .Where(a => !string.IsNullOrEmpty(a)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var subject = Normalise(HeaderText(message, HeaderId.Subject) ?? message.Subject ?? "").Replace('\n', ' ');
        var language = ContainsChinese(subject + folded.Reply) ? "zh" : "en";
        var fromName = from.Name;
        if (fromName is not null && fromName.Length > 0 && HeaderText(message, HeaderId.From) is { } rawFrom && rawFrom.LastIndexOf('<') is > 0 and var lt)
        {
            fromName = rawFrom[..lt].Trim().Trim('"').Trim();
        }

        var name = fromName is null ? "" : new string(fromName.Where(c => !char.IsControl(c)).ToArray()).Trim();
        return new ParsedEmail(
            address,
            name.Length == 0 ? null : name,
            subject,
            folded.Reply,
            full,
            folded.Folded,
            attachments,
            string.IsNullOrEmpty(message.MessageId) || message.MessageId.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '<' or '>') ? null : message.MessageId,
            hints.Take(20).ToList(),
            recipients,
            loop,
            loopReason,
            failed,
            SenderCheck.Evaluate(message, address, trustedAuthServIds),
            ContentHash(message),
            language);
    }

    /// <summary>SHA-256 over the message without its trace headers: a second delivery (another Received, Delivered-To…) hashes alike.</summary>
    public static string ContentHash(MimeMessage message)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var header in message.Headers)
        {
            if (!TraceHeaders.Contains(header.Field))
            {
                hash.AppendData(Encoding.UTF8.GetBytes(header.Field.ToUpperInvariant()));
                hash.AppendData(header.RawValue);
            }
        }

        using var body = new MemoryStream();
        message.Body?.WriteTo(FormatOptions.Default, body, contentOnly: false);
        hash.AppendData(body.ToArray());
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Collect(MimeEntity? entity, StringBuilder body, List<ParsedAttachment> attachments, List<MessageDeliveryStatus> reports, int depth)
    {
        if (entity is null || depth > 32)
        {
            return;
        }

        switch (entity)
        {
            case MultipartAlternative alternative:
                // The last part is the richest; plain text is what we want, HTML when there is no plain text.
                var plain = alternative.OfType<TextPart>().LastOrDefault(p => p.IsPlain && !p.IsAttachment);
                var html = alternative.OfType<TextPart>().LastOrDefault(p => p.IsHtml && !p.IsAttachment);
                var chosen = plain is not null && Text(plain).Trim().Length > 0 ? (MimeEntity)plain : html;
                if (chosen is null)
                {
                    chosen = alternative.LastOrDefault(p => p is Multipart) ?? alternative.FirstOrDefault();
                }

                Collect(chosen, body, attachments, reports, depth + 1);
                foreach (var other in alternative.Where(p => p != chosen && p is Multipart))
                {
                    CollectFilesOnly(other, attachments, depth + 1);
                }

                break;
            case MultipartRelated related:
                var root = related.Root ?? related.FirstOrDefault();
                Collect(root, body, attachments, reports, depth + 1);
                foreach (var part in related.Where(p => p != root))
                {
                    CollectFilesOnly(part, attachments, depth + 1);
                }

                break;
            case Multipart { Count: 0 } empty when !string.IsNullOrWhiteSpace(empty.Preamble) || !string.IsNullOrWhiteSpace(empty.Epilogue):
                // A multipart whose boundary never appears (mangled in transit): its text is all in the preamble. Keep it.
                body.Append(empty.Preamble).Append(empty.Epilogue);
                break;
            case Multipart multipart:
                foreach (var part in multipart)
                {
                    Collect(part, body, attachments, reports, depth + 1);
                }

                break;
            case TextRfc822Headers:
                // The headers of the message a bounce returns: not the customer's words.
                break;
            case MessagePart { Message: { } inner }:
                AppendForwarded(inner, body, attachments, reports, depth);
                break;
            case MessageDeliveryStatus status:
                reports.Add(status);
                break;
            case TextPart text when !text.IsAttachment && (text.IsPlain || text.IsHtml):
                var content = text.IsHtml ? HtmlText.ToText(Text(text)) : Text(text);
                if (body.Length > 0 && content.Trim().Length > 0)
                {
                    body.Append("\n\n");
                }

                body.Append(content);
                break;
            case MimePart part:
                AddFile(part, attachments);
                break;
        }
    }

    private static void CollectFilesOnly(MimeEntity entity, List<ParsedAttachment> attachments, int depth)
    {
        if (depth > 32)
        {
            return;
        }

        if (entity is Multipart multipart)
        {
            foreach (var part in multipart)
            {
                CollectFilesOnly(part, attachments, depth + 1);
            }
        }
        else if (entity is MimePart part and not TextPart)
        {
            AddFile(part, attachments);
        }
    }

    private static void AppendForwarded(MimeMessage inner, StringBuilder body, List<ParsedAttachment> attachments, List<MessageDeliveryStatus> reports, int depth)
    {
        var text = new StringBuilder();
        Collect(inner.Body, text, attachments, reports, depth + 1);
        if (body.Length > 0)
        {
            body.Append("\n\n");
        }

        body.Append("---------- Forwarded message ---------\n");
        body.Append("From: ").Append(inner.From.ToString()).Append('\n');
        if (inner.Date != DateTimeOffset.MinValue)
        {
            body.Append("Date: ").Append(inner.Date.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture)).Append('\n');
        }

        body.Append("Subject: ").Append(inner.Subject ?? "").Append("\n\n");
        body.Append(text);
    }

    private static void AddFile(MimePart part, List<ParsedAttachment> attachments)
    {
        if (attachments.Count >= MaxAttachments || part.Content is null)
        {
            return;
        }

        using var content = new MemoryStream();
        part.Content.DecodeTo(content);
        if (content.Length == 0)
        {
            return;
        }

        attachments.Add(new ParsedAttachment(part.FileName, part.ContentType.MimeType, content.ToArray()));
    }

    /// <summary>A text part's text: the declared charset (GB2312/GBK as their superset GB18030, Big5), undeclared as UTF-8 or else GB18030.</summary>
    internal static string Text(TextPart part)
    {
        if (part.Content is null)
        {
            return "";
        }

        using var stream = new MemoryStream();
        part.Content.DecodeTo(stream);
        var bytes = stream.ToArray();
        var text = Decode(bytes, part.ContentType.Charset?.Trim().Trim('"').ToLowerInvariant());
        return text.Length > MaxTextChars ? text[..MaxTextChars] : text;
    }

    private static string Decode(byte[] bytes, string? charset)
    {
        switch (charset)
        {
            case "gb2312" or "gbk" or "x-gbk" or "cp936" or "windows-936" or "euc-cn" or "csgb2312" or "gb_2312-80" or "gb18030" or "chinese":
                return Gb18030.GetString(bytes);
            case "big5" or "big5-hkscs" or "x-big5" or "cp950" or "csbig5":
                return CodePagesEncodingProvider.Instance.GetEncoding(950)!.GetString(bytes);
            case null or "" or "us-ascii" or "ascii" or "utf-8" or "utf8" or "unknown-8bit" or "x-unknown":
                return Utf8OrGb18030(bytes);
            default:
                Encoding? encoding = null;
                try
                {
                    encoding = Encoding.GetEncoding(charset);
                }
                catch (Exception ex) when (ex is NotSupportedException or ArgumentException)
                {
                }

                return encoding is null ? Utf8OrGb18030(bytes) : encoding.GetString(bytes);
        }
    }

    /// <summary>
    /// An ASCII header with RFC 2047 encoded words decoded with the same charset rules as bodies (MimeKit's own lookup
    /// misses Big5 on some platforms); null when the header is absent, not ASCII, or has no encoded words.
    /// </summary>
    private static string? HeaderText(MimeMessage message, HeaderId id)
    {
        var header = message.Headers.FirstOrDefault(h => h.Id == id);
        if (header is null || header.RawValue.Any(b => b > 0x7e) || header.RawValue.Length > 4000)
        {
            return null;
        }

        var raw = Encoding.ASCII.GetString(header.RawValue).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);
        if (!raw.Contains("=?", StringComparison.Ordinal))
        {
            return null;
        }

        // Whitespace between two encoded words is not text (RFC 2047 section 6.2).
        raw = System.Text.RegularExpressions.Regex.Replace(raw, @"\?=\s+=\?", "?==?", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        try
        {
            return System.Text.RegularExpressions.Regex.Replace(raw, @"=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=", m =>
            {
                var charset = m.Groups[1].Value.Split('*')[0];
                var bytes = m.Groups[2].Value is "B" or "b" ? FromBase64(m.Groups[3].Value) : FromQ(m.Groups[3].Value);
                return bytes is null ? m.Value : Decode(bytes, charset.ToLowerInvariant());
            }, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)).Trim();
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return null;
        }
    }

    private static byte[]? FromBase64(string text)
    {
        var padded = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static byte[] FromQ(string text)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '=' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add(text[i] == '_' ? (byte)' ' : (byte)text[i]);
            }
        }

        return bytes.ToArray();
    }

    private static string Utf8OrGb18030(byte[] bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Gb18030.GetString(bytes);
        }
    }

    private static string Normalise(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'))
        {
            if (c is '\n' or '\t' || !char.IsControl(c))
            {
                builder.Append(c is '\u00a0' ? ' ' : c);
            }
        }

        var lines = builder.ToString().Split('\n').Select(l => l.TrimEnd(' ', '\t'));
        return string.Join('\n', lines).Trim('\n');
    }

    private static bool ContainsChinese(string text) => text.Any(c => c is >= '\u4e00' and <= '\u9fff');

    /// <summary>All Authentication-Results headers, for <see cref="SenderCheck"/>.</summary>
    internal static IEnumerable<AuthenticationResults> AuthenticationResultsOf(MimeMessage message)
    {
        foreach (var header in message.Headers.Where(h => h.Id == HeaderId.AuthenticationResults))
        {
            if (AuthenticationResults.TryParse(header.RawValue, out var results))
            {
                yield return results;
            }
        }
    }
}
