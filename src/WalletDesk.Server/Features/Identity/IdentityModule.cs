using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using WalletDesk.Server.Features.Customers;

namespace WalletDesk.Server.Features.Identity;

public static class IdentityModule
{
    public static IServiceCollection AddStaffIdentity(this IServiceCollection services)
    {
        services.AddOptions<StaffSecurityOptions>().BindConfiguration(StaffSecurityOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CustomerTokenOptions>().BindConfiguration(CustomerTokenOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<StaffAuthService>();
        services.AddSingleton<SignInThrottle>();
        services.AddScoped<ApiTokenService>();
        services.AddScoped<StaffDirectoryService>();
        services.AddScoped<CustomerService>();
        services.AddSingleton<CustomerTokenValidator>();

        services.AddAuthentication(IdentitySchemes.Default)
            .AddPolicyScheme(IdentitySchemes.Default, "WalletDesk", options => options.ForwardDefaultSelector = SelectScheme)
            .AddCookie(IdentitySchemes.Console, options =>
            {
                options.Cookie.Name = "wd.console";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.LoginPath = "/console/sign-in";
                options.AccessDeniedPath = "/console/denied";
                options.SlidingExpiration = false;
                options.ExpireTimeSpan = TimeSpan.FromHours(12);
                options.Events = new CookieAuthenticationEvents
                {
                    OnValidatePrincipal = ValidateConsoleSessionAsync,
                    OnRedirectToLogin = context => ApiAwareRedirect(context, StatusCodes.Status401Unauthorized),
                    OnRedirectToAccessDenied = context => ApiAwareRedirect(context, StatusCodes.Status403Forbidden),
                };
            })
            .AddCookie(IdentitySchemes.TwoFactorPending, options =>
            {
                options.Cookie.Name = "wd.2fa";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromMinutes(5);
                options.SlidingExpiration = false;
            })
            .AddCookie(IdentitySchemes.CustomerPortal, options =>
            {
                options.Cookie.Name = "wd.portal";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.LoginPath = "/portal/signed-out";
                options.AccessDeniedPath = "/portal/signed-out";
                options.ExpireTimeSpan = TimeSpan.FromMinutes(60);
                options.SlidingExpiration = false;
                options.Events = new CookieAuthenticationEvents { OnValidatePrincipal = ValidatePortalCustomerAsync };
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(IdentitySchemes.ApiToken, null)
            .AddScheme<AuthenticationSchemeOptions, CustomerTokenAuthenticationHandler>(IdentitySchemes.CustomerToken, null);

        services.AddSingleton<IAuthorizationHandler, StaffRequirementHandler>();
        services.AddSingleton<IAuthorizationHandler, CustomerRequirementHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, WalletDeskAuthorizationResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(StaffPolicies.Agent, p => p.AddAuthenticationSchemes(IdentitySchemes.Default).AddRequirements(new StaffRequirement(StaffRoles.Agent, null)))
            .AddPolicy(StaffPolicies.Supervisor, p => p.AddAuthenticationSchemes(IdentitySchemes.Default).AddRequirements(new StaffRequirement(StaffRoles.Supervisor, null)))
            .AddPolicy(StaffPolicies.Admin, p => p.AddAuthenticationSchemes(IdentitySchemes.Default).AddRequirements(new StaffRequirement(StaffRoles.Admin, null)))
            .AddPolicy(StaffPolicies.Enrolling, p => p.AddAuthenticationSchemes(IdentitySchemes.Console).RequireClaim(WalletDeskClaims.AuthMethod, WalletDeskClaims.MethodCookie))
            .AddPolicy(StaffPolicies.Customer, p => p.AddAuthenticationSchemes(IdentitySchemes.Default).AddRequirements(new CustomerRequirement()));
        return services;
    }

    public static IEndpointRouteBuilder MapIdentity(this IEndpointRouteBuilder app)
    {
        IdentityEndpoints.Map(app);
        return app;
    }

    private static string SelectScheme(HttpContext context)
    {
        var bearer = BearerToken.From(context.Request);
        if (bearer is null)
        {
            return context.Request.Path.StartsWithSegments("/portal") ? IdentitySchemes.CustomerPortal : IdentitySchemes.Console;
        }

        if (bearer.StartsWith(ApiTokenService.TokenPrefix, StringComparison.Ordinal))
        {
            return IdentitySchemes.ApiToken;
        }

        return bearer.StartsWith(WalletDesk.Server.Features.Chat.ChatVisitors.TokenPrefix, StringComparison.Ordinal) ? IdentitySchemes.ChatVisitor : IdentitySchemes.CustomerToken;
    }

    private static async Task ValidateConsoleSessionAsync(CookieValidatePrincipalContext context)
    {
        var sessionId = context.Principal?.FindFirstValue(WalletDeskClaims.SessionId);
        var auth = context.HttpContext.RequestServices.GetRequiredService<StaffAuthService>();
        var live = sessionId is null ? null : await auth.ValidateSessionAsync(sessionId, context.HttpContext.RequestAborted);
        if (live is not { } found)
        {
            var audit = context.HttpContext.RequestServices.GetRequiredService<WalletDesk.Server.Features.Audit.AuditService>();
            await audit.AppendAsync(new WalletDesk.Server.Features.Audit.AuditEvent(
                "staff.session.rejected", WalletDesk.Server.Features.Audit.AuditOutcomes.Denied, "staff",
                context.Principal?.FindFirstValue(WalletDeskClaims.Subject), context.Principal?.FindFirstValue(WalletDeskClaims.Name),
                "staff_session", null, context.HttpContext.Connection.RemoteIpAddress?.ToString(), "session revoked, expired or user disabled"));
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentitySchemes.Console);
            return;
        }

        // Role changes and 2FA resets take effect on the next request, not the next sign-in.
        context.ReplacePrincipal(WalletDeskClaims.ForStaff(found.User, found.Session));
    }

    private static async Task ValidatePortalCustomerAsync(CookieValidatePrincipalContext context)
    {
        // An erased or removed customer's portal session ends at once.
        var id = context.Principal?.CustomerIdOf();
        var db = context.HttpContext.RequestServices.GetRequiredService<WalletDesk.Server.Data.AppDbContext>();
        if (id is null || !await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(db.Customers, c => c.Id == id, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentitySchemes.CustomerPortal);
        }
    }

    private static Task ApiAwareRedirect(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/hubs"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
