using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Audit;

namespace WalletDesk.Server.Features.Identity;

public enum SignInStatus
{
    Succeeded,
    TwoFactorRequired,
    Failed,
    LockedOut,
}

public sealed record SignInResult(SignInStatus Status, StaffUser? User = null, string? Message = null);

/// <summary>A pending TOTP enrolment: the secret to show and the URI for the QR code.</summary>
public sealed record TotpEnrolment(string SecretBase32, string ProvisioningUri);

/// <summary>Staff sign-in, lockout, two-factor and sessions. Every outcome is audited.</summary>
public sealed class StaffAuthService(
    AppDbContext db,
    AuditService audit,
    TimeProvider time,
    IDataProtectionProvider dataProtection,
    IOptions<StaffSecurityOptions> options)
{
    public const string GenericFailure = "The user name or password is incorrect.";
    public const string LockedMessage = "Too many failed attempts. The account is locked for a while; try again later or ask an admin.";
    public const string BadCodeMessage = "That code is not valid. Codes change every 30 seconds and each can be used once.";

    private static readonly PasswordHasher<StaffUser> Hasher = new();

    // Verifying against this keeps the timing of unknown user names close to that of known ones.
    private static readonly string DummyHash = Hasher.HashPassword(new StaffUser { UserName = "x", NormalizedUserName = "X", Email = "x", DisplayName = "x", Role = "agent" }, "not-a-real-password-0");

    private readonly IDataProtector _totpProtector = dataProtection.CreateProtector("WalletDesk.Staff.Totp.v1");
    private readonly StaffSecurityOptions _options = options.Value;

    public static string Normalize(string userName) => userName.Trim().ToUpperInvariant();

    public static string HashPassword(StaffUser user, string password) => Hasher.HashPassword(user, password);

    public async Task<SignInResult> PasswordSignInAsync(string? userName, string? password, string? sourceIp, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var normalized = Normalize(userName ?? "");
        var user = normalized.Length == 0 ? null : await db.StaffUsers.SingleOrDefaultAsync(u => u.NormalizedUserName == normalized, cancellationToken);
        if (user is null || user.IsDisabled)
        {
            Hasher.VerifyHashedPassword(null!, DummyHash, password ?? "");
            await AuditAsync("staff.sign-in", AuditOutcomes.Failure, user, sourceIp, user is null ? "unknown user name" : "account disabled", cancellationToken, actorName: Truncate(userName));
            return new SignInResult(SignInStatus.Failed, Message: GenericFailure);
        }

        if (user.LockoutEndsAt is { } until && until > now)
        {
            Hasher.VerifyHashedPassword(user, DummyHash, password ?? "");
            await AuditAsync("staff.sign-in", AuditOutcomes.Denied, user, sourceIp, "locked out", cancellationToken);
            return new SignInResult(SignInStatus.LockedOut, Message: LockedMessage);
        }

        var verification = Hasher.VerifyHashedPassword(user, user.PasswordHash, password ?? "");
        if (verification == PasswordVerificationResult.Failed)
        {
            var locked = await RegisterFailureAsync(user, now, cancellationToken);
            await AuditAsync("staff.sign-in", AuditOutcomes.Failure, user, sourceIp, locked ? "wrong password; account locked" : "wrong password", cancellationToken);
            return new SignInResult(locked ? SignInStatus.LockedOut : SignInStatus.Failed, Message: locked ? LockedMessage : GenericFailure);
        }

        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = Hasher.HashPassword(user, password!);
        }

        if (user.TwoFactorEnabled)
        {
            await db.SaveChangesAsync(cancellationToken);
            await AuditAsync("staff.sign-in.password", AuditOutcomes.Success, user, sourceIp, "second factor required", cancellationToken);
            return new SignInResult(SignInStatus.TwoFactorRequired, user);
        }

        user.FailedSignInCount = 0;
        user.LockoutEndsAt = null;
        await db.SaveChangesAsync(cancellationToken);
        await AuditAsync("staff.sign-in", AuditOutcomes.Success, user, sourceIp, "password only", cancellationToken);
        return new SignInResult(SignInStatus.Succeeded, user);
    }

    /// <summary>Checks a TOTP code (or a recovery code) for a user who passed the password step.</summary>
    public async Task<SignInResult> VerifySecondFactorAsync(Guid userId, string? code, string? sourceIp, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var user = await db.StaffUsers.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null || user.IsDisabled || !user.TwoFactorEnabled)
        {
            return new SignInResult(SignInStatus.Failed, Message: BadCodeMessage);
        }

        if (user.LockoutEndsAt is { } until && until > now)
        {
            await AuditAsync("staff.sign-in.2fa", AuditOutcomes.Denied, user, sourceIp, "locked out", cancellationToken);
            return new SignInResult(SignInStatus.LockedOut, Message: LockedMessage);
        }

        var trimmed = (code ?? "").Trim();
        var method = "totp";
        var ok = false;
        if (trimmed.Replace(" ", "", StringComparison.Ordinal).Length == Totp.Digits)
        {
            var step = Totp.Match(UnprotectSecret(user), trimmed, now);
            // A step at or before the last accepted one is a replay, even inside the window.
            if (step is { } s && s > user.LastTotpStep)
            {
                user.LastTotpStep = s;
                ok = true;
            }
        }
        else if (trimmed.Length > 0)
        {
            method = "recovery code";
            var hash = HashRecoveryCode(trimmed);
            var recovery = await db.RecoveryCodes.SingleOrDefaultAsync(r => r.UserId == user.Id && r.CodeHash == hash && r.UsedAt == null, cancellationToken);
            if (recovery is not null)
            {
                recovery.UsedAt = now;
                ok = true;
            }
        }

        if (!ok)
        {
            var locked = await RegisterFailureAsync(user, now, cancellationToken);
            await AuditAsync("staff.sign-in.2fa", AuditOutcomes.Failure, user, sourceIp, $"bad or reused {method}" + (locked ? "; account locked" : ""), cancellationToken);
            return new SignInResult(locked ? SignInStatus.LockedOut : SignInStatus.Failed, Message: locked ? LockedMessage : BadCodeMessage);
        }

        user.FailedSignInCount = 0;
        user.LockoutEndsAt = null;
        await db.SaveChangesAsync(cancellationToken);
        await AuditAsync("staff.sign-in", AuditOutcomes.Success, user, sourceIp, $"password and {method}", cancellationToken);
        return new SignInResult(SignInStatus.Succeeded, user);
    }

    /// <summary>Starts (or restarts) TOTP enrolment: a fresh secret, not active until confirmed with a code.</summary>
    public async Task<TotpEnrolment> BeginTotpEnrolmentAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var user = await db.StaffUsers.SingleAsync(u => u.Id == userId, cancellationToken);
        if (user.TwoFactorEnabled)
        {
            throw new InvalidOperationException("Two-factor authentication is already on for this account.");
        }

        var secret = Totp.NewSecret();
        user.TotpSecretProtected = _totpProtector.Protect(Convert.ToBase64String(secret));
        await db.SaveChangesAsync(cancellationToken);
        return new TotpEnrolment(Totp.ToBase32(secret), Totp.ProvisioningUri(_options.TotpIssuer, user.UserName, secret));
    }

    /// <summary>The enrolment in progress, if one was started and not yet confirmed.</summary>
    public async Task<TotpEnrolment?> PendingTotpEnrolmentAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var user = await db.StaffUsers.AsNoTracking().SingleAsync(u => u.Id == userId, cancellationToken);
        if (user.TwoFactorEnabled || user.TotpSecretProtected is null)
        {
            return null;
        }

        var secret = UnprotectSecret(user);
        return new TotpEnrolment(Totp.ToBase32(secret), Totp.ProvisioningUri(_options.TotpIssuer, user.UserName, secret));
    }

    /// <summary>Confirms enrolment with a first code; returns the recovery codes, shown this once and stored hashed.</summary>
    public async Task<IReadOnlyList<string>?> ConfirmTotpEnrolmentAsync(Guid userId, string? code, string? sourceIp, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var user = await db.StaffUsers.SingleAsync(u => u.Id == userId, cancellationToken);
        if (user.TwoFactorEnabled || user.TotpSecretProtected is null)
        {
            return null;
        }

        var step = Totp.Match(UnprotectSecret(user), code, now);
        if (step is not { } s || s <= user.LastTotpStep)
        {
            await AuditAsync("staff.2fa.enrol", AuditOutcomes.Failure, user, sourceIp, "wrong confirmation code", cancellationToken);
            return null;
        }

        user.LastTotpStep = s;
        user.TwoFactorEnabled = true;
        await db.RecoveryCodes.Where(r => r.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        var codes = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var recovery = NewRecoveryCode();
            codes.Add(recovery);
            db.RecoveryCodes.Add(new RecoveryCode { Id = Guid.CreateVersion7(), UserId = user.Id, CodeHash = HashRecoveryCode(recovery), CreatedAt = now });
        }

        await db.SaveChangesAsync(cancellationToken);
        await AuditAsync("staff.2fa.enabled", AuditOutcomes.Success, user, sourceIp, "TOTP enrolled; 10 recovery codes issued", cancellationToken);
        return codes;
    }

    /// <summary>An admin turns another member's 2FA off (lost device); they must enrol again at next sign-in.</summary>
    public async Task ResetTwoFactorAsync(Guid userId, StaffActor admin, CancellationToken cancellationToken = default)
    {
        var user = await db.StaffUsers.SingleAsync(u => u.Id == userId, cancellationToken);
        user.TwoFactorEnabled = false;
        user.TotpSecretProtected = null;
        await db.RecoveryCodes.Where(r => r.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await RevokeAllSessionsAsync(user.Id, cancellationToken);
        await audit.AppendAsync(new AuditEvent("staff.2fa.reset", AuditOutcomes.Success, "staff", admin.Id.ToString(), admin.Name, "staff_user", user.Id.ToString(), admin.SourceIp), cancellationToken);
    }

    public async Task<StaffSession> CreateSessionAsync(StaffUser user, bool mfaSatisfied, string? sourceIp, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var session = new StaffSession
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)),
            UserId = user.Id,
            MfaSatisfied = mfaSatisfied,
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = now.AddHours(_options.SessionAbsoluteHours),
            SourceIp = sourceIp,
        };
        db.StaffSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        return session;
    }

    /// <summary>The live session and its user, or null when revoked, expired, idle too long or the user is disabled.</summary>
    public async Task<(StaffSession Session, StaffUser User)?> ValidateSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var session = await db.StaffSessions.SingleOrDefaultAsync(s => s.Id == sessionId, cancellationToken);
        if (session is null || session.RevokedAt is not null || session.ExpiresAt <= now || session.LastSeenAt.AddMinutes(_options.SessionIdleMinutes) <= now)
        {
            return null;
        }

        var user = await db.StaffUsers.SingleOrDefaultAsync(u => u.Id == session.UserId, cancellationToken);
        if (user is null || user.IsDisabled)
        {
            return null;
        }

        // Write the sliding expiry at most once a minute to keep reads cheap.
        if (now - session.LastSeenAt > TimeSpan.FromMinutes(1))
        {
            session.LastSeenAt = now;
            await db.SaveChangesAsync(cancellationToken);
        }

        return (session, user);
    }

    public async Task RevokeSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await db.StaffSessions.Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now), cancellationToken);
    }

    public async Task RevokeAllSessionsAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await db.StaffSessions.Where(s => s.UserId == userId && s.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now), cancellationToken);
    }

    internal static string HashRecoveryCode(string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code.Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant())));

    private static string NewRecoveryCode()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var chars = new char[10];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        }

        return $"{new string(chars, 0, 5)}-{new string(chars, 5, 5)}";
    }

    private byte[] UnprotectSecret(StaffUser user) =>
        user.TotpSecretProtected is null ? [] : Convert.FromBase64String(_totpProtector.Unprotect(user.TotpSecretProtected));

    private async Task<bool> RegisterFailureAsync(StaffUser user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        user.FailedSignInCount++;
        var locked = false;
        if (user.FailedSignInCount >= _options.MaxFailedSignIns)
        {
            user.LockoutEndsAt = now.AddMinutes(_options.LockoutMinutes);
            user.FailedSignInCount = 0;
            locked = true;
        }

        await db.SaveChangesAsync(cancellationToken);
        return locked;
    }

    private Task AuditAsync(string action, string outcome, StaffUser? user, string? sourceIp, string details, CancellationToken cancellationToken, string? actorName = null) =>
        audit.AppendAsync(new AuditEvent(action, outcome, "staff", user?.Id.ToString(), user?.UserName ?? actorName, "staff_user", user?.Id.ToString(), sourceIp, details), cancellationToken);

    // Whatever was typed as a user name is scrubbed before it is stored: people paste passwords and card numbers there.
    private static string? Truncate(string? value) => value is null ? null : WalletDesk.Redaction.LogScrubber.Scrub(value.Length > 64 ? value[..64] : value);
}

/// <summary>Who is acting, for audit entries.</summary>
public sealed record StaffActor(Guid Id, string Name, string Role, string? SourceIp);
