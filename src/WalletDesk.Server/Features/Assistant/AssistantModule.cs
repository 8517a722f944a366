using Microsoft.Extensions.DependencyInjection.Extensions;
using WalletDesk.Server.Features.Chat;

namespace WalletDesk.Server.Features.Assistant;

public static class AssistantModule
{
    public static IServiceCollection AddAssistant(this IServiceCollection services)
    {
        services.AddOptions<AssistantOptions>().BindConfiguration(AssistantOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AssistantModels>();
        services.AddHostedService<AssistantModelLoader>();
        services.AddSingleton<AssistantQuietResolution>();
        services.AddHostedService(sp => sp.GetRequiredService<AssistantQuietResolution>());
        services.AddScoped<ChatAssistant>();
        // Chat registers a human-first fallback; the assistant replaces it when this module is present.
        services.RemoveAll<IChatAssistant>();
        services.AddScoped<IChatAssistant>(sp => sp.GetRequiredService<ChatAssistant>());
        services.AddScoped<AssistantReview>();
        services.AddHttpClient<ReplyDrafts>();
        return services;
    }

    public static IEndpointRouteBuilder MapAssistant(this IEndpointRouteBuilder app)
    {
        AssistantEndpoints.Map(app);
        return app;
    }
}
