using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace WalletDesk.Server.Data;

/// <summary>Startup checks: the database answers, its schema is current (migrating SQLite automatically), and demo data exists once.</summary>
public sealed class DatabaseInitializer(
    IDbContextFactory<AppDbContext> contexts,
    IOptions<DatabaseOptions> options,
    ConnectionSettings connection,
    ILogger<DatabaseInitializer> logger)
{
    /// <summary>Returns null when ready, else a one-line reason the server cannot start.</summary>
    public async Task<string?> PrepareAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var provider = connection.IsPostgres ? "PostgreSQL" : "SQLite";
        try
        {
            var migrate = options.Value.MigrateOnStart ?? !connection.IsPostgres;
            if (migrate)
            {
                await db.Database.MigrateAsync(cancellationToken);
            }
            else
            {
                var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                if (pending.Count > 0)
                {
                    return $"The {provider} database schema is behind ({pending.Count} pending migrations): run 'walletdesk migrate' first.";
                }
            }
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or System.Net.Sockets.SocketException
            || (ex is InvalidOperationException && ex.InnerException is System.Data.Common.DbException or TimeoutException or System.Net.Sockets.SocketException))
        {
            return $"Cannot reach the {provider} database at {connection.Describe()}: {FirstLine(ex)}";
        }
        catch (InvalidOperationException ex)
        {
            return $"Cannot prepare the {provider} database at {connection.Describe()}: {FirstLine(ex)}";
        }

        if (!connection.IsPostgres)
        {
            // SQLite plans need statistics to choose the inbox's partial indexes; optimize is cheap when nothing changed.
            await db.Database.ExecuteSqlRawAsync("PRAGMA optimize=0x10002", cancellationToken);
        }

        logger.LogInformation("Database ready ({Provider})", provider);
        return null;
    }

    private static string FirstLine(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner.Message.Split('\n')[0].Trim();
    }
}
