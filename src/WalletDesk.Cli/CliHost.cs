using Microsoft.Extensions.Configuration;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Assistant;
using WalletDesk.Server.Features.Attachments;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Features.Demo;
using WalletDesk.Server.Features.Email;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Insights;
using WalletDesk.Server.Features.Phone;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Features.Knowledge;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Cli;

/// <summary>The server's services without its web front, configured the same way (environment variables, appsettings).</summary>
internal static class CliHost
{
    /// <param name="settings">Configuration that overrides the environment (scratch databases for evaluations and benchmarks).</param>
    public static WebApplication Build(IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Logging.ClearProviders();
        builder.AddWalletDeskWeb();
        builder.Services
            .AddWalletDeskData()
            .AddAudit()
            .AddStaffIdentity()
            .AddWallet()
            .AddTickets()
            .AddAttachments()
            .AddPhone()
            .AddKnowledge()
            .AddEmail()
            .AddAssistant()
            .AddInsights()
            .AddDemoData();
        return builder.Build();
    }
}
