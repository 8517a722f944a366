namespace WalletDesk.Server.Features.Phone;

public static class PhoneModule
{
    public static IServiceCollection AddPhone(this IServiceCollection services)
    {
        services.AddOptions<PhoneOptions>().BindConfiguration(PhoneOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<CallbackService>();
        services.AddScoped<CallLogService>();
        services.AddScoped<TelephonyWebhook>();
        return services;
    }

    public static IEndpointRouteBuilder MapPhone(this IEndpointRouteBuilder app)
    {
        PhoneEndpoints.Map(app);
        return app;
    }
}
