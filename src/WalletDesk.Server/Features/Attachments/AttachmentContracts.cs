namespace WalletDesk.Server.Features.Attachments;

/// <summary>An attachment as agents see it.</summary>
/// <param name="Id">Random id; download at <see cref="DownloadUrl"/>.</param>
/// <param name="TicketId">The ticket the file is on.</param>
/// <param name="MessageId">The message it was sent with, if any.</param>
/// <param name="FileName">The display name after normalisation and redaction; never a storage path.</param>
/// <param name="ContentType">The type decided from the file's content.</param>
/// <param name="SizeBytes">Size in bytes.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the stored bytes.</param>
/// <param name="Visibility"><c>public</c> or <c>internal</c>.</param>
/// <param name="Scan"><c>clean</c> (text scanned) or <c>not_scanned</c> (images, PDFs: may show card or ID details).</param>
/// <param name="UploaderType"><c>customer</c> or <c>agent</c>.</param>
/// <param name="UploaderName">The agent's name; null for customers.</param>
/// <param name="CreatedAt">When it was uploaded.</param>
/// <param name="DownloadUrl">Where to download it (authorized; always as an attachment, never inline).</param>
public sealed record AttachmentResponse(
    Guid Id, long TicketId, long? MessageId, string FileName, string ContentType, long SizeBytes, string Sha256, string Visibility, string Scan,
    string UploaderType, string? UploaderName, DateTimeOffset CreatedAt, string DownloadUrl);

/// <summary>An attachment as its customer sees it: public files on their own ticket.</summary>
public sealed record CustomerAttachmentResponse(Guid Id, long? MessageId, string FileName, string ContentType, long SizeBytes, bool FromYou, DateTimeOffset CreatedAt, string DownloadUrl);
