namespace WalletDesk.Server.Features.Email;

public static class EmailModule
{
    /// <summary>The outbox (<see cref="IEmailOutbox"/>) and the background SMTP sender (docs/email.md).</summary>
    public static IServiceCollection AddEmail(this IServiceCollection services)
    {
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<EmailSignal>();
        services.AddSingleton<EmailOutbox>();
        services.AddSingleton<IEmailOutbox>(sp => sp.GetRequiredService<EmailOutbox>());
        services.AddSingleton<EmailSender>();
        services.AddHostedService(sp => sp.GetRequiredService<EmailSender>());
        return services;
    }
}
