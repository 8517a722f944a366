using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using WalletDesk.Server.Features.Email;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Email;

/// <summary>
/// The real SMTP server CI starts (.ci/start-postfix): <c>WALLETDESK_TEST_SMTP=host:port</c> and the Maildir it
/// delivers <c>@walletdesk.test</c> into, <c>WALLETDESK_TEST_MAILDIR</c>.
/// </summary>
public static class TestSmtp
{
    public const string SkipReason = "No SMTP server: set WALLETDESK_TEST_SMTP=127.0.0.1:25 and WALLETDESK_TEST_MAILDIR (run .ci/start-postfix as root; see docs/email.md).";

    private static string? Server => Environment.GetEnvironmentVariable("WALLETDESK_TEST_SMTP") is { Length: > 0 } s ? s : null;

    public static string? MaildirPath => Environment.GetEnvironmentVariable("WALLETDESK_TEST_MAILDIR") is { Length: > 0 } s ? s : null;

    public static bool IsAvailable => Server is not null && MaildirPath is not null;

    public static string Host => Server!.Split(':')[0];

    public static int Port => int.Parse(Server!.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A recipient no other test uses.</summary>
    public static string NewRecipient(string label) => $"{label}-{Guid.NewGuid():N}"[..28].ToLowerInvariant() + "@walletdesk.test";

    public static Dictionary<string, string?> Settings(int? port = null, IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Email:Host"] = IsAvailable ? Host : "127.0.0.1",
            ["Email:Port"] = (port ?? (IsAvailable ? Port : 25)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:FromAddress"] = "support@walletdesk.test",
            ["Email:FromName"] = "WalletDesk 客服",
            ["Email:UserName"] = "walletdesk-smtp-user",
            ["Email:Password"] = SmtpPassword,
            // Tests drive the sender by hand (EmailSender.SendDueAsync) unless they say otherwise.
            ["Email:SenderEnabled"] = "false",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    public const string SmtpPassword = "Sm7p-pa55word-never-logged";
}

/// <summary>A fact that runs only when the SMTP server is there, and says why it is skipped otherwise.</summary>
public sealed class SmtpFactAttribute : FactAttribute
{
    public SmtpFactAttribute()
    {
        if (!TestSmtp.IsAvailable)
        {
            Skip = TestSmtp.SkipReason;
        }
    }
}

/// <summary>A theory over <see cref="Providers.All"/> that runs only when the SMTP server is there.</summary>
public sealed class SmtpTheoryAttribute : TheoryAttribute
{
    public SmtpTheoryAttribute()
    {
        if (!TestSmtp.IsAvailable)
        {
            Skip = TestSmtp.SkipReason;
        }
    }
}

/// <summary>One delivered message as it lies in the Maildir: raw text, unfolded headers, decoded parts.</summary>
public sealed record DeliveredMail(string File, string Raw, IReadOnlyList<KeyValuePair<string, string>> Headers, string TextBody, string? HtmlBody)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public IEnumerable<string> AllHeaders(string name) => Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    public string Subject => Rfc2047.Decode(Header("Subject") ?? "");

    /// <summary>Everything a reader could see: decoded headers and bodies, plus the raw text.</summary>
    public string Everything => string.Join('\n', Headers.Select(h => $"{h.Key}: {Rfc2047.Decode(h.Value)}")) + "\n" + TextBody + "\n" + HtmlBody + "\n" + Raw;
}

/// <summary>Reads what postfix delivered to the test Maildir.</summary>
public static class TestMailbox
{
    /// <summary>All messages delivered to <paramref name="recipient"/> so far.</summary>
    public static IReadOnlyList<DeliveredMail> For(string recipient)
    {
        var found = new List<DeliveredMail>();
        foreach (var folder in new[] { "new", "cur" })
        {
            var path = Path.Combine(TestSmtp.MaildirPath!, folder);
            if (!Directory.Exists(path))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(path))
            {
                var raw = File.ReadAllText(file, Encoding.UTF8);
                var mail = Parse(file, raw);
                if (mail.AllHeaders("Delivered-To").Any(v => v.Trim().Equals(recipient, StringComparison.OrdinalIgnoreCase)))
                {
                    found.Add(mail);
                }
            }
        }

        return found;
    }

    /// <summary>Waits for postfix's local delivery (it hands over after the SMTP "250 OK") to put <paramref name="count"/> messages there.</summary>
    public static async Task<IReadOnlyList<DeliveredMail>> WaitForAsync(string recipient, int count = 1)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var mails = For(recipient);
            if (mails.Count >= count || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                mails.Count.ShouldBe(count, $"messages delivered to {recipient} (see /var/log/postfix-walletdesk.log)");
                return mails;
            }

            await Task.Delay(100);
        }
    }

    public static DeliveredMail Parse(string file, string raw)
    {
        var text = raw.Replace("\r\n", "\n", StringComparison.Ordinal);
        var split = text.IndexOf("\n\n", StringComparison.Ordinal);
        var headers = ParseHeaders(text[..split]);
        var body = text[(split + 2)..];
        var contentType = headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value ?? "text/plain";
        if (contentType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = Regex.Match(contentType, "boundary=\"?([^\";]+)\"?").Groups[1].Value;
            string? plain = null, html = null;
            foreach (var part in body.Split("--" + boundary).Skip(1).Where(p => !p.StartsWith("--", StringComparison.Ordinal)))
            {
                var p = part.TrimStart('\n');
                var cut = p.IndexOf("\n\n", StringComparison.Ordinal);
                var partHeaders = ParseHeaders(p[..cut]);
                var decoded = DecodeBody(partHeaders, p[(cut + 2)..]);
                var type = partHeaders.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value ?? "";
                if (type.StartsWith("text/html", StringComparison.OrdinalIgnoreCase))
                {
                    html = decoded;
                }
                else
                {
                    plain = decoded;
                }
            }

            return new DeliveredMail(file, raw, headers, plain ?? "", html);
        }

        return new DeliveredMail(file, raw, headers, DecodeBody(headers, body), null);
    }

    private static List<KeyValuePair<string, string>> ParseHeaders(string block)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in block.Split('\n'))
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && headers.Count > 0)
            {
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + " " + line.Trim());
            }
            else if (line.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon)
            {
                headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
            }
        }

        return headers;
    }

    private static string DecodeBody(List<KeyValuePair<string, string>> headers, string body)
    {
        var encoding = headers.FirstOrDefault(h => h.Key.Equals("Content-Transfer-Encoding", StringComparison.OrdinalIgnoreCase)).Value?.Trim().ToLowerInvariant();
        return encoding switch
        {
            "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(body.Where(c => !char.IsWhiteSpace(c))))),
            "quoted-printable" => Rfc2047.QuotedPrintable(body.Replace("=\n", "", StringComparison.Ordinal), underscoreIsSpace: false),
            _ => body,
        };
    }
}

