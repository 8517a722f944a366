using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Cli.Commands;

internal static class DatabaseCommands
{
    public static Command Migrate()
    {
        var command = new Command("migrate", "Apply pending database migrations (SQLite or PostgreSQL, from configuration).");
        command.SetAction(async (_, ct) =>
        {
            await using var app = CliHost.Build();
            var connection = app.Services.GetRequiredService<ConnectionSettings>();
            await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);
            try
            {
                var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
                await db.Database.MigrateAsync(ct);
                Console.WriteLine(pending.Count == 0
                    ? $"The database is up to date ({connection.Describe()})."
                    : $"Applied {pending.Count} migration(s) to {connection.Describe()}: {string.Join(", ", pending)}");
                return 0;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                await Console.Error.WriteLineAsync($"walletdesk: cannot migrate {connection.Describe()}: {ex.GetBaseException().Message.Split('\n')[0]}");
                return 1;
            }
        });
        return command;
    }

    public static Command Seed()
    {
        var command = new Command("seed", "Seed the demo operator, staff and data once (no-op when already seeded).");
        command.SetAction(async (_, ct) =>
        {
            await using var app = CliHost.Build();
            var problem = await app.Services.GetRequiredService<DatabaseInitializer>().PrepareAsync(ct);
            if (problem is not null)
            {
                await Console.Error.WriteLineAsync($"walletdesk: {problem}");
                return 1;
            }

            var seeded = await Startup.SeedDemoDataAsync(app.Services, ct);
            Console.WriteLine(seeded ? "Demo data seeded." : "Demo data was already present (or Database:SeedDemoData is false); nothing changed.");
            return 0;
        });
        return command;
    }
}
