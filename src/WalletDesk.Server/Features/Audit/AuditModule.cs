using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Server.Features.Audit;

/// <summary>An audit entry as the API returns it.</summary>
public sealed record AuditEntryResponse(long Id, DateTimeOffset At, string ActorType, string? ActorId, string? ActorName, string Action, string? ObjectType, string? ObjectId, string Outcome, string? SourceIp, string? Details, string Hash);

/// <summary>A page of audit entries, newest first.</summary>
public sealed record AuditPageResponse(IReadOnlyList<AuditEntryResponse> Items, long? NextBefore);

/// <summary>The result of walking the chain.</summary>
public sealed record AuditVerificationResponse(bool IsIntact, long EntriesChecked, long? FirstBadEntryId, string? Problem);

public static class AuditModule
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditService>();
        services.AddScoped<AuditQuery>();
        return services;
    }

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/audit").WithTags("Audit");
        group.MapGet("/", ListAuditEntries).RequireStaff(StaffRoles.Admin, ApiScopes.AuditRead);
        group.MapPost("/verify", VerifyAuditChain).RequireStaff(StaffRoles.Admin, ApiScopes.AuditRead);
        return app;
    }

    private static async Task<IResult> ListAuditEntries(
        AuditQuery query, AuditService audit, ClaimsPrincipal user, HttpContext http, CancellationToken ct,
        string? action = null, string? actor = null, string? objectType = null, string? objectId = null, string? outcome = null,
        DateTimeOffset? from = null, DateTimeOffset? to = null, long? before = null, int limit = 50)
    {
        if (limit is < 1 or > 500)
        {
            return Problems.Validation("limit", "limit must be between 1 and 500.");
        }

        var filter = new AuditFilter(action, actor, objectType, objectId, outcome, from, to, before, limit);
        var page = await query.ListAsync(filter, ct);
        var actorInfo = user.ToActor(http);
        // Reading the trail is itself an audited event.
        await audit.AppendAsync(new AuditEvent("audit.read", AuditOutcomes.Success, "staff", actorInfo.Id.ToString(), actorInfo.Name, "audit", null, actorInfo.SourceIp, filter.Describe()), ct);
        return TypedResults.Ok(page);
    }

    private static async Task<IResult> VerifyAuditChain(AuditService audit, CancellationToken ct)
    {
        var result = await audit.VerifyAsync(ct);
        return TypedResults.Ok(new AuditVerificationResponse(result.IsIntact, result.EntriesChecked, result.FirstBadEntryId, result.Problem));
    }
}

/// <summary>Filters for listing the trail; all optional.</summary>
public sealed record AuditFilter(string? Action, string? Actor, string? ObjectType, string? ObjectId, string? Outcome, DateTimeOffset? From, DateTimeOffset? To, long? Before, int Limit)
{
    public string Describe() =>
        string.Join("; ", new[] { ("action", Action), ("actor", Actor), ("objectType", ObjectType), ("objectId", ObjectId), ("outcome", Outcome), ("from", From?.ToString("O")), ("to", To?.ToString("O")) }
            .Where(p => !string.IsNullOrEmpty(p.Item2)).Select(p => $"{p.Item1}={p.Item2}"));
}

public sealed class AuditQuery(AppDbContext db)
{
    public async Task<AuditPageResponse> ListAsync(AuditFilter filter, CancellationToken ct)
    {
        var q = db.AuditEntries.AsNoTracking().AsQueryable();
        if (!string.IsNullOrWhiteSpace(filter.Action))
        {
            q = q.Where(e => e.Action.StartsWith(filter.Action));
        }

        if (!string.IsNullOrWhiteSpace(filter.Actor))
        {
            q = q.Where(e => e.ActorName == filter.Actor || e.ActorId == filter.Actor);
        }

        if (!string.IsNullOrWhiteSpace(filter.ObjectType))
        {
            q = q.Where(e => e.ObjectType == filter.ObjectType);
        }

        if (!string.IsNullOrWhiteSpace(filter.ObjectId))
        {
            q = q.Where(e => e.ObjectId == filter.ObjectId);
        }

        if (!string.IsNullOrWhiteSpace(filter.Outcome))
        {
            q = q.Where(e => e.Outcome == filter.Outcome);
        }

        if (filter.From is { } from)
        {
            q = q.Where(e => e.At >= from);
        }

        if (filter.To is { } to)
        {
            q = q.Where(e => e.At < to);
        }

        if (filter.Before is { } before)
        {
            q = q.Where(e => e.Id < before);
        }

        var rows = await q.OrderByDescending(e => e.Id).Take(filter.Limit + 1).ToListAsync(ct);
        var items = rows.Take(filter.Limit)
            .Select(e => new AuditEntryResponse(e.Id, e.At, e.ActorType, e.ActorId, e.ActorName, e.Action, e.ObjectType, e.ObjectId, e.Outcome, e.SourceIp, e.Details, e.Hash))
            .ToList();
        return new AuditPageResponse(items, rows.Count > filter.Limit ? items[^1].Id : null);
    }
}
