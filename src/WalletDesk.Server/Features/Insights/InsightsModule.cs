namespace WalletDesk.Server.Features.Insights;

public static class InsightsModule
{
    public static IServiceCollection AddInsights(this IServiceCollection services)
    {
        services.AddOptions<InsightsOptions>().BindConfiguration(InsightsOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.DefaultTimeZone, out _), "Insights:DefaultTimeZone must be an IANA time zone id.")
            .ValidateOnStart();
        services.AddScoped<Tickets.TicketArrivals>();
        services.AddScoped<ArrivalRollup>();
        services.AddScoped<InsightsQueries>();
        services.AddScoped<SpikeAlerter>();
        services.AddHostedService<InsightsJob>();
        return services;
    }

    public static IEndpointRouteBuilder MapInsights(this IEndpointRouteBuilder app)
    {
        InsightsEndpoints.Map(app);
        return app;
    }
}
