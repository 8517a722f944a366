using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>Macros (canned replies in English and Chinese) with the shipped defaults.</summary>
public abstract class M0007_Macros : Migration
{
    public const string Id = "20261123000700_Macros";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        mb.CreateTable(
            name: "macros",
            columns: t => new
            {
                Id = t.Column<int>(nullable: false),
                Name = t.Column<string>(maxLength: 120, nullable: false),
                BodyEn = t.Column<string>(maxLength: 5000, nullable: false),
                BodyZh = t.Column<string>(maxLength: 5000, nullable: false),
                SetStatus = t.Column<string>(maxLength: 24, nullable: true),
                AddTags = t.Column<string>(maxLength: 200, nullable: true),
                IsActive = t.Column<bool>(nullable: false),
                UpdatedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_macros", x => x.Id));

        string text = mb.TextType(), integer = mb.IntType(), boolean = mb.BoolType();
        var timestamp = mb.IsSqlite() ? "INTEGER" : "timestamp with time zone";
        var when = new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);
        foreach (var m in DefaultMacros.All)
        {
            mb.InsertData(
                "macros",
                ["Id", "Name", "BodyEn", "BodyZh", "SetStatus", "AddTags", "IsActive", "UpdatedAt"],
                [integer, text, text, text, text, text, boolean, timestamp],
                [m.Id, m.Name, m.BodyEn, m.BodyZh, m.SetStatus, m.AddTags, true, mb.IsSqlite() ? when.UtcTicks : when]);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable("macros");
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0007_Macros_Sqlite : M0007_Macros;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0007_Macros_Postgres : M0007_Macros;
