using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Attachments;

/// <summary>Who is uploading: an agent (any ticket) or a customer (only their own tickets, only public).</summary>
public sealed record Uploader(string Type, string? Id, string? Name, Guid? CustomerId)
{
    public bool IsCustomer => CustomerId is not null;
}

/// <summary>An upload or download refused; <see cref="Status"/> is the HTTP status of the problem answered.</summary>
public sealed class AttachmentRejectedException(int status, string title, string detail, string? field = null, long? limitBytes = null) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public string? Field { get; } = field;
    public long? LimitBytes { get; } = limitBytes;
}

/// <summary>
/// Uploads, lists and opens ticket attachments. An upload is streamed to a temp file (never buffered whole), checked on its
/// content, scanned when it is text, moved into the store, and only then recorded; every refusal deletes what was written.
/// </summary>
public sealed class AttachmentService(AppDbContext db, AttachmentStore store, TicketIntake intake, TimeProvider time, IOptions<AttachmentOptions> options, ILogger<AttachmentService> logger)
{
    public const string Public = "public";
    public const string Internal = "internal";

    // SQLite has one writer per process; the quota check and the insert must not interleave between two uploads to one ticket.
    private static readonly SemaphoreSlim SqliteQuotaGate = new(1, 1);

    private static readonly string[] MarkupTypes = ["text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml", "text/javascript", "application/javascript", "application/x-msdownload"];

    /// <summary>Multipart framing on top of the file itself.</summary>
    public const long MultipartOverheadBytes = 64 * 1024;

