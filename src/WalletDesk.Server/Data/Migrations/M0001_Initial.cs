using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>Staff identity, sessions, API tokens, the audit trail and system settings.</summary>
public abstract class M0001_Initial : Migration
{
    public const string Id = "20261123000000_Initial";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        mb.CreateTable(
            name: "staff_users",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                UserName = t.Column<string>(maxLength: 64, nullable: false),
                NormalizedUserName = t.Column<string>(maxLength: 64, nullable: false),
                Email = t.Column<string>(maxLength: 256, nullable: false),
                DisplayName = t.Column<string>(maxLength: 128, nullable: false),
                Role = t.Column<string>(maxLength: 32, nullable: false),
                PasswordHash = t.Column<string>(maxLength: 512, nullable: false),
                IsDisabled = t.Column<bool>(nullable: false),
                FailedSignInCount = t.Column<int>(nullable: false),
                LockoutEndsAt = t.Timestamp(mb, nullable: true),
                TotpSecretProtected = t.Column<string>(maxLength: 1024, nullable: true),
                TwoFactorEnabled = t.Column<bool>(nullable: false),
                LastTotpStep = t.Column<long>(nullable: false),
                CreatedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_staff_users", x => x.Id));
        mb.CreateIndex("IX_staff_users_NormalizedUserName", "staff_users", "NormalizedUserName", unique: true);

        mb.CreateTable(
            name: "staff_sessions",
            columns: t => new
            {
                Id = t.Column<string>(maxLength: 64, nullable: false),
                UserId = t.Column<Guid>(nullable: false),
                MfaSatisfied = t.Column<bool>(nullable: false),
                CreatedAt = t.Timestamp(mb),
                LastSeenAt = t.Timestamp(mb),
                ExpiresAt = t.Timestamp(mb),
                RevokedAt = t.Timestamp(mb, nullable: true),
                SourceIp = t.Column<string>(maxLength: 64, nullable: true),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_staff_sessions", x => x.Id);
                t.ForeignKey("FK_staff_sessions_staff_users_UserId", x => x.UserId, "staff_users", "Id", onDelete: ReferentialAction.Cascade);
            });
        mb.CreateIndex("IX_staff_sessions_UserId", "staff_sessions", "UserId");

        mb.CreateTable(
            name: "staff_recovery_codes",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                UserId = t.Column<Guid>(nullable: false),
                CodeHash = t.Column<string>(maxLength: 128, nullable: false),
                CreatedAt = t.Timestamp(mb),
                UsedAt = t.Timestamp(mb, nullable: true),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_staff_recovery_codes", x => x.Id);
                t.ForeignKey("FK_staff_recovery_codes_staff_users_UserId", x => x.UserId, "staff_users", "Id", onDelete: ReferentialAction.Cascade);
            });
        mb.CreateIndex("IX_staff_recovery_codes_UserId", "staff_recovery_codes", "UserId");

        mb.CreateTable(
            name: "api_tokens",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                Name = t.Column<string>(maxLength: 100, nullable: false),
                Prefix = t.Column<string>(maxLength: 16, nullable: false),
                TokenHash = t.Column<string>(maxLength: 128, nullable: false),
                Scopes = t.Column<string>(maxLength: 512, nullable: false),
                CreatedByUserId = t.Column<Guid>(nullable: false),
                CreatedAt = t.Timestamp(mb),
                ExpiresAt = t.Timestamp(mb, nullable: true),
                LastUsedAt = t.Timestamp(mb, nullable: true),
                RevokedAt = t.Timestamp(mb, nullable: true),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_api_tokens", x => x.Id);
                t.ForeignKey("FK_api_tokens_staff_users_CreatedByUserId", x => x.CreatedByUserId, "staff_users", "Id", onDelete: ReferentialAction.Restrict);
            });
        mb.CreateIndex("IX_api_tokens_TokenHash", "api_tokens", "TokenHash", unique: true);
        mb.CreateIndex("IX_api_tokens_CreatedByUserId", "api_tokens", "CreatedByUserId");

        mb.CreateTable(
            name: "audit_entries",
            columns: t => new
            {
                Id = t.Column<long>(nullable: false),
                At = t.Timestamp(mb),
                ActorType = t.Column<string>(maxLength: 32, nullable: false),
                ActorId = t.Column<string>(maxLength: 64, nullable: true),
                ActorName = t.Column<string>(maxLength: 128, nullable: true),
                Action = t.Column<string>(maxLength: 64, nullable: false),
                ObjectType = t.Column<string>(maxLength: 64, nullable: true),
                ObjectId = t.Column<string>(maxLength: 128, nullable: true),
                Outcome = t.Column<string>(maxLength: 32, nullable: false),
                SourceIp = t.Column<string>(maxLength: 64, nullable: true),
                Details = t.Column<string>(maxLength: 4000, nullable: true),
                PreviousHash = t.Column<string>(maxLength: 64, nullable: false),
                Hash = t.Column<string>(maxLength: 64, nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_audit_entries", x => x.Id));
        mb.CreateIndex("IX_audit_entries_At", "audit_entries", "At");
        mb.CreateIndex("IX_audit_entries_ActorId_At", "audit_entries", ["ActorId", "At"]);
        mb.CreateIndex("IX_audit_entries_ObjectType_ObjectId", "audit_entries", ["ObjectType", "ObjectId"]);

        mb.CreateTable(
            name: "audit_head",
            columns: t => new
            {
                Id = t.Column<int>(nullable: false),
                LastId = t.Column<long>(nullable: false),
                LastHash = t.Column<string>(maxLength: 64, nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_audit_head", x => x.Id));

        mb.CreateTable(
            name: "system_settings",
            columns: t => new
            {
                Key = t.Column<string>(maxLength: 128, nullable: false),
                Value = t.Column<string>(maxLength: 4000, nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_system_settings", x => x.Key));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var table in new[] { "system_settings", "audit_head", "audit_entries", "api_tokens", "staff_recovery_codes", "staff_sessions", "staff_users" })
        {
            migrationBuilder.DropTable(table);
        }
    }
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0001_Initial_Sqlite : M0001_Initial;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0001_Initial_Postgres : M0001_Initial;
