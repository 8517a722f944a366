using WalletDesk.Server;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Assistant;
using WalletDesk.Server.Features.Attachments;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Demo;
using WalletDesk.Server.Features.Email;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Insights;
using WalletDesk.Server.Features.Phone;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Features.Portal;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Features.Knowledge;
using WalletDesk.Server.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
builder.UseDefaultUrl("http://localhost:5080");
builder.AddWalletDeskLogging();
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
    .AddChat()
    .AddAssistant()
    .AddInsights()
    .AddDemoData();

var app = builder.Build();
app.UseWalletDeskWeb();
app.MapWalletDeskPlumbing();
app.MapIdentity();
app.MapAudit();
app.MapWallet();
app.MapTickets();
app.MapPortal();
app.MapAttachments();
app.MapPhone();
app.MapKnowledge();
app.MapChat();
app.MapAssistant();
app.MapInsights();
app.MapEmail();

return await app.RunWalletDeskAsync();

namespace WalletDesk.Server
{
    /// <summary>Entry point marker for tests (WebApplicationFactory).</summary>
    public partial class Program;
}
