using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;

using WalletDesk.Server.Localization;

namespace WalletDesk.Server.Infrastructure;

/// <summary>The HTTP plumbing every feature relies on: problems, limits, headers, health, OpenAPI, keys.</summary>
public static class WebModule
{
    public const long DefaultMaxBodyBytes = 1024 * 1024;

    public static WebApplicationBuilder AddWalletDeskWeb(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Serve framework and project assets straight from the build output in every environment, so
        // `dotnet run` works the same in Production as in Development (a no-op for published apps).
        builder.WebHost.UseStaticWebAssets();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = DefaultMaxBodyBytes;
            k.AddServerHeader = false;
        });

        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
            context.ProblemDetails.Extensions.Remove("exception");
        });
        services.AddExceptionHandler<WalletDeskExceptionHandler>();
        // The web defaults read numbers from JSON strings ("amountMinor": "500"); money and every other number
        // must arrive as a JSON number, so a client's type confusion is a 400 naming the field, not a guess.
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict);
        // Outside Development, a body that does not bind would be a bare 400; thrown, it reaches the exception
        // handler, which names the field in a problem in every environment.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddWalletDeskRateLimits(builder.Configuration);
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        services.AddOpenApi();
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "wd.af";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.HeaderName = "X-CSRF-TOKEN";
        });

        // Keys live in the data folder so sessions and protected secrets survive restarts.
        services.AddDataProtection().SetApplicationName("WalletDesk");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(options =>
            options.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(sp.GetRequiredService<DataPaths>().KeysFolder), NullLoggerFactory.Instance)));

        services.Configure<ForwardedHeadersOptions>(options =>
        {
            // Forwarded headers are trusted only from proxies the operator names (ForwardedHeaders:KnownProxies).
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
            foreach (var proxy in builder.Configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? [])
            {
                options.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }
        });

        services.AddSingleton(TimeProvider.System);
        services.AddRazorComponents();
        services.AddWalletDeskLocalization();
        services.AddCascadingAuthenticationState();
        return builder;
    }

    public static WebApplication UseWalletDeskWeb(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseSecurityHeaders();
        app.UseWalletDeskLocalization();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestSizeProblem();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseAuthentication();
        app.UseCookieApiAntiforgery();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapWalletDeskPlumbing(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).DisableRateLimiting();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResultStatusCodes = { [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable, [HealthStatus.Degraded] = StatusCodes.Status200OK },
        }).DisableRateLimiting();
        app.MapOpenApi();
        app.MapAntiforgeryToken();
        app.MapStaticAssets().DisableRateLimiting();
        app.MapRazorComponents<Components.App>();
        app.MapGet("/", () => Results.Redirect("/console")).ExcludeFromDescription();
        return app;
    }
}
