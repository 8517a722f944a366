using System.Globalization;
using System.Text;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Attachments;

/// <summary>A display name that passed the checks, with the kind its extension promises and what redaction removed.</summary>
public sealed record SafeFileName(string Name, string Extension, string ExpectedKind, string Redactions);

/// <summary>
/// Turns a client-supplied file name into a display name, or refuses it. The name is only ever shown and offered on
/// download (encoded); files are stored under server-generated names. Order matters: normalise first, then look at the extension.
/// </summary>
public static class AttachmentFileNames
{
    public const int MaxLength = 200;

    // Extensions that mean "runs, renders or configures something" anywhere in a name: "invoice.pdf.exe" is refused
    // by the allowlist, "photo.php.png" by this list (a misconfigured web server elsewhere might honour the inner one).
    private static readonly HashSet<string> Dangerous = new(StringComparer.Ordinal)
    {
        "exe", "dll", "com", "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse", "mjs", "wsf", "wsh", "msi", "msp", "scr", "hta", "cpl", "jar",
        "sh", "bash", "zsh", "py", "pl", "rb", "php", "php3", "php4", "php5", "phtml", "phar", "asp", "aspx", "ascx", "ashx", "asmx", "axd", "cshtml",
        "vbhtml", "razor", "config", "jsp", "jspx", "cgi", "htaccess", "htpasswd", "html", "htm", "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "xslt",
        "mht", "mhtml", "swf", "lnk", "url", "reg", "inf", "app", "apk", "dmg", "iso", "so", "dylib", "elf", "bin",
    };

    /// <summary>Null with <paramref name="problem"/> set when the name must be refused.</summary>
    public static SafeFileName? Clean(string? raw, TicketIntake intake, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(raw))
        {
            problem = "The file has no name.";
            return null;
        }

        // Compatibility normalisation folds full-width and other look-alike forms ("ｅｘｅ" -> "exe") before any check.
        var name = raw.Normalize(NormalizationForm.FormKC);

        // Browsers and tools send paths in file names; keep only the last segment (both separators, encoded too).
        name = name.Replace("%2f", "/", StringComparison.OrdinalIgnoreCase).Replace("%5c", "/", StringComparison.OrdinalIgnoreCase).Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..];

        // Drop control characters and invisible format characters: bidi overrides (U+202E), zero-width joiners, BOM.
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (!char.IsControl(c) && category is not UnicodeCategory.Format and not UnicodeCategory.LineSeparator and not UnicodeCategory.ParagraphSeparator)
            {
                builder.Append(c);
            }
        }

        name = builder.ToString();

        // NTFS alternate data streams ("evil.aspx::$DATA", "a.aspx:x.png") name the part before the colon.
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            name = name[..colon];
        }

        // Windows drops trailing dots and spaces ("evil.aspx. ."), so the extension is what remains.
        name = name.Trim().TrimEnd('.', ' ');
        if (name.Length == 0 || name is "." or "..")
        {
            problem = "The file name is empty once unsafe characters are removed.";
            return null;
        }

        var dot = name.LastIndexOf('.');
        var extension = dot > 0 ? name[(dot + 1)..].ToLowerInvariant() : "";
        if (!AttachmentKinds.ByExtension.TryGetValue(extension, out var kind))
        {
            problem = $"Files ending in '.{extension}' are not accepted. Accepted: {string.Join(", ", AttachmentKinds.ByExtension.Keys.Select(e => "." + e))}.";
            return null;
        }

        foreach (var part in name[..dot].Split('.').Skip(1))
        {
            if (Dangerous.Contains(part.Trim().ToLowerInvariant()))
            {
                problem = $"The name has a second extension ('.{part}') that is not accepted.";
                return null;
            }
        }

        // Card numbers and codes in a file name are redacted like any other text the customer sends.
        var clean = intake.Inbound(name);
        name = clean.Text.Replace('"', '\'');
        if (name.Length > MaxLength)
        {
            name = name[..(MaxLength - extension.Length - 1)] + "." + extension;
        }

        if (!name.EndsWith("." + extension, StringComparison.OrdinalIgnoreCase))
        {
            // Redaction never reaches the extension, but the invariant is cheap to hold.
            name += "." + extension;
        }

        return new SafeFileName(name, extension, kind, clean.RemovedLabel);
    }

    /// <summary>An ASCII stand-in for the legacy <c>filename=</c> parameter; <c>filename*</c> carries the real name.</summary>
    public static string AsciiFallback(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(c is >= ' ' and < (char)127 and not '"' and not '\\' and not ';' and not '%' ? c : '_');
        }

        return builder.ToString();
    }
}
