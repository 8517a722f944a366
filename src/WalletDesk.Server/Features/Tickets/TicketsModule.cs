namespace WalletDesk.Server.Features.Tickets;

public static class TicketsModule
{
    public static IServiceCollection AddTickets(this IServiceCollection services)
    {
        services.AddOptions<TicketOptions>().BindConfiguration(TicketOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RedactionOptions>()
            .BindConfiguration(RedactionOptions.SectionName, binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TicketIntake>();
        services.AddScoped<TicketService>();
        services.AddScoped<TicketQuery>();
        services.AddScoped<MacroRenderer>();
        services.AddSingleton<TicketPresence>();
        services.AddScoped<TicketDemoSeeder>();
        services.AddScoped<TicketDemoHistory>();
        services.AddSingleton<TicketSla>();
        services.AddSingleton<SlaMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<SlaMonitor>());
        return services;
    }

    public static IEndpointRouteBuilder MapTickets(this IEndpointRouteBuilder app)
    {
        TicketEndpoints.Map(app);
        return app;
    }
}
