using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using WalletDesk.Server.Data;

namespace WalletDesk.Server.Features.Wallet.Ledger;

/// <summary>
/// Multi-row INSERTs built from the EF model (column names, type mappings and converters), for seeding thousands of rows
/// in one transaction without per-row round trips. Store-generated keys are left to the database.
/// </summary>
internal static class BulkInsert
{
    public static async Task InsertAsync<T>(AppDbContext db, IReadOnlyList<T> rows, CancellationToken ct) where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped.");
        var columns = entity.GetProperties()
            .Where(p => !(p.IsPrimaryKey() && p.ValueGenerated != Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.Never && p.ClrType == typeof(long)))
            .Select(p => (Property: p, Column: p.GetColumnName(), Mapping: (RelationalTypeMapping)p.GetTypeMapping()))
            .ToList();
        var table = entity.GetTableName()!;
        // SQLite looks parameters up by name linearly, so it gets short statements; PostgreSQL takes big ones.
        var perStatement = Math.Max(1, (db.IsSqlite ? 500 : 30_000) / columns.Count);
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        for (var offset = 0; offset < rows.Count; offset += perStatement)
        {
            var chunk = rows.Skip(offset).Take(perStatement).ToList();
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder($"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c.Column}\""))}) VALUES ");
            for (var r = 0; r < chunk.Count; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < columns.Count; c++)
                {
                    var name = string.Create(CultureInfo.InvariantCulture, $"@p{r}_{c}");
                    sql.Append(c == 0 ? "" : ", ").Append(name);
                    var (property, _, mapping) = columns[c];
                    command.Parameters.Add(mapping.CreateParameter(command, name, property.PropertyInfo!.GetValue(chunk[r]), property.IsNullable));
                }

                sql.Append(')');
            }

            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}
