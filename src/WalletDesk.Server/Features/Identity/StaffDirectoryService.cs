using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Audit;

namespace WalletDesk.Server.Features.Identity;

public sealed class StaffValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>Staff accounts: create, change role, disable. Admin-only operations, all audited.</summary>
public sealed class StaffDirectoryService(AppDbContext db, AuditService audit, StaffAuthService auth, TimeProvider time, IOptions<StaffSecurityOptions> options)
{
    public Task<List<StaffUser>> ListAsync(CancellationToken cancellationToken = default) =>
        db.StaffUsers.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(cancellationToken);

    public async Task<StaffUser> CreateAsync(string? userName, string? email, string? displayName, string? role, string? password, StaffActor? actor, CancellationToken cancellationToken = default)
    {
        userName = userName?.Trim() ?? "";
        if (userName.Length is < 3 or > 64 || !userName.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            throw new StaffValidationException("userName", "Use 3 to 64 letters, digits, dots, dashes or underscores.");
        }

        if (string.IsNullOrWhiteSpace(email) || !email.Contains('@', StringComparison.Ordinal) || email.Length > 256)
        {
            throw new StaffValidationException("email", "Enter a valid email address.");
        }

        if (role is null || !StaffRoles.All.Contains(role))
        {
            throw new StaffValidationException("role", "Role must be agent, supervisor or admin.");
        }

        if (password is null || password.Length < options.Value.MinimumPasswordLength || password.Length > 256)
        {
            throw new StaffValidationException("password", $"Use a password of at least {options.Value.MinimumPasswordLength} characters.");
        }

        var normalized = StaffAuthService.Normalize(userName);
        if (await db.StaffUsers.AnyAsync(u => u.NormalizedUserName == normalized, cancellationToken))
        {
            throw new StaffValidationException("userName", "That user name is taken.");
        }

        var user = new StaffUser
        {
            Id = Guid.CreateVersion7(),
            UserName = userName,
            NormalizedUserName = normalized,
            Email = email.Trim(),
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? userName : displayName.Trim()[..Math.Min(displayName.Trim().Length, 128)],
            Role = role,
            CreatedAt = time.GetUtcNow(),
        };
        user.PasswordHash = StaffAuthService.HashPassword(user, password);
        db.StaffUsers.Add(user);
        await db.SaveChangesAsync(cancellationToken);
        await audit.AppendAsync(new AuditEvent("staff.created", AuditOutcomes.Success, actor is null ? "system" : "staff", actor?.Id.ToString(), actor?.Name ?? "seed", "staff_user", user.Id.ToString(), actor?.SourceIp, $"user={user.UserName}; role={role}"), cancellationToken);
        return user;
    }

    public async Task<StaffUser?> ChangeRoleAsync(Guid userId, string? role, StaffActor actor, CancellationToken cancellationToken = default)
    {
        if (role is null || !StaffRoles.All.Contains(role))
        {
            throw new StaffValidationException("role", "Role must be agent, supervisor or admin.");
        }

        var user = await db.StaffUsers.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return null;
        }

        if (user.Id == actor.Id)
        {
            throw new StaffValidationException("role", "You cannot change your own role; ask another admin.");
        }

        var previous = user.Role;
        user.Role = role;
        await db.SaveChangesAsync(cancellationToken);
        await audit.AppendAsync(new AuditEvent("staff.role.changed", AuditOutcomes.Success, "staff", actor.Id.ToString(), actor.Name, "staff_user", user.Id.ToString(), actor.SourceIp, $"{previous} -> {role}"), cancellationToken);
        return user;
    }

    public async Task<StaffUser?> SetDisabledAsync(Guid userId, bool disabled, StaffActor actor, CancellationToken cancellationToken = default)
    {
        var user = await db.StaffUsers.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return null;
        }

        if (user.Id == actor.Id)
        {
            throw new StaffValidationException("disabled", "You cannot disable your own account.");
        }

        user.IsDisabled = disabled;
        await db.SaveChangesAsync(cancellationToken);
        if (disabled)
        {
            await auth.RevokeAllSessionsAsync(user.Id, cancellationToken);
        }

        await audit.AppendAsync(new AuditEvent(disabled ? "staff.disabled" : "staff.enabled", AuditOutcomes.Success, "staff", actor.Id.ToString(), actor.Name, "staff_user", user.Id.ToString(), actor.SourceIp), cancellationToken);
        return user;
    }
}
