using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Server.Features.Email;

/// <summary>What became of a message handed in.</summary>
/// <param name="Outcome"><c>ticket_created</c>, <c>appended</c>, <c>auto_reply</c>, <c>bounce</c>, <c>duplicate</c> or <c>quarantined</c>.</param>
/// <param name="TicketId">The ticket the message went to.</param>
/// <param name="QuarantineId">The quarantine entry when it could not be stored.</param>
/// <param name="Detail">Why it was quarantined.</param>
public sealed record IngestResponse(string Outcome, long? TicketId, long? QuarantineId, string? Detail);

/// <summary>A quarantined message as admins list it (the raw message is a separate download).</summary>
public sealed record QuarantinedEmailResponse(long Id, string Source, string? ProviderId, string Reason, string Status, int Attempts, long SizeBytes, DateTimeOffset ReceivedAt, DateTimeOffset? ResolvedAt, long? TicketId);

internal static class EmailEndpoints
{
    /// <summary>Header naming the delivering system's own id for the message (dedup across redeliveries).</summary>
    public const string ProviderIdHeader = "X-Provider-Message-Id";

    public static void Map(IEndpointRouteBuilder app)
    {
        var email = app.MapGroup("/api/email").WithTags("Email");
        email.MapPost("/inbound", IngestMessage).RequireStaff(StaffRoles.Admin, ApiScopes.EmailIngest).DisableAntiforgery();
        email.MapGet("/quarantine", ListQuarantine).RequireStaff(StaffRoles.Admin, ApiScopes.EmailAdmin);
        email.MapGet("/quarantine/{id:long}/raw", GetQuarantinedRaw).RequireStaff(StaffRoles.Admin, ApiScopes.EmailAdmin);
        email.MapPost("/quarantine/{id:long}/reprocess", ReprocessQuarantined).RequireStaff(StaffRoles.Admin, ApiScopes.EmailAdmin);
    }

    private static async Task<IResult> IngestMessage(HttpContext http, EmailIngest ingest, IOptionsMonitor<EmailInboundOptions> options, CancellationToken ct)
    {
        var settings = options.CurrentValue;
        if (!settings.IsConfigured)
        {
            return TypedResults.Problem(title: "Inbound email not configured", detail: "Set Email:Inbound:Address and Email:Inbound:ReplyTokenKey.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = settings.MaxMessageBytes + 1;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > settings.MaxMessageBytes)
            {
                return TypedResults.Problem(title: "Message too large", detail: $"Messages are at most {settings.MaxMessageBytes:N0} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge);
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return Problems.Validation("body", "Send the raw message (RFC 5322) as the request body.");
        }

        var providerId = http.Request.Headers[ProviderIdHeader].ToString();
        var result = await ingest.IngestAsync(buffer.ToArray(), "http", providerId.Length == 0 ? null : providerId, ct);
        return TypedResults.Ok(new IngestResponse(result.Outcome, result.TicketId, result.QuarantineId, result.Detail));
    }

    private static async Task<IResult> ListQuarantine(IDbContextFactory<AppDbContext> contexts, CancellationToken ct, string? status = null, int limit = 100)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.EmailQuarantine.AsNoTracking();
        if (!string.IsNullOrEmpty(status))
        {
            query = query.Where(q => q.Status == status);
        }

        var rows = await query.OrderByDescending(q => q.Id).Take(Math.Clamp(limit, 1, 500))
            .Select(q => new QuarantinedEmailResponse(q.Id, q.Source, q.ProviderId, q.Reason, q.Status, q.Attempts, q.Raw.Length, q.ReceivedAt, q.ResolvedAt, q.TicketId))
            .ToListAsync(ct);
        return TypedResults.Ok(rows);
    }

    private static async Task<IResult> GetQuarantinedRaw(long id, IDbContextFactory<AppDbContext> contexts, AuditService audit, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var raw = await db.EmailQuarantine.AsNoTracking().Where(q => q.Id == id).Select(q => q.Raw).SingleOrDefaultAsync(ct);
        if (raw is null)
        {
            return Problems.NotFound("The quarantined message");
        }

        var actor = user.ToActor(http);
        await audit.AppendAsync(new AuditEvent("email.quarantine.read", AuditOutcomes.Success, "staff", actor.Id.ToString(), actor.Name, "email_quarantine", id.ToString(CultureInfo.InvariantCulture), actor.SourceIp), ct);
        // Served as an opaque download, never as something a browser renders.
        return TypedResults.File(raw, "application/octet-stream", $"quarantine-{id}.eml");
    }

    private static async Task<IResult> ReprocessQuarantined(long id, EmailIngest ingest, AuditService audit, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        var result = await ingest.ReprocessAsync(id, ct);
        var actor = user.ToActor(http);
        await audit.AppendAsync(new AuditEvent("email.quarantine.reprocess", result is null || result.Outcome == IngestResult.Quarantined ? AuditOutcomes.Failure : AuditOutcomes.Success,
            "staff", actor.Id.ToString(), actor.Name, "email_quarantine", id.ToString(CultureInfo.InvariantCulture), actor.SourceIp, result?.Outcome), ct);
        return result is null
            ? Problems.NotFound("The quarantined message")
            : TypedResults.Ok(new IngestResponse(result.Outcome, result.TicketId, result.QuarantineId, result.Detail));
    }
}
