using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>
/// Column helpers for hand-written migrations that serve both providers (the EF design-time
/// tools do not restore here, see docs/adr/0002-hand-written-migrations.md).
/// </summary>
internal static class MigrationColumns
{
    public static bool IsSqlite(this MigrationBuilder migrationBuilder) =>
        migrationBuilder.ActiveProvider == "Microsoft.EntityFrameworkCore.Sqlite";

    /// <summary>UTC ticks on SQLite (see <see cref="UtcTicksConverter"/>), timestamptz on PostgreSQL.</summary>
    public static OperationBuilder<AddColumnOperation> Timestamp(this ColumnsBuilder table, MigrationBuilder migrationBuilder, bool nullable = false) =>
        migrationBuilder.IsSqlite()
            ? table.Column<long>(type: "INTEGER", nullable: nullable)
            : table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: nullable);

    /// <summary>Store types for <c>InsertData</c> (hand-written migrations have no target model to infer them from).</summary>
    public static string TextType(this MigrationBuilder migrationBuilder) => migrationBuilder.IsSqlite() ? "TEXT" : "text";

    public static string IntType(this MigrationBuilder migrationBuilder) => migrationBuilder.IsSqlite() ? "INTEGER" : "integer";

    public static string BoolType(this MigrationBuilder migrationBuilder) => migrationBuilder.IsSqlite() ? "INTEGER" : "boolean";

    /// <summary>An auto-incrementing 64-bit key on either provider.</summary>
    public static OperationBuilder<AddColumnOperation> Identity(this ColumnsBuilder table, MigrationBuilder migrationBuilder) =>
        migrationBuilder.IsSqlite()
            ? table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true)
            : table.Column<long>(type: "bigint", nullable: false).Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);
}
