using System.ComponentModel.DataAnnotations;

namespace WalletDesk.Server.Features.Attachments;

/// <summary>Limits and housekeeping for ticket attachments.</summary>
public sealed class AttachmentOptions
{
    public const string SectionName = "Attachments";

    /// <summary>Largest single file in bytes (default 10 MiB). Larger uploads get a 413 stating the limit.</summary>
    [Range(1024, 1L << 30)]
    public long MaxFileBytes { get; set; } = 10L * 1024 * 1024;

    /// <summary>Total bytes of all attachments on one ticket (default 50 MiB).</summary>
    [Range(1024, 1L << 34)]
    public long MaxTicketBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Most attachments on one ticket.</summary>
    [Range(1, 10_000)]
    public int MaxFilesPerTicket { get; set; } = 50;

    /// <summary>Files on disk without a database row are deleted once they are this old (crash leftovers).</summary>
    [Range(5, 10_080)]
    public int OrphanAgeMinutes { get; set; } = 60;

    /// <summary>How often the reconciliation job looks for orphans.</summary>
    [Range(1, 1440)]
    public int ReconcileIntervalMinutes { get; set; } = 15;

    public bool RunReconciler { get; set; } = true;
}
