using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>Customer profiles linked to wallet accounts.</summary>
public abstract class M0002_Customers : Migration
{
    public const string Id = "20261123000100_Customers";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        mb.CreateTable(
            name: "customers",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                ExternalId = t.Column<string>(maxLength: 128, nullable: false),
                DisplayName = t.Column<string>(maxLength: 128, nullable: false),
                Email = t.Column<string>(maxLength: 256, nullable: true),
                Phone = t.Column<string>(maxLength: 32, nullable: true),
                Locale = t.Column<string>(maxLength: 8, nullable: false),
                CreatedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_customers", x => x.Id));
        mb.CreateIndex("IX_customers_ExternalId", "customers", "ExternalId", unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable("customers");
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0002_Customers_Sqlite : M0002_Customers;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0002_Customers_Postgres : M0002_Customers;
