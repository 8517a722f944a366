using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace WalletDesk.Server.Data;

/// <summary>
/// Logs failed commands in EF Core's place (its own CommandError and SaveChangesFailed entries are switched off in
/// <see cref="DataModule"/>). A unique-key conflict is an outcome the code expects and handles (a retried create,
/// two first requests racing), and an outsider can cause one at will: it is a Debug line without a stack, so nobody
/// can fill the error log with them. Every other failure is still an Error with its exception.
/// </summary>
internal sealed class DatabaseErrorLogging(ILogger logger) : DbCommandInterceptor
{
    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Log(eventData.Exception, eventData.Duration);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Log(eventData.Exception, eventData.Duration);
        return Task.CompletedTask;
    }

    /// <summary>True for a unique or primary-key violation on either provider.</summary>
    internal static bool IsUniqueViolation(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation }:
                case Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 }:
                    return true;
            }
        }

        return false;
    }

    private void Log(Exception exception, TimeSpan duration)
    {
        if (IsUniqueViolation(exception))
        {
            logger.LogDebug("A database command met a unique-key conflict after {Milliseconds} ms (handled by the caller)", (long)duration.TotalMilliseconds);
            return;
        }

        if (exception is OperationCanceledException)
        {
            return;
        }

        logger.LogError(exception, "A database command failed after {Milliseconds} ms", (long)duration.TotalMilliseconds);
    }
}
