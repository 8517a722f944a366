using System.ComponentModel.DataAnnotations;

namespace WalletDesk.Server.Features.Knowledge;

/// <summary>Knowledge base and help center settings (section <c>Knowledge</c>).</summary>
public sealed class KnowledgeOptions
{
    public const string SectionName = "Knowledge";

    /// <summary>Hosts article images may come from besides this server (relative URLs). Empty by default.</summary>
    public string[] AllowedImageHosts { get; set; } = [];

    /// <summary>Articles not reviewed for this many days are listed as stale for editors.</summary>
    [Range(1, 3650)]
    public int StaleAfterDays { get; set; } = 180;

    /// <summary>How long the typo-correction vocabulary is reused before it is rebuilt (other nodes' edits show up after this).</summary>
    [Range(1, 3600)]
    public int VocabularyCacheSeconds { get; set; } = 300;
}