/// <summary>Just enough RFC 2047 / quoted-printable decoding for what System.Net.Mail writes.</summary>
public static partial class Rfc2047
{
    public static string Decode(string value)
    {
        // Whitespace between two encoded words is not part of the text.
        var joined = AdjacentWords().Replace(value, "$1$2");
        return EncodedWord().Replace(joined, m =>
        {
            var charset = Encoding.GetEncoding(m.Groups[1].Value);
            var data = m.Groups[3].Value;
            return m.Groups[2].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
                ? charset.GetString(Convert.FromBase64String(data))
                : QuotedPrintable(data, underscoreIsSpace: true);
        });
    }

    public static string QuotedPrintable(string text, bool underscoreIsSpace)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '=' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(underscoreIsSpace && text[i] == '_' ? " " : text[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    [GeneratedRegex(@"(\?=)\s+(=\?)")]
    private static partial Regex AdjacentWords();

    [GeneratedRegex(@"=\?([^?]+)\?([BbQq])\?([^?]*)\?=")]
    private static partial Regex EncodedWord();
}

public static class EmailTestExtensions
{
    public static EmailSender Sender(this WalletDeskFactory app) => app.Services.GetRequiredService<EmailSender>();

    public static EmailOutbox Outbox(this WalletDeskFactory app) => app.Services.GetRequiredService<EmailOutbox>();

    public static Task<EmailMessage> EmailRowAsync(this WalletDeskFactory app, long id) =>
        app.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(
            Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AsNoTracking(db.EmailOutbox), m => m.Id == id));
}
