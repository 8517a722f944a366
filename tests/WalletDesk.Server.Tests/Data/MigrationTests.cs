using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using WalletDesk.Server.Data;
using WalletDesk.Server.Data.Migrations;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Data;

public sealed class MigrationTests
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UpgradeFromFirstMigration_KeepsData(string provider)
    {
        await using var database = await ScratchDatabase.CreateAsync(provider);
        await using (var db = database.Context())
        {
            await db.GetService<IMigrator>().MigrateAsync(M0001_Initial.Id);
            (await db.Database.GetAppliedMigrationsAsync()).ShouldBe([M0001_Initial.Id]);
            var id = Guid.NewGuid();
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO staff_users ("Id", "UserName", "NormalizedUserName", "Email", "DisplayName", "Role", "PasswordHash", "IsDisabled", "FailedSignInCount", "TwoFactorEnabled", "LastTotpStep", "CreatedAt")
                VALUES ({id}, 'old.timer', 'OLD.TIMER', 'old@example.test', 'Old Timer', 'agent', 'hash', {false}, {0}, {false}, {0L}, {(db.IsSqlite ? (object)638000000000000000L : new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))})
                """);
            await db.Database.ExecuteSqlAsync($"INSERT INTO system_settings (\"Key\", \"Value\") VALUES ('kept', 'yes')");
        }

        await using (var db = database.Context())
        {
            await db.Database.MigrateAsync();
            (await db.Database.GetPendingMigrationsAsync()).ShouldBeEmpty();
            var user = await db.StaffUsers.SingleAsync(u => u.UserName == "old.timer");
            user.DisplayName.ShouldBe("Old Timer");
            (await db.SystemSettings.SingleAsync(s => s.Key == "kept")).Value.ShouldBe("yes");
            db.Customers.Add(new() { Id = Guid.NewGuid(), ExternalId = "after-upgrade", DisplayName = "New", CreatedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero) });
            await db.SaveChangesAsync();
        }
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Migrations_MatchTheModel_EveryEntityRoundTrips(string provider)
    {
        await using var database = await ScratchDatabase.CreateAsync(provider);
        await using var db = database.Context();
        await db.Database.MigrateAsync();

        // Each mapped column must exist in the migrated schema: select every entity with all its columns.
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var columns = entity.GetProperties().Select(p => p.GetColumnName()).ToList();
            var sql = $"SELECT {string.Join(", ", columns.Select(c => $"\"{c}\""))} FROM \"{table}\" WHERE 1 = 0";
            await db.Database.ExecuteSqlRawAsync(sql);
        }

        (await db.Database.GetPendingMigrationsAsync()).ShouldBeEmpty();
        db.Database.GetMigrations().Count().ShouldBeGreaterThanOrEqualTo(2);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Timestamps_SortInSql(string provider)
    {
        await using var database = await ScratchDatabase.CreateAsync(provider);
        await using var db = database.Context();
        await db.Database.MigrateAsync();
        var baseTime = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var minutes in new[] { 30, 5, 600, 1 })
        {
            db.Customers.Add(new() { Id = Guid.NewGuid(), ExternalId = $"c{minutes}", DisplayName = "x", CreatedAt = baseTime.AddMinutes(minutes) });
        }

        await db.SaveChangesAsync();
        var ordered = await db.Customers.OrderBy(c => c.CreatedAt).Where(c => c.CreatedAt > baseTime.AddMinutes(2)).Select(c => c.ExternalId).ToListAsync();
        ordered.ShouldBe(["c5", "c30", "c600"]);
    }
}

/// <summary>An empty database (SQLite file or PostgreSQL database) outside any server.</summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _provider;
    private readonly string _connectionString;
    private readonly string? _folder;

    private ScratchDatabase(string provider, string connectionString, string? folder)
    {
        _provider = provider;
        _connectionString = connectionString;
        _folder = folder;
    }

    public static async Task<ScratchDatabase> CreateAsync(string provider)
    {
        if (provider == Providers.Postgres)
        {
            return new ScratchDatabase(provider, await TestPostgres.CreateDatabaseAsync(), null);
        }

        var folder = Path.Combine(Path.GetTempPath(), "walletdesk-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return new ScratchDatabase(provider, $"Data Source={Path.Combine(folder, "scratch.db")}", folder);
    }

    public AppDbContext Context() => DataModule.CreateContext(_provider == Providers.Postgres, _connectionString);

    public async ValueTask DisposeAsync()
    {
        if (_provider == Providers.Postgres)
        {
            await TestPostgres.DropDatabaseAsync(_connectionString);
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_folder!, recursive: true);
        }
    }
}
