using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>Saved inbox filters.</summary>
public abstract class M0009_SavedViews : Migration
{
    public const string Id = "20261123000900_SavedViews";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        mb.CreateTable(
            name: "saved_views",
            columns: t => new
            {
                Id = mb.IsSqlite()
                    ? t.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true)
                    : t.Column<int>(type: "integer", nullable: false).Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                OwnerId = t.Column<Guid>(nullable: false),
                Name = t.Column<string>(maxLength: 80, nullable: false),
                Query = t.Column<string>(maxLength: 1000, nullable: false),
                Shared = t.Column<bool>(nullable: false),
                CreatedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_saved_views", x => x.Id));
        mb.CreateIndex("IX_saved_views_OwnerId", "saved_views", "OwnerId");
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable("saved_views");
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0009_SavedViews_Sqlite : M0009_SavedViews;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0009_SavedViews_Postgres : M0009_SavedViews;
