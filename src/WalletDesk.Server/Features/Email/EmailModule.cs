using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Email;

public static class EmailModule
{
    /// <summary>The outbox (<see cref="IEmailOutbox"/>), the background SMTP sender, and the email channel: ingest, reply
    /// addresses, replies out (docs/email.md).</summary>
    public static IServiceCollection AddEmail(this IServiceCollection services)
    {
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EmailInboundOptions>().BindConfiguration(EmailInboundOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<EmailSignal>();
        services.AddSingleton<EmailOutbox>();
        services.AddSingleton<IEmailOutbox>(sp => sp.GetRequiredService<EmailOutbox>());
        services.AddSingleton<EmailSender>();
        services.AddHostedService(sp => sp.GetRequiredService<EmailSender>());
        services.AddSingleton<ReplyAddress>();
        services.AddSingleton<EmailIngest>();
        services.AddScoped<ITicketMessageSink, EmailReplySink>();
        return services;
    }

    public static IEndpointRouteBuilder MapEmail(this IEndpointRouteBuilder app)
    {
        EmailEndpoints.Map(app);
        return app;
    }
}