    public async Task<Attachment?> UploadAsync(HttpRequest request, long ticketId, Uploader uploader, bool isInternal, long? messageId, CancellationToken ct)
    {
        var limits = options.Value;
        var ticket = await db.Tickets.AsNoTracking().Where(t => t.Id == ticketId && (uploader.CustomerId == null || t.CustomerId == uploader.CustomerId))
            .Select(t => new { t.Id }).SingleOrDefaultAsync(ct);
        if (ticket is null)
        {
            return null;
        }

        if (uploader.IsCustomer && isInternal)
        {
            isInternal = false; // customers cannot make agent-only files
        }

        if (messageId is { } mid && !await MessageFitsAsync(ticketId, mid, uploader, ct))
        {
            throw new AttachmentRejectedException(StatusCodes.Status404NotFound, "Not found", "The message does not exist on this ticket or you cannot see it.");
        }

        var ticketRoom = await CheckQuotaAsync(ticketId, 0, ct);

        var boundary = BoundaryOf(request.ContentType);
        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 8 * 1024, HeadersCountLimit = 8 };
        StagedFile? staged = null;
        SafeFileName? name = null;
        try
        {
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(ct)) is not null)
            {
                var disposition = section.GetContentDispositionHeader();
                if (disposition is null || !disposition.IsFileDisposition())
                {
                    await section.Body.DrainAsync(ct);
                    continue;
                }

                if (staged is not null)
                {
                    throw new AttachmentRejectedException(StatusCodes.Status400BadRequest, "One file per request", "Send one file per request.", "file");
                }

                var rawName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                name = AttachmentFileNames.Clean(rawName, intake, out var nameProblem)
                    ?? throw new AttachmentRejectedException(StatusCodes.Status415UnsupportedMediaType, "File type not accepted", nameProblem!, "file");
                if (section.ContentType is { } declared && MarkupTypes.Any(t => declared.StartsWith(t, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new AttachmentRejectedException(StatusCodes.Status415UnsupportedMediaType, "File type not accepted", $"Files declared as '{declared.Split(';')[0]}' are not accepted.", "file");
                }

                staged = await store.StageAsync(section.Body, Math.Min(limits.MaxFileBytes, ticketRoom), ct)
                    ?? throw (ticketRoom < limits.MaxFileBytes
                        ? TicketFull(limits.MaxTicketBytes - ticketRoom)
                        : TooLarge($"The file is larger than the limit of {Describe(limits.MaxFileBytes)} per file.", limits.MaxFileBytes));
            }
        }
        catch (InvalidDataException ex)
        {
            throw new AttachmentRejectedException(StatusCodes.Status400BadRequest, "Malformed upload", "The multipart body could not be read: " + ex.Message, "file");
        }
        catch
        {
            if (staged is not null)
            {
                AttachmentStore.TryDelete(staged.TempPath);
            }

            throw;
        }

        if (staged is null || name is null)
        {
            throw new AttachmentRejectedException(StatusCodes.Status400BadRequest, "No file", "Send the file as multipart/form-data in a part named 'file' with a file name.", "file");
        }

        return await KeepAsync(staged, name, ticketId, uploader, isInternal, messageId, ct);
    }

    /// <summary>
    /// A file that came with a message from another channel (an email attachment): the same name, content, sensitive-text
    /// and quota checks as an upload, as <paramref name="uploader"/>; throws <see cref="AttachmentRejectedException"/> when refused.
    /// </summary>
    public async Task<Attachment?> AddFromChannelAsync(Stream content, string? rawName, string? declaredType, long ticketId, Uploader uploader, long? messageId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(uploader);
        var limits = options.Value;
        if (!await db.Tickets.AsNoTracking().AnyAsync(t => t.Id == ticketId && (uploader.CustomerId == null || t.CustomerId == uploader.CustomerId), ct))
        {
            return null;
        }

        var ticketRoom = await CheckQuotaAsync(ticketId, 0, ct);
        var name = AttachmentFileNames.Clean(rawName, intake, out var nameProblem)
            ?? throw new AttachmentRejectedException(StatusCodes.Status415UnsupportedMediaType, "File type not accepted", nameProblem!, "file");
        if (declaredType is { } declared && MarkupTypes.Any(t => declared.StartsWith(t, StringComparison.OrdinalIgnoreCase)))
        {
            throw new AttachmentRejectedException(StatusCodes.Status415UnsupportedMediaType, "File type not accepted", $"Files declared as '{declared.Split(';')[0]}' are not accepted.", "file");
        }

        var staged = await store.StageAsync(content, Math.Min(limits.MaxFileBytes, ticketRoom), ct)
            ?? throw (ticketRoom < limits.MaxFileBytes
                ? TicketFull(limits.MaxTicketBytes - ticketRoom)
                : TooLarge($"The file is larger than the limit of {Describe(limits.MaxFileBytes)} per file.", limits.MaxFileBytes));
        return await KeepAsync(staged, name, ticketId, uploader, isInternal: false, messageId, ct);
    }

    /// <summary>Checks a staged file's content and keeps it (file committed, row inserted within the quota), or deletes it and throws.</summary>
    private async Task<Attachment> KeepAsync(StagedFile staged, SafeFileName name, long ticketId, Uploader uploader, bool isInternal, long? messageId, CancellationToken ct)
    {
        string? key = null;
        try
        {
            var verdict = await AttachmentContent.InspectAsync(staged.TempPath, ct);
            if (verdict.Kind is null)
            {
                throw new AttachmentRejectedException(StatusCodes.Status415UnsupportedMediaType, "File type not accepted", verdict.Problem!, "file");
            }

            if (verdict.Kind != name.ExpectedKind)
            {
                throw new AttachmentRejectedException(StatusCodes.Status415UnsupportedMediaType, "File type not accepted",
                    $"The file is named '.{name.Extension}' but its content is {Label(verdict.Kind)}. Rename it or send the right file.", "file");
            }

            var scan = AttachmentScans.NotScanned;
            if (verdict.Kind == AttachmentKinds.Text)
            {
                if (await SensitiveText.ScanAsync(staged.TempPath, ct) is { } found)
                {
                    throw new AttachmentRejectedException(StatusCodes.Status422UnprocessableEntity, "Sensitive content",
                        $"The file contains what looks like a {string.Join(" and a ", found)}. We do not keep such files: please remove it and send the file again. " +
                        "Never share a card's full number or security code, a password, a code we send you, or your wallet's recovery phrase.", "file");
                }

                scan = AttachmentScans.Clean;
            }

            key = store.Commit(staged);
            var attachment = new Attachment
            {
                Id = Guid.NewGuid(),
                TicketId = ticketId,
                MessageId = messageId,
                UploaderType = uploader.Type,
                UploaderId = uploader.Id,
                UploaderName = uploader.Name,
                FileName = name.Name,
                Kind = verdict.Kind,
                ContentType = AttachmentKinds.ContentTypeOf(verdict.Kind),
                SizeBytes = staged.Length,
                Sha256 = staged.Sha256,
                StorageKey = key,
                Visibility = isInternal ? Internal : Public,
                Scan = scan,
                Redactions = name.Redactions,
                CreatedAt = time.GetUtcNow(),
            };
            await InsertWithinQuotaAsync(attachment, ct);
            return attachment;
        }
        catch
        {
            AttachmentStore.TryDelete(staged.TempPath);
            if (key is not null)
            {
                store.Delete(key);
            }

            throw;
        }
    }

    public async Task<List<Attachment>?> ListAsync(long ticketId, Guid? customerId, CancellationToken ct)
    {
        if (!await db.Tickets.AnyAsync(t => t.Id == ticketId && (customerId == null || t.CustomerId == customerId), ct))
        {
            return null;
        }

        return await db.Set<Attachment>().AsNoTracking()
            .Where(a => a.TicketId == ticketId && (customerId == null || a.Visibility == Public))
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).ToListAsync(ct);
    }

    /// <summary>The attachment when the caller may read it: staff any, a customer only public files on their own tickets.</summary>
    public async Task<Attachment?> FindReadableAsync(Guid id, Guid? customerId, CancellationToken ct)
    {
        var attachment = await db.Set<Attachment>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);
        if (attachment is null || customerId is null)
        {
            return attachment;
        }

        var owns = attachment.Visibility == Public && await db.Tickets.AnyAsync(t => t.Id == attachment.TicketId && t.CustomerId == customerId, ct);
        return owns ? attachment : null;
    }

    private async Task<bool> MessageFitsAsync(long ticketId, long messageId, Uploader uploader, CancellationToken ct) =>
        await db.TicketMessages.AnyAsync(m => m.Id == messageId && m.TicketId == ticketId
            && (!uploader.IsCustomer || (m.Visibility == TicketService.Public && m.AuthorType == TicketActors.Customer && m.AuthorId == uploader.Id)), ct);

    /// <summary>Refuses when the ticket is full; returns how many more bytes it may take.</summary>
    private async Task<long> CheckQuotaAsync(long ticketId, long adding, CancellationToken ct)
    {
        var limits = options.Value;
        var usage = await db.Set<Attachment>().Where(a => a.TicketId == ticketId)
            .GroupBy(a => a.TicketId).Select(g => new { Count = g.Count(), Bytes = g.Sum(a => a.SizeBytes) }).SingleOrDefaultAsync(ct);
        var (count, bytes) = (usage?.Count ?? 0, usage?.Bytes ?? 0);
        if (count >= limits.MaxFilesPerTicket)
        {
            throw new AttachmentRejectedException(StatusCodes.Status413PayloadTooLarge, "Too many attachments",
                $"The ticket already has {count} attachments; the limit is {limits.MaxFilesPerTicket} per ticket.");
        }

        if (bytes >= limits.MaxTicketBytes || bytes + adding > limits.MaxTicketBytes)
        {
            throw TicketFull(bytes);
        }

        return limits.MaxTicketBytes - bytes;
    }

    private AttachmentRejectedException TicketFull(long used) =>
        TooLarge($"The ticket's attachments would total more than the limit of {Describe(options.Value.MaxTicketBytes)} per ticket ({Describe(used)} already used).", options.Value.MaxTicketBytes);

    private async Task InsertWithinQuotaAsync(Attachment attachment, CancellationToken ct)
    {
        var sqlite = db.Database.IsSqlite();
        if (sqlite)
        {
            await SqliteQuotaGate.WaitAsync(ct);
        }

        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            if (!sqlite)
            {
                // Row lock on the ticket: concurrent uploads to one ticket take turns at the quota check.
                await db.Database.ExecuteSqlAsync($"SELECT 1 FROM tickets WHERE \"Id\" = {attachment.TicketId} FOR UPDATE", ct);
            }

            await CheckQuotaAsync(attachment.TicketId, attachment.SizeBytes, ct);
            db.Add(attachment);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            logger.LogInformation("Attachment {AttachmentId} ({Kind}, {Size} bytes) added to ticket {TicketId}", attachment.Id, attachment.Kind, attachment.SizeBytes, attachment.TicketId);
        }
        finally
        {
            if (sqlite)
            {
                SqliteQuotaGate.Release();
            }
        }
    }

    private static string BoundaryOf(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || !media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new AttachmentRejectedException(StatusCodes.Status415UnsupportedMediaType, "Send multipart/form-data", "Send the file as multipart/form-data in a part named 'file'.", "file");
        }

        var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > 200)
        {
            throw new AttachmentRejectedException(StatusCodes.Status400BadRequest, "Malformed upload", "The multipart boundary is missing or too long.", "file");
        }

        return boundary;
    }

    private static AttachmentRejectedException TooLarge(string detail, long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "File too large", detail, "file", limit);

    public static string Describe(long bytes) => bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024)} MiB ({bytes:N0} bytes)")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes");

    private static string Label(string kind) => kind switch
    {
        AttachmentKinds.Text => "plain text",
        AttachmentKinds.Jpeg => "a JPEG image",
        AttachmentKinds.Pdf => "a PDF",
        _ => $"a {kind.ToUpperInvariant()} image",
    };
}
