using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WalletDesk.Server.Features.Identity;

/// <summary>Staff roles, lowest privilege first.</summary>
public static class StaffRoles
{
    public const string Agent = "agent";
    public const string Supervisor = "supervisor";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Agent, Supervisor, Admin];

    public static int Rank(string role) => role switch
    {
        Admin => 3,
        Supervisor => 2,
        Agent => 1,
        _ => 0,
    };

    /// <summary>Supervisors and admins must use two-factor authentication.</summary>
    public static bool RequiresTwoFactor(string role) => Rank(role) >= Rank(Supervisor);
}

public sealed class StaffUser
{
    public Guid Id { get; set; }
    public required string UserName { get; set; }
    public required string NormalizedUserName { get; set; }
    public required string Email { get; set; }
    public required string DisplayName { get; set; }
    public required string Role { get; set; }
    public string PasswordHash { get; set; } = "";
    public bool IsDisabled { get; set; }
    public int FailedSignInCount { get; set; }
    public DateTimeOffset? LockoutEndsAt { get; set; }

    /// <summary>TOTP secret, protected with ASP.NET Core Data Protection; null until enrolment starts.</summary>
    public string? TotpSecretProtected { get; set; }
    public bool TwoFactorEnabled { get; set; }

    /// <summary>The last TOTP time step accepted, so a code can never be used twice.</summary>
    public long LastTotpStep { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A server-side session behind the console cookie; revoking it signs the browser out.</summary>
public sealed class StaffSession
{
    public required string Id { get; set; }
    public Guid UserId { get; set; }
    public bool MfaSatisfied { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? SourceIp { get; set; }
}

public sealed class RecoveryCode
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string CodeHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

public sealed class ApiToken
{
    public Guid Id { get; set; }
    public required string Name { get; set; }

    /// <summary>The first characters of the token, shown in lists so people can tell tokens apart.</summary>
    public required string Prefix { get; set; }
    public required string TokenHash { get; set; }

    /// <summary>Space-separated scopes.</summary>
    public required string Scopes { get; set; }
    public Guid CreatedByUserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class StaffUserConfiguration : IEntityTypeConfiguration<StaffUser>
{
    public void Configure(EntityTypeBuilder<StaffUser> builder)
    {
        builder.ToTable("staff_users");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.UserName).HasMaxLength(64);
        builder.Property(u => u.NormalizedUserName).HasMaxLength(64);
        builder.HasIndex(u => u.NormalizedUserName).IsUnique();
        builder.Property(u => u.Email).HasMaxLength(256);
        builder.Property(u => u.DisplayName).HasMaxLength(128);
        builder.Property(u => u.Role).HasMaxLength(32);
        builder.Property(u => u.PasswordHash).HasMaxLength(512);
        builder.Property(u => u.TotpSecretProtected).HasMaxLength(1024);
    }
}

internal sealed class StaffSessionConfiguration : IEntityTypeConfiguration<StaffSession>
{
    public void Configure(EntityTypeBuilder<StaffSession> builder)
    {
        builder.ToTable("staff_sessions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasMaxLength(64);
        builder.Property(s => s.SourceIp).HasMaxLength(64);
        builder.HasIndex(s => s.UserId);
        builder.HasOne<StaffUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RecoveryCodeConfiguration : IEntityTypeConfiguration<RecoveryCode>
{
    public void Configure(EntityTypeBuilder<RecoveryCode> builder)
    {
        builder.ToTable("staff_recovery_codes");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.CodeHash).HasMaxLength(128);
        builder.HasIndex(c => c.UserId);
        builder.HasOne<StaffUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.ToTable("api_tokens");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Name).HasMaxLength(100);
        builder.Property(t => t.Prefix).HasMaxLength(16);
        builder.Property(t => t.TokenHash).HasMaxLength(128);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.Property(t => t.Scopes).HasMaxLength(512);
        builder.HasOne<StaffUser>().WithMany().HasForeignKey(t => t.CreatedByUserId).OnDelete(DeleteBehavior.Restrict);
    }
}
