namespace WalletDesk.Server.Features.Tickets;

public static class TicketsModule
{
    public static IServiceCollection AddTickets(this IServiceCollection services)
    {
        services.AddOptions<TicketOptions>().BindConfiguration(TicketOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<TicketService>();
        services.AddScoped<TicketQuery>();
        services.AddScoped<MacroRenderer>();
        services.AddSingleton<TicketPresence>();
        services.AddScoped<TicketDemoSeeder>();
        return services;
    }

    public static IEndpointRouteBuilder MapTickets(this IEndpointRouteBuilder app)
    {
        TicketEndpoints.Map(app);
        return app;
    }
}
