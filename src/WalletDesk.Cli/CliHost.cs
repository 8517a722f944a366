using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Attachments;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Features.Demo;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Phone;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Cli;

/// <summary>The server's services without its web front, configured the same way (environment variables, appsettings).</summary>
internal static class CliHost
{
    public static WebApplication Build()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
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
            .AddDemoData();
        return builder.Build();
    }
}
