using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Attachments;

/// <summary>
/// A file on a ticket. The bytes live on disk under the data folder with a server-generated name
/// (<see cref="StorageKey"/>); the row holds only metadata. The row is written after the file, so a file without a row is an orphan.
/// </summary>
public sealed class Attachment
{
    /// <summary>Random (v4) so ids cannot be enumerated; access is still checked on every download.</summary>
    public Guid Id { get; set; }
    public long TicketId { get; set; }

    /// <summary>The message the file belongs to, when it was sent with one.</summary>
    public long? MessageId { get; set; }

    /// <summary><c>customer</c> or <c>agent</c>.</summary>
    public required string UploaderType { get; set; }
    public string? UploaderId { get; set; }
    public string? UploaderName { get; set; }

    /// <summary>The name shown and offered on download: normalised, stripped of control and bidi characters, redacted. Never used on disk.</summary>
    public required string FileName { get; set; }

    /// <summary>What the content is (see <see cref="AttachmentKinds"/>), decided from the bytes, not from the name or the declared type.</summary>
    public required string Kind { get; set; }
    public required string ContentType { get; set; }
    public long SizeBytes { get; set; }

    /// <summary>Lower-case hex SHA-256 of the stored bytes.</summary>
    public required string Sha256 { get; set; }

    /// <summary>Relative path under the attachment root, e.g. <c>3f/3f2a…</c>.</summary>
    public required string StorageKey { get; set; }

    /// <summary><c>public</c> (the customer sees it) or <c>internal</c> (agents only).</summary>
    public required string Visibility { get; set; }

    /// <summary><c>clean</c> (text scanned, nothing sensitive) or <c>not_scanned</c> (images and PDFs: treat as possibly sensitive).</summary>
    public required string Scan { get; set; }

    /// <summary>What redaction removed from the file name (e.g. "pan"), empty when nothing.</summary>
    public string Redactions { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

public static class AttachmentKinds
{
    public const string Png = "png";
    public const string Jpeg = "jpeg";
    public const string Gif = "gif";
    public const string WebP = "webp";
    public const string Pdf = "pdf";
    public const string Text = "text";

    /// <summary>The Content-Type a download is served with; never a type a browser renders as a document or runs.</summary>
    public static string ContentTypeOf(string kind) => kind switch
    {
        Png => "image/png",
        Jpeg => "image/jpeg",
        Gif => "image/gif",
        WebP => "image/webp",
        Pdf => "application/pdf",
        Text => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };

    /// <summary>The extensions allowed for each kind; a name's extension must belong to the kind its bytes are.</summary>
    public static readonly IReadOnlyDictionary<string, string> ByExtension = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["png"] = Png,
        ["jpg"] = Jpeg,
        ["jpeg"] = Jpeg,
        ["gif"] = Gif,
        ["webp"] = WebP,
        ["pdf"] = Pdf,
        ["txt"] = Text,
        ["csv"] = Text,
        ["log"] = Text,
    };
}

public static class AttachmentScans
{
    public const string Clean = "clean";
    public const string NotScanned = "not_scanned";
}

internal sealed class AttachmentConfiguration : IEntityTypeConfiguration<Attachment>
{
    public void Configure(EntityTypeBuilder<Attachment> builder)
    {
        builder.ToTable("attachments");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.UploaderType).HasMaxLength(16);
        builder.Property(a => a.UploaderId).HasMaxLength(64);
        builder.Property(a => a.UploaderName).HasMaxLength(128);
        builder.Property(a => a.FileName).HasMaxLength(255);
        builder.Property(a => a.Kind).HasMaxLength(16);
        builder.Property(a => a.ContentType).HasMaxLength(100);
        builder.Property(a => a.Sha256).HasMaxLength(64);
        builder.Property(a => a.StorageKey).HasMaxLength(80);
        builder.Property(a => a.Visibility).HasMaxLength(16);
        builder.Property(a => a.Scan).HasMaxLength(16);
        builder.Property(a => a.Redactions).HasMaxLength(100);
        builder.HasOne<Ticket>().WithMany().HasForeignKey(a => a.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<TicketMessage>().WithMany().HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(a => a.StorageKey).IsUnique();
        builder.HasIndex(a => new { a.TicketId, a.CreatedAt });
        builder.HasIndex(a => a.MessageId);
    }
}
