namespace WalletDesk.Server.Features.Tickets;

public static class TicketsModule
{
    public static IServiceCollection AddTickets(this IServiceCollection services)
    {
        services.AddOptions<TicketOptions>().BindConfiguration(TicketOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<TicketService>();
        services.AddScoped<TicketQuery>();
        return services;
    }

    public static IEndpointRouteBuilder MapTickets(this IEndpointRouteBuilder app)
    {
        TicketEndpoints.Map(app);
        return app;
    }
}
