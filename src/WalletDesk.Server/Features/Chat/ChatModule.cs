using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Server.Features.Chat;

public static class ChatModule
{
    public const string HubPath = "/hubs/chat";

    public static IServiceCollection AddChat(this IServiceCollection services)
    {
        services.AddOptions<ChatOptions>().BindConfiguration(ChatOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSignalR(options =>
        {
            // Messages are at most a few KB of text; anything far bigger is refused before it is parsed.
            options.MaximumReceiveMessageSize = 64 * 1024;
            options.EnableDetailedErrors = false;
            options.AddFilter<ChatHubFilter>();
        });
        services.AddSingleton<ChatHubFilter>();
        // The dispatcher logs every exception a hub method ends with, refusals included, as an Error with a stack;
        // ChatHubFilter sees every call and logs refusals at Debug and defects at Error itself.
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.Critical));
        services.AddSingleton<ChatConnections>();
        services.AddSingleton<ChatFanout>();
        services.AddScoped<ChatService>();
        services.AddSingleton<ChatMessageWriter>();
        services.AddTransient<IStartupFilter, OriginCheckStartupFilter>();
        services.AddScoped<ChatVisitors>();
        services.AddScoped<ITicketMessageSink, ChatMessageSink>();
        services.TryAddScoped<IChatAssistant, HumanFirstAssistant>();
        services.AddSingleton<PostgresChatBus>();
        services.AddSingleton<IChatBus>(sp => sp.GetRequiredService<ConnectionSettings>().IsPostgres
            ? sp.GetRequiredService<PostgresChatBus>()
            : new LocalChatBus(sp.GetRequiredService<ChatFanout>()));
        services.AddHostedService(sp => sp.GetRequiredService<PostgresChatBus>());
        services.AddHealthChecks().Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
            "chat-fanout", sp => sp.GetRequiredService<PostgresChatBus>(), Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded, ["ready"]));
        services.AddSingleton<ChatMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<ChatMonitor>());
        services.AddSingleton<AssistantTurnRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<AssistantTurnRunner>());

        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ChatVisitorAuthenticationHandler>(IdentitySchemes.ChatVisitor, null);
        services.AddSingleton<IAuthorizationHandler, ChatParticipantHandler>();
        services.AddAuthorizationBuilder().AddPolicy(ChatPolicies.Participant, p => p
            .AddAuthenticationSchemes(IdentitySchemes.Default)
            .AddRequirements(new ChatParticipantRequirement()));
        return services;
    }

    public static WebApplication MapChat(this WebApplication app)
    {
        app.MapHub<ChatHub>(HubPath, options =>
        {
            options.Transports = HttpTransportType.WebSockets | HttpTransportType.LongPolling;
            options.AllowStatefulReconnects = true;
        });

        var chat = app.MapGroup("/api/chat").WithTags("Chat");
        chat.MapPost("/visitors", CreateVisitor).AllowAnonymous().RequireRateLimiting(RateLimits.Public);
        chat.MapGet("/availability", GetAvailability).AllowAnonymous().RequireRateLimiting(RateLimits.Public);
        chat.MapGet("/agents", ListAgents).RequireStaff(StaffRoles.Supervisor, ApiScopes.Chat);
        chat.MapPut("/agents/{staffId:guid}", UpdateAgent).RequireStaff(StaffRoles.Supervisor, ApiScopes.Chat);
        app.MapChatPages();
        return app;
    }

    public static bool IsAllowedOrigin(HttpRequest request, string origin, ChatOptions options)
    {
        var own = $"{request.Scheme}://{request.Host}";
        return string.Equals(origin, own, StringComparison.OrdinalIgnoreCase)
            || options.AllowedOrigins.Any(o => string.Equals(o.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase));
    }

    internal static async Task RefuseForeignOriginsAsync(HttpContext context, RequestDelegate next)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsAllowedOrigin(context.Request, origin, context.RequestServices.GetRequiredService<IOptions<ChatOptions>>().Value))
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("WalletDesk.Chat")
                .LogInformation("Refused a chat connection from origin {Origin}", origin.Length > 200 ? origin[..200] : origin);
            await Results.Problem(
                title: "Origin not allowed",
                detail: "This site is not allowed to open WalletDesk chat. The operator lists allowed sites in Chat:AllowedOrigins.",
                statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    private static async Task<IResult> CreateVisitor([FromBody] VisitorRequest? request, ChatVisitors visitors, CancellationToken ct)
    {
        try
        {
            return TypedResults.Ok(await visitors.CreateAsync(request ?? new VisitorRequest(null, null), ct));
        }
        catch (ChatException ex)
        {
            return Problems.Validation(ex.Code, ex.Message);
        }
    }

    private static async Task<ChatAvailability> GetAvailability(string? lang, ChatService chat, CancellationToken ct) =>
        await chat.AvailabilityAsync(lang == "zh" ? "zh" : "en", ct);

    private static async Task<IResult> ListAgents(AppDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await db.ChatAgents.AsNoTracking().OrderBy(a => a.DisplayName).ToListAsync(ct));

    public sealed record AgentProfileChange(int? Capacity, string[]? Groups, string[]? Languages);

    private static async Task<IResult> UpdateAgent(Guid staffId, [FromBody] AgentProfileChange change, AppDbContext db, TimeProvider time, IOptions<ChatOptions> options, CancellationToken ct)
    {
        var staff = await db.StaffUsers.AsNoTracking().SingleOrDefaultAsync(u => u.Id == staffId, ct);
        if (staff is null)
        {
            return Problems.NotFound("The staff member");
        }

        if (change.Capacity is < 1 or > 1000)
        {
            return Problems.Validation("capacity", "Capacity is between 1 and 1000 chats at once.");
        }

        if (change.Groups is { } groups && (groups.Length == 0 || groups.Any(g => g.Length is 0 or > 64 || g.Any(char.IsWhiteSpace))))
        {
            return Problems.Validation("groups", "List at least one group; group names are 1–64 characters without spaces.");
        }

        if (change.Languages is { } languages && (languages.Length == 0 || languages.Any(l => l is not ("en" or "zh"))))
        {
            return Problems.Validation("languages", "Languages are 'en' and/or 'zh'.");
        }

        var agent = await db.ChatAgents.SingleOrDefaultAsync(a => a.StaffId == staffId, ct);
        if (agent is null)
        {
            agent = new ChatAgent { StaffId = staffId, DisplayName = staff.DisplayName, Status = AgentAvailability.Offline, Capacity = options.Value.DefaultCapacity };
            db.ChatAgents.Add(agent);
        }

        agent.Capacity = change.Capacity ?? agent.Capacity;
        agent.Groups = change.Groups is null ? agent.Groups : " " + string.Join(' ', change.Groups.Select(g => g.ToLowerInvariant()).Distinct()) + " ";
        agent.Languages = change.Languages is null ? agent.Languages : " " + string.Join(' ', change.Languages.Distinct()) + " ";
        agent.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(agent);
    }
}

/// <summary>
/// CORS does not protect WebSockets: browsers send <c>Origin</c>, so foreign ones are refused at the very start of the
/// pipeline, before authentication, for every request under <c>/hubs</c> (negotiate and the WebSocket handshake alike; K1).
/// </summary>
internal sealed class OriginCheckStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/hubs"), branch => branch.Use(ChatModule.RefuseForeignOriginsAsync));
        next(app);
    };
}

/// <summary>With no assistant installed, every chat goes straight to a person.</summary>
internal sealed class HumanFirstAssistant : IChatAssistant
{
    public Task<AssistantOutcome> RespondAsync(AssistantInput input, CancellationToken cancellationToken) =>
        Task.FromResult(new AssistantOutcome([], new AssistantHandoff("no_assistant", TicketGroups.General, TicketPriorities.Normal, "No assistant is configured; the chat went straight to the queue.", "unknown", 0)));
}
