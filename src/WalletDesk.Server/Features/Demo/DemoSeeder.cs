using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Insights;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Features.Knowledge.ImportExport;

namespace WalletDesk.Server.Features.Demo;

/// <summary>A demo staff sign-in printed at start-up.</summary>
public sealed record DemoSignIn(string UserName, string Role, string Password);

/// <summary>Seeds the demo operator and staff once; a second start finds the marker and does nothing.</summary>
public sealed class DemoSeeder(AppDbContext db, StaffDirectoryService directory, WalletDemoSeeder wallets, TicketDemoSeeder tickets, TicketDemoHistory history, ArrivalRollup rollup, KnowledgeImporter knowledge)
{
    public const string SeedMarkerKey = "demo.seeded";
    public const string DemoPassword = "walletdesk-demo";

    public static readonly IReadOnlyList<(string UserName, string DisplayName, string Role)> Staff =
    [
        ("admin", "Ada Admin", StaffRoles.Admin),
        ("supervisor", "Sam Supervisor", StaffRoles.Supervisor),
        ("agent.li", "Li Wei", StaffRoles.Agent),
        ("agent.chen", "Chen Jing", StaffRoles.Agent),
        ("agent.smith", "Alex Smith", StaffRoles.Agent),
    ];

    public static IReadOnlyList<DemoSignIn> SignIns => Staff.Select(s => new DemoSignIn(s.UserName, s.Role, DemoPassword)).ToList();

    /// <summary>Seeds when the database has never been seeded; returns whether it did.</summary>
    public async Task<bool> SeedOnceAsync(CancellationToken cancellationToken = default)
    {
        if (await db.SystemSettings.AnyAsync(s => s.Key == SeedMarkerKey, cancellationToken))
        {
            return false;
        }

        db.SystemSettings.AddRange(
            new SystemSetting { Key = "operator.name", Value = "Demo Wallet Ltd." },
            new SystemSetting { Key = "operator.timeZone", Value = "Asia/Shanghai" },
            new SystemSetting { Key = "operator.locales", Value = "en,zh" });
        await db.SaveChangesAsync(cancellationToken);

        foreach (var (userName, displayName, role) in Staff)
        {
            if (!await db.StaffUsers.AnyAsync(u => u.NormalizedUserName == StaffAuthService.Normalize(userName), cancellationToken))
            {
                await directory.CreateAsync(userName, $"{userName}@demo-wallet.example", displayName, role, DemoPassword, actor: null, cancellationToken);
            }
        }

        await wallets.SeedAsync(ct: cancellationToken);
        await tickets.SeedAsync(ct: cancellationToken);
        await history.SeedAsync(ct: cancellationToken);
        await rollup.RebuildAsync(cancellationToken);
        await knowledge.ImportStarterContentAsync(cancellationToken);

        // The marker goes last so an interrupted seed is completed on the next start.
        db.SystemSettings.Add(new SystemSetting { Key = SeedMarkerKey, Value = "1" });
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}

public static class DemoModule
{
    public static IServiceCollection AddDemoData(this IServiceCollection services) => services.AddScoped<DemoSeeder>();
}
