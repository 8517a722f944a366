using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Server.Features.Attachments;

internal static class AttachmentEndpoints
{
    /// <summary>Set on a download so <see cref="AttachmentResponseHeaders"/> gives it the sandbox CSP.</summary>
    public const string DownloadMarker = "walletdesk.attachment-download";

    public static void Map(IEndpointRouteBuilder app)
    {
        var limits = app.ServiceProvider.GetRequiredService<IOptions<AttachmentOptions>>().Value;
        var uploadLimit = new UploadSizeLimit(limits.MaxFileBytes + AttachmentService.MultipartOverheadBytes);

        var staff = app.MapGroup("/api/tickets/{id:long}/attachments").WithTags("Attachments").AddEndpointFilter(TranslateErrors);
        staff.MapPost("/", UploadAsStaff).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsWrite).WithMetadata(uploadLimit).DisableAntiforgery();
        staff.MapGet("/", ListForStaff).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsRead);

        var mine = app.MapGroup("/api/me/tickets/{id:long}/attachments").WithTags("Customer tickets").RequireAuthorization(StaffPolicies.Customer).AddEndpointFilter(TranslateErrors);
        mine.MapPost("/", UploadAsCustomer).WithMetadata(uploadLimit).DisableAntiforgery();
        mine.MapGet("/", ListForCustomer);

        app.MapGet("/api/attachments/{attachmentId:guid}", Download).WithTags("Attachments").RequireAuthorization(AttachmentsModule.ReaderPolicy);
    }

    private static Task<IResult> UploadAsStaff(long id, HttpContext http, AttachmentService attachments, ClaimsPrincipal user, CancellationToken ct, long? messageId = null, bool @internal = false) =>
        Upload(http, attachments, id, new Uploader(TicketActors.Agent, user.StaffId()?.ToString(), user.FindFirstValue(WalletDeskClaims.Name), null), @internal, messageId, ct);

    private static Task<IResult> UploadAsCustomer(long id, HttpContext http, AttachmentService attachments, ClaimsPrincipal user, CancellationToken ct, long? messageId = null)
    {
        var customerId = user.CustomerIdOf()!.Value;
        return Upload(http, attachments, id, new Uploader(TicketActors.Customer, customerId.ToString(), null, customerId), false, messageId, ct);
    }

    private static async Task<IResult> Upload(HttpContext http, AttachmentService attachments, long ticketId, Uploader uploader, bool isInternal, long? messageId, CancellationToken ct)
    {
        // Kestrel stops a chunked body at the endpoint's limit too (the declared-length check runs in RequestSizeLimit).
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size && http.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is { } limit)
        {
            size.MaxRequestBodySize = limit.MaxRequestBodySize;
        }

        var attachment = await attachments.UploadAsync(http.Request, ticketId, uploader, isInternal, messageId, ct);
        if (attachment is null)
        {
            return Problems.NotFound("The ticket");
        }

        return uploader.IsCustomer
            ? TypedResults.Created($"/api/attachments/{attachment.Id}", ToCustomer(attachment, uploader.Id))
            : TypedResults.Created($"/api/attachments/{attachment.Id}", ToStaff(attachment));
    }

    private static async Task<IResult> ListForStaff(long id, AttachmentService attachments, CancellationToken ct) =>
        await attachments.ListAsync(id, null, ct) is { } list ? TypedResults.Ok(list.Select(ToStaff).ToList()) : Problems.NotFound("The ticket");

    private static async Task<IResult> ListForCustomer(long id, AttachmentService attachments, ClaimsPrincipal user, CancellationToken ct)
    {
        var customerId = user.CustomerIdOf()!.Value;
        return await attachments.ListAsync(id, customerId, ct) is { } list
            ? TypedResults.Ok(list.Select(a => ToCustomer(a, customerId.ToString())).ToList())
            : Problems.NotFound("The ticket");
    }

    private static async Task<IResult> Download(Guid attachmentId, HttpContext http, AttachmentService attachments, AttachmentStore store, AuditService audit, ClaimsPrincipal user, CancellationToken ct)
    {
        var customerId = user.CustomerIdOf();
        var attachment = await attachments.FindReadableAsync(attachmentId, customerId, ct);
        if (attachment is null)
        {
            return Problems.NotFound("The attachment");
        }

        FileStream stream;
        try
        {
            stream = store.OpenRead(attachment.StorageKey);
        }
        catch (FileNotFoundException)
        {
            return Problems.NotFound("The attachment");
        }
        catch (DirectoryNotFoundException)
        {
            return Problems.NotFound("The attachment");
        }

        if (customerId is null)
        {
            // Files may show card or identity details: who opened which is on the audit trail.
            var actor = user.ToActor(http);
            await audit.AppendAsync(new AuditEvent("attachment.download", AuditOutcomes.Success, "staff", actor.Id.ToString(), actor.Name, "attachment", attachment.Id.ToString(), actor.SourceIp, $"ticket={attachment.TicketId}; scan={attachment.Scan}"), ct);
        }

        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(attachment.FileName);
        disposition.FileName = "\"" + AttachmentFileNames.AsciiFallback(attachment.FileName) + "\"";
        var headers = http.Response.Headers;
        headers.ContentDisposition = disposition.ToString();
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = AttachmentResponseHeaders.SandboxPolicy;
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers["X-Download-Options"] = "noopen";
        http.Items[DownloadMarker] = true;
        return TypedResults.Stream(stream, AttachmentKinds.ContentTypeOf(attachment.Kind), fileDownloadName: null, enableRangeProcessing: false);
    }

    private static AttachmentResponse ToStaff(Attachment a) => new(
        a.Id, a.TicketId, a.MessageId, a.FileName, a.ContentType, a.SizeBytes, a.Sha256, a.Visibility, a.Scan, a.UploaderType, a.UploaderName, a.CreatedAt, $"/api/attachments/{a.Id}");

    private static CustomerAttachmentResponse ToCustomer(Attachment a, string? customerId) => new(
        a.Id, a.MessageId, a.FileName, a.ContentType, a.SizeBytes, a.UploaderType == TicketActors.Customer && a.UploaderId == customerId, a.CreatedAt, $"/api/attachments/{a.Id}");

    private static async ValueTask<object?> TranslateErrors(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (AttachmentRejectedException ex) when (ex.Status == StatusCodes.Status400BadRequest && ex.Field is not null)
        {
            return Problems.Validation(ex.Field, ex.Message);
        }
        catch (AttachmentRejectedException ex)
        {
            if (ex.Status == StatusCodes.Status413PayloadTooLarge)
            {
                // The client may still be sending; do not keep reading a body we refused.
                context.HttpContext.Response.Headers.Connection = "close";
            }

            var extensions = new Dictionary<string, object?>();
            if (ex.LimitBytes is { } limit)
            {
                extensions["limitBytes"] = limit;
            }

            if (ex.Status == StatusCodes.Status415UnsupportedMediaType)
            {
                extensions["accepted"] = new[] { "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain (.txt, .csv, .log)" };
            }

            return TypedResults.Problem(title: ex.Title, detail: ex.Message, statusCode: ex.Status, extensions: extensions);
        }
        catch (AttachmentStorageException)
        {
            return TypedResults.Problem(title: "Storage unavailable", detail: "The file could not be stored right now (the attachment store is full or unavailable). Nothing was saved; try again later.",
                statusCode: StatusCodes.Status507InsufficientStorage);
        }
    }

    private sealed class UploadSizeLimit(long bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => bytes;
    }
}
