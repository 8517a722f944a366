using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace WalletDesk.Server.Data;

/// <summary>
/// Turns on WAL, a busy timeout and foreign keys for every SQLite connection (Jellyfin's pattern) — once per physical
/// connection: pooled connections are opened again for nearly every query, and the pragmas would cost a statement each time.
/// </summary>
internal sealed class SqlitePragmaInterceptor : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;";
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> Configured = new();

    private static bool IsNew(DbConnection connection) =>
        connection is not Microsoft.Data.Sqlite.SqliteConnection { Handle: { } handle } || Configured.TryAdd(handle, handle);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (!IsNew(connection))
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (!IsNew(connection))
        {
            return;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
