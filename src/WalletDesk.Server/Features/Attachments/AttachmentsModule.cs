using Microsoft.AspNetCore.Authorization;
using WalletDesk.Server.Features.Identity;

namespace WalletDesk.Server.Features.Attachments;

public static class AttachmentsModule
{
    /// <summary>Staff who may read tickets, or a signed-in customer (ownership is checked per file).</summary>
    public const string ReaderPolicy = "attachments.reader";

    public static IServiceCollection AddAttachments(this IServiceCollection services)
    {
        services.AddOptions<AttachmentOptions>().BindConfiguration(AttachmentOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AttachmentStore>();
        services.AddScoped<AttachmentService>();
        services.AddSingleton<AttachmentReconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<AttachmentReconciler>());
        services.AddSingleton<IAuthorizationHandler, AttachmentReaderHandler>();
        services.AddTransient<IStartupFilter, AttachmentResponseHeaders>();
        services.AddAuthorizationBuilder().AddPolicy(ReaderPolicy, policy => policy
            .AddAuthenticationSchemes(IdentitySchemes.Default)
            .AddRequirements(new AttachmentReaderRequirement()));
        return services;
    }

    public static IEndpointRouteBuilder MapAttachments(this IEndpointRouteBuilder app)
    {
        AttachmentEndpoints.Map(app);
        return app;
    }
}

/// <summary>A customer, or staff meeting the same bar as reading tickets (agent role; API tokens need tickets:read).</summary>
public sealed class AttachmentReaderRequirement : IAuthorizationRequirement;

internal sealed class AttachmentReaderHandler(IServiceProvider services) : AuthorizationHandler<AttachmentReaderRequirement>
{
    private static readonly AuthorizationPolicy StaffReader = new AuthorizationPolicyBuilder(IdentitySchemes.Default)
        .AddRequirements(new StaffRequirement(StaffRoles.Agent, ApiScopes.TicketsRead)).Build();

    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AttachmentReaderRequirement requirement)
    {
        if (context.User.CustomerIdOf() is not null)
        {
            context.Succeed(requirement);
            return;
        }

        // The staff rules (roles, 2FA, token scopes) live in one handler; ask it rather than repeat them.
        var authorization = services.GetRequiredService<IAuthorizationService>();
        if ((await authorization.AuthorizeAsync(context.User, context.Resource, StaffReader)).Succeeded)
        {
            context.Succeed(requirement);
        }
    }
}

/// <summary>
/// Downloads get <c>Content-Security-Policy: sandbox</c>. The site-wide security headers are written when the response
/// starts and would replace it; callbacks run last-registered-first, so this one is registered outermost to run after them.
/// </summary>
internal sealed class AttachmentResponseHeaders : IStartupFilter
{
    public const string SandboxPolicy = "sandbox; default-src 'none'; frame-ancestors 'none'";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            context.Response.OnStarting(() =>
            {
                if (context.Items.ContainsKey(AttachmentEndpoints.DownloadMarker))
                {
                    context.Response.Headers.ContentSecurityPolicy = SandboxPolicy;
                    context.Response.Headers.XContentTypeOptions = "nosniff";
                }

                return Task.CompletedTask;
            });
            await nextMiddleware();
        });
        next(app);
    };
}
