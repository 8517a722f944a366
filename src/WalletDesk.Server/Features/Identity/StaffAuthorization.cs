using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace WalletDesk.Server.Features.Identity;

/// <summary>Staff of at least <see cref="MinimumRole"/>; API tokens also need <see cref="Scope"/>.</summary>
public sealed class StaffRequirement(string minimumRole, string? scope) : IAuthorizationRequirement
{
    public string MinimumRole { get; } = minimumRole;
    public string? Scope { get; } = scope;
}

/// <summary>A signed-in customer (wallet customer token).</summary>
public sealed class CustomerRequirement : IAuthorizationRequirement;

internal sealed class StaffRequirementHandler : AuthorizationHandler<StaffRequirement>
{
    public const string EnrolmentRequired = "two-factor-enrolment-required";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, StaffRequirement requirement)
    {
        var user = context.User;
        var role = user.FindFirstValue(WalletDeskClaims.Role);
        if (!user.IsStaff() || role is null || StaffRoles.Rank(role) < StaffRoles.Rank(requirement.MinimumRole))
        {
            return Task.CompletedTask;
        }

        switch (user.AuthMethodOf())
        {
            case WalletDeskClaims.MethodApiToken:
                if (requirement.Scope is not null && user.HasClaim(WalletDeskClaims.Scope, requirement.Scope))
                {
                    context.Succeed(requirement);
                }

                break;
            case WalletDeskClaims.MethodCookie:
                if (StaffRoles.RequiresTwoFactor(role) && user.FindFirstValue(WalletDeskClaims.MfaSatisfied) != "true")
                {
                    context.Fail(new AuthorizationFailureReason(this, EnrolmentRequired));
                }
                else
                {
                    context.Succeed(requirement);
                }

                break;
        }

        return Task.CompletedTask;
    }
}

internal sealed class CustomerRequirementHandler : AuthorizationHandler<CustomerRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, CustomerRequirement requirement)
    {
        if (context.User.CustomerIdOf() is not null)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Sends supervisors and admins without 2FA to enrolment before anything else; API callers get a 403 problem.</summary>
internal sealed class WalletDeskAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var needsEnrolment = authorizeResult.AuthorizationFailure?.FailureReasons.Any(r => r.Message == StaffRequirementHandler.EnrolmentRequired) == true;
        if (authorizeResult.Forbidden && needsEnrolment)
        {
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                await Results.Problem(
                    title: "Two-factor authentication required",
                    detail: "Your role must use two-factor authentication. Enrol at /console/2fa/setup first.",
                    statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
                return;
            }

            context.Response.Redirect("/console/2fa/setup");
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}

public static class StaffPolicies
{
    public const string Agent = "staff.agent";
    public const string Supervisor = "staff.supervisor";
    public const string Admin = "staff.admin";

    /// <summary>Signed in to the console, whether or not 2FA is set up yet (the enrolment pages).</summary>
    public const string Enrolling = "staff.enrolling";
    public const string Customer = "customer";

    public static TBuilder RequireStaff<TBuilder>(this TBuilder builder, string minimumRole, string scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(new AuthorizationPolicyBuilder(IdentitySchemes.Default)
            .AddRequirements(new StaffRequirement(minimumRole, scope))
            .Build());
}
