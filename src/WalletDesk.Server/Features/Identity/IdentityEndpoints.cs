using System.ComponentModel;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Server.Features.Identity;

/// <summary>The signed-in staff member.</summary>
public sealed record StaffMeResponse(Guid Id, string UserName, string DisplayName, string Role, bool TwoFactorEnabled, string AuthMethod, IReadOnlyList<string> Scopes);

/// <summary>A staff account as admins see it.</summary>
public sealed record StaffUserResponse(Guid Id, string UserName, string DisplayName, string Email, string Role, bool TwoFactorEnabled, bool IsDisabled, DateTimeOffset? LockoutEndsAt);

/// <summary>Create a staff account.</summary>
public sealed record CreateStaffRequest(string? UserName, string? Email, string? DisplayName, string? Role, string? Password);

/// <summary>Change a staff member's role.</summary>
public sealed record ChangeRoleRequest([property: Description("agent, supervisor or admin")] string? Role);

/// <summary>Create an API token.</summary>
public sealed record CreateApiTokenRequest(string? Name, IReadOnlyList<string>? Scopes, int? ExpiresInDays);

/// <summary>An API token without its secret.</summary>
public sealed record ApiTokenResponse(Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>A new API token; <see cref="Token"/> is shown only in this response.</summary>
public sealed record CreatedApiTokenResponse(ApiTokenResponse Details, string Token);

/// <summary>The signed-in wallet customer.</summary>
public sealed record CustomerMeResponse(Guid Id, string ExternalId, string DisplayName, string Locale);

internal static class IdentityEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var staff = app.MapGroup("/api/staff").WithTags("Staff");
        staff.MapGet("/me", GetMe).RequireStaff(StaffRoles.Agent, ApiScopes.StaffRead);
        staff.MapGet("/", ListStaff).RequireStaff(StaffRoles.Admin, ApiScopes.StaffRead);
        staff.MapPost("/", CreateStaff).RequireAuthorization(StaffPolicies.Admin);
        staff.MapPut("/{id:guid}/role", ChangeRole).RequireAuthorization(StaffPolicies.Admin);
        staff.MapPost("/{id:guid}/disable", DisableStaff).RequireAuthorization(StaffPolicies.Admin);
        staff.MapPost("/{id:guid}/enable", EnableStaff).RequireAuthorization(StaffPolicies.Admin);
        staff.MapPost("/{id:guid}/two-factor/reset", ResetTwoFactor).RequireAuthorization(StaffPolicies.Admin);

        var tokens = app.MapGroup("/api/api-tokens").WithTags("API tokens").RequireAuthorization(StaffPolicies.Agent);
        tokens.MapGet("/", ListTokens);
        tokens.MapPost("/", CreateToken);
        tokens.MapDelete("/{id:guid}", RevokeToken);

        app.MapGet("/api/me", GetCustomerMe).WithTags("Customers").RequireAuthorization(StaffPolicies.Customer);

        app.MapPost("/console/sign-out", SignOut).RequireAuthorization(StaffPolicies.Enrolling).ExcludeFromDescription();
    }

    private static async Task<Results<Ok<StaffMeResponse>, NotFound>> GetMe(ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var id = user.StaffId();
        var found = await db.StaffUsers.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, ct);
        if (found is null)
        {
            return TypedResults.NotFound();
        }

        var scopes = user.FindAll(WalletDeskClaims.Scope).Select(c => c.Value).ToList();
        return TypedResults.Ok(new StaffMeResponse(found.Id, found.UserName, found.DisplayName, found.Role, found.TwoFactorEnabled, user.AuthMethodOf() ?? "", scopes));
    }

    private static async Task<Ok<List<StaffUserResponse>>> ListStaff(StaffDirectoryService directory, CancellationToken ct) =>
        TypedResults.Ok((await directory.ListAsync(ct)).Select(ToResponse).ToList());

    private static async Task<IResult> CreateStaff(CreateStaffRequest request, StaffDirectoryService directory, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        try
        {
            var created = await directory.CreateAsync(request.UserName, request.Email, request.DisplayName, request.Role, request.Password, user.ToActor(http), ct);
            return TypedResults.Created($"/api/staff/{created.Id}", ToResponse(created));
        }
        catch (StaffValidationException ex)
        {
            return Problems.Validation(ex.Field, ex.Message);
        }
    }

    private static async Task<IResult> ChangeRole(Guid id, ChangeRoleRequest request, StaffDirectoryService directory, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        try
        {
            var changed = await directory.ChangeRoleAsync(id, request.Role, user.ToActor(http), ct);
            return changed is null ? Problems.NotFound("The staff member") : TypedResults.Ok(ToResponse(changed));
        }
        catch (StaffValidationException ex)
        {
            return Problems.Validation(ex.Field, ex.Message);
        }
    }

    private static Task<IResult> DisableStaff(Guid id, StaffDirectoryService directory, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        SetDisabled(id, true, directory, user, http, ct);

    private static Task<IResult> EnableStaff(Guid id, StaffDirectoryService directory, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        SetDisabled(id, false, directory, user, http, ct);

    private static async Task<IResult> SetDisabled(Guid id, bool disabled, StaffDirectoryService directory, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        try
        {
            var changed = await directory.SetDisabledAsync(id, disabled, user.ToActor(http), ct);
            return changed is null ? Problems.NotFound("The staff member") : TypedResults.Ok(ToResponse(changed));
        }
        catch (StaffValidationException ex)
        {
            return Problems.Validation(ex.Field, ex.Message);
        }
    }

    private static async Task<IResult> ResetTwoFactor(Guid id, StaffAuthService auth, AppDbContext db, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        if (!await db.StaffUsers.AnyAsync(u => u.Id == id, ct))
        {
            return Problems.NotFound("The staff member");
        }

        await auth.ResetTwoFactorAsync(id, user.ToActor(http), ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<ApiTokenResponse>>> ListTokens(ApiTokenService tokens, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        TypedResults.Ok((await tokens.ListAsync(user.ToActor(http), ct)).Select(ToResponse).ToList());

    private static async Task<IResult> CreateToken(CreateApiTokenRequest request, ApiTokenService tokens, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        if (user.AuthMethodOf() != WalletDeskClaims.MethodCookie)
        {
            return TypedResults.Problem(title: "Forbidden", detail: "API tokens are created by a signed-in person, not by another token.", statusCode: StatusCodes.Status403Forbidden);
        }

        try
        {
            var created = await tokens.CreateAsync(user.ToActor(http), request.Name, request.Scopes, request.ExpiresInDays, ct);
            return TypedResults.Created($"/api/api-tokens/{created.Token.Id}", new CreatedApiTokenResponse(ToResponse(created.Token), created.PlainText));
        }
        catch (ApiTokenException ex)
        {
            return Problems.Validation(ex.Field, ex.Message);
        }
    }

    private static async Task<IResult> RevokeToken(Guid id, ApiTokenService tokens, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        await tokens.RevokeAsync(user.ToActor(http), id, ct) ? TypedResults.NoContent() : Problems.NotFound("The token");

    private static async Task<IResult> GetCustomerMe(ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var id = user.CustomerIdOf();
        var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        return customer is null
            ? Problems.NotFound("The customer")
            : TypedResults.Ok(new CustomerMeResponse(customer.Id, customer.ExternalId, customer.DisplayName, customer.Locale));
    }

    private static async Task<IResult> SignOut(HttpContext http, StaffAuthService auth, ClaimsPrincipal user, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return TypedResults.Problem(title: "Invalid form", detail: "The form expired. Reload the page and try again.", statusCode: StatusCodes.Status400BadRequest);
        }

        var sessionId = user.FindFirstValue(WalletDeskClaims.SessionId);
        if (sessionId is not null)
        {
            await auth.RevokeSessionAsync(sessionId, http.RequestAborted);
        }

        await http.SignOutAsync(IdentitySchemes.Console);
        return TypedResults.Redirect("/console/sign-in?signedOut=1");
    }

    internal static StaffUserResponse ToResponse(StaffUser u) => new(u.Id, u.UserName, u.DisplayName, u.Email, u.Role, u.TwoFactorEnabled, u.IsDisabled, u.LockoutEndsAt);

    internal static ApiTokenResponse ToResponse(ApiToken t) =>
        new(t.Id, t.Name, t.Prefix, t.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt);
}
