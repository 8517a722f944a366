using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace WalletDesk.Server.Features.Knowledge;

/// <summary>Knowledge base and help center settings (section <c>Knowledge</c>).</summary>
public sealed partial class KnowledgeOptions
{
    public const string SectionName = "Knowledge";

    /// <summary>
    /// Hosts article images may come from over HTTPS besides this server (relative URLs). Empty by default. Each is a
    /// plain host name; the site's CSP <c>img-src</c> lists them too, so the images the sanitizer keeps also display.
    /// </summary>
    public string[] AllowedImageHosts { get; set; } = [];

    /// <summary>
    /// Extra synonym groups searched together at query time, one group per entry as comma-separated phrases in
    /// either language, e.g. <c>"e-wallet, digital wallet, 电子钱包"</c>. Added to the wallet defaults
    /// (<see cref="Search.KnowledgeSynonyms.Defaults"/>) unless <see cref="UseDefaultSynonyms"/> is false.
    /// </summary>
    public string[] Synonyms { get; set; } = [];

    /// <summary>Whether the built-in wallet synonym groups apply (default true).</summary>
    public bool UseDefaultSynonyms { get; set; } = true;

    /// <summary>Articles not reviewed for this many days are listed as stale for editors.</summary>
    [Range(1, 3650)]
    public int StaleAfterDays { get; set; } = 180;

    /// <summary>How long the typo-correction vocabulary is reused before it is rebuilt (other nodes' edits show up after this).</summary>
    [Range(1, 3600)]
    public int VocabularyCacheSeconds { get; set; } = 300;

    /// <summary>A DNS host name and nothing else, so it can go into the CSP header and be compared with an image URL's host.</summary>
    public static bool IsHostName(string? host) => host is { Length: > 0 and <= 253 } && HostName().IsMatch(host);

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HostName();
}
