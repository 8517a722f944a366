using Npgsql;

namespace WalletDesk.Server.Tests.Infrastructure;

/// <summary>The PostgreSQL server CI starts (WALLETDESK_TEST_POSTGRES), if any; each user gets a fresh database.</summary>
public static class TestPostgres
{
    public static string? AdminConnectionString => Environment.GetEnvironmentVariable("WALLETDESK_TEST_POSTGRES") is { Length: > 0 } value ? value : null;

    public static bool IsAvailable => AdminConnectionString is not null;

    public static async Task<string> CreateDatabaseAsync()
    {
        var name = "wd_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>Theory data: every data test runs on SQLite, and on PostgreSQL when CI provides one.</summary>
public static class Providers
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public static TheoryData<string> All
    {
        get
        {
            var data = new TheoryData<string> { Sqlite };
            if (TestPostgres.IsAvailable)
            {
                data.Add(Postgres);
            }

            return data;
        }
    }
}
