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

/// <summary>How a sign-in step ended; on success, <c>FailuresSinceLastSignIn</c> counts the failed attempts before it.</summary>
public sealed record SignInResult(SignInStatus Status, StaffUser? User = null, string? Message = null, int FailuresSinceLastSignIn = 0);

/// <summary>A pending TOTP enrolment: the secret to show and the URI for the QR code.</summary>
public sealed record TotpEnrolment(string SecretBase32, string ProvisioningUri);

/// <summary>
/// Staff sign-in, throttling, two-factor and sessions. Every outcome is audited. Failed attempts never lock an account
/// for everyone (that would hand any outsider a switch to lock the admin out): they slow down the client that makes them
/// (<see cref="SignInThrottle"/>), and past <see cref="StaffSecurityOptions.MaxFailedSignIns"/> they slow down every client
/// the account has not signed in from before, progressively up to <see cref="StaffSecurityOptions.LockoutMinutes"/>
/// between tries; browsers that signed in to the account before carry a device cookie and keep their own budget.
/// </summary>
public sealed class StaffAuthService(
    AppDbContext db,
    AuditService audit,
    TimeProvider time,
    IDataProtectionProvider dataProtection,
    IOptions<StaffSecurityOptions> options,
    SignInThrottle throttle,
    WalletDesk.Server.Features.Email.IEmailOutbox email)
{
    public const string GenericFailure = "The user name or password is incorrect.";
    public const string LockedMessage = "Too many failed sign-in attempts from here. Wait a moment before trying again.";

    /// <summary>The cookie that marks a browser which signed in to an account before.</summary>
    public const string DeviceCookie = "wd.device";
    public const string BadCodeMessage = "That code is not valid. Codes change every 30 seconds and each can be used once.";

    private static readonly PasswordHasher<StaffUser> Hasher = new();

    // Verifying against this keeps the timing of unknown user names close to that of known ones.
    private static readonly string DummyHash = Hasher.HashPassword(new StaffUser { UserName = "x", NormalizedUserName = "X", Email = "x", DisplayName = "x", Role = "agent" }, "not-a-real-password-0");

    private readonly IDataProtector _totpProtector = dataProtection.CreateProtector("WalletDesk.Staff.Totp.v1");
    private readonly IDataProtector _deviceProtector = dataProtection.CreateProtector("WalletDesk.Staff.Device.v1");
    private readonly StaffSecurityOptions _options = options.Value;

    public static string Normalize(string userName) => userName.Trim().ToUpperInvariant();

    public static string HashPassword(StaffUser user, string password) => Hasher.HashPassword(user, password);

    public async Task<SignInResult> PasswordSignInAsync(string? userName, string? password, string? sourceIp, string? deviceToken = null, CancellationToken cancellationToken = default)
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

        var client = ClientKey(user, deviceToken, sourceIp, out var trusted);
        if (Throttled(user, client, trusted, now) is { } why)
        {
            Hasher.VerifyHashedPassword(user, DummyHash, password ?? "");
            await AuditAsync("staff.sign-in", AuditOutcomes.Denied, user, sourceIp, why, cancellationToken);
            return new SignInResult(SignInStatus.LockedOut, Message: LockedMessage);
        }

        var verification = Hasher.VerifyHashedPassword(user, user.PasswordHash, password ?? "");
        if (verification == PasswordVerificationResult.Failed)
        {
            var slowed = await RegisterFailureAsync(user, client, sourceIp, now, cancellationToken);
            await AuditAsync("staff.sign-in", AuditOutcomes.Failure, user, sourceIp, slowed ? "wrong password; unknown clients slowed down" : "wrong password", cancellationToken);
            return new SignInResult(SignInStatus.Failed, Message: GenericFailure);
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

        var failures = await SucceededAsync(user, client, sourceIp, cancellationToken);
        await AuditAsync("staff.sign-in", AuditOutcomes.Success, user, sourceIp, "password only", cancellationToken);
        return new SignInResult(SignInStatus.Succeeded, user, FailuresSinceLastSignIn: failures);
    }

    /// <summary>Checks a TOTP code (or a recovery code) for a user who passed the password step.</summary>
    public async Task<SignInResult> VerifySecondFactorAsync(Guid userId, string? code, string? sourceIp, string? deviceToken = null, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var user = await db.StaffUsers.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null || user.IsDisabled || !user.TwoFactorEnabled)
        {
            return new SignInResult(SignInStatus.Failed, Message: BadCodeMessage);
        }

        var client = ClientKey(user, deviceToken, sourceIp, out var trusted);
        if (Throttled(user, client, trusted, now) is { } why)
        {
            await AuditAsync("staff.sign-in.2fa", AuditOutcomes.Denied, user, sourceIp, why, cancellationToken);
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
            var slowed = await RegisterFailureAsync(user, client, sourceIp, now, cancellationToken);
            await AuditAsync("staff.sign-in.2fa", AuditOutcomes.Failure, user, sourceIp, $"bad or reused {method}" + (slowed ? "; unknown clients slowed down" : ""), cancellationToken);
            return new SignInResult(SignInStatus.Failed, Message: BadCodeMessage);
        }

        var failures = await SucceededAsync(user, client, sourceIp, cancellationToken);
        await AuditAsync("staff.sign-in", AuditOutcomes.Success, user, sourceIp, $"password and {method}", cancellationToken);
        return new SignInResult(SignInStatus.Succeeded, user, FailuresSinceLastSignIn: failures);
    }

    /// <summary>A device token for the browser that just signed in: from then on it is a known client of this account.</summary>
    public string IssueDeviceToken(Guid userId) => _deviceProtector.Protect($"{userId:N}|{Convert.ToHexString(RandomNumberGenerator.GetBytes(16))}");

    private string ClientKey(StaffUser user, string? deviceToken, string? sourceIp, out bool trusted)
    {
        string? deviceId = null;
        if (!string.IsNullOrEmpty(deviceToken) && deviceToken.Length < 1024)
        {
            try
            {
                var parts = _deviceProtector.Unprotect(deviceToken).Split('|');
                if (parts.Length == 2 && parts[0] == user.Id.ToString("N"))
                {
                    deviceId = parts[1];
                }
            }
            catch (CryptographicException)
            {
                // Not ours, or for another key ring: an unknown client.
            }
        }

        trusted = deviceId is not null;
        return SignInThrottle.KeyFor(user.Id, deviceId, sourceIp);
    }

    private string? Throttled(StaffUser user, string client, bool trusted, DateTimeOffset now)
    {
        if (throttle.Wait(client, now) > TimeSpan.Zero)
        {
            return "this client is slowed down after failed attempts";
        }

        return !trusted && user.LockoutEndsAt is { } until && until > now ? "unknown clients are slowed down after failed attempts on this account" : null;
    }

    private async Task<int> SucceededAsync(StaffUser user, string client, string? sourceIp, CancellationToken cancellationToken)
    {
        var failures = user.FailedSignInCount;
        throttle.Succeed(client);
        user.FailedSignInCount = 0;
        user.LockoutEndsAt = null;
        await db.SaveChangesAsync(cancellationToken);
        if (failures > 0)
        {
            await AuditAsync("staff.sign-in.failures-reported", AuditOutcomes.Success, user, sourceIp, $"{failures} failed attempts since the last sign-in were shown to the account holder", cancellationToken);
        }

        return failures;
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

    /// <summary>Counts a failure for the client and the account; answers whether unknown clients are now slowed down.</summary>
    private async Task<bool> RegisterFailureAsync(StaffUser user, string client, string? sourceIp, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cap = TimeSpan.FromMinutes(_options.LockoutMinutes);
        throttle.Fail(client, now, cap);

        // Counted in the database so every process sees it: one failure more, and past the allowance the pause for
        // unknown clients doubles (1, 2, 4 … minutes up to the lockout time), whoever the guesses come from.
        var count = await db.StaffUsers.Where(u => u.Id == user.Id).Select(u => u.FailedSignInCount).SingleAsync(cancellationToken) + 1;
        DateTimeOffset? slowUntil = count >= _options.MaxFailedSignIns ? now + SignInThrottle.Progressive(count - _options.MaxFailedSignIns, TimeSpan.FromMinutes(1), cap) : null;
        await db.StaffUsers.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.FailedSignInCount, u => u.FailedSignInCount + 1)
            .SetProperty(u => u.LockoutEndsAt, u => slowUntil ?? u.LockoutEndsAt), cancellationToken);

        if (count == _options.MaxFailedSignIns)
        {
            await AuditAsync("staff.sign-in.slowed", AuditOutcomes.Success, user, sourceIp, $"{count} failed attempts; unknown clients must now wait between tries", cancellationToken);
            await NotifyAsync(user, count, cancellationToken);
        }

        return slowUntil is not null;
    }

    private async Task NotifyAsync(StaffUser user, int failures, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(user.Email) || !System.Net.Mail.MailAddress.TryCreate(user.Email, out _))
        {
            return;
        }

        await email.EnqueueAsync(new WalletDesk.Server.Features.Email.OutgoingEmail(
            user.Email,
            "WalletDesk: failed sign-in attempts on your account / 您的账户有登录失败记录",
            $"""
            There were {failures} failed attempts to sign in to your WalletDesk account ({user.UserName}). Browsers you have signed in from before can still sign in; others must now wait between attempts. If this was not you, tell your administrator.

            您的 WalletDesk 账户（{user.UserName}）有 {failures} 次登录失败。您以前登录过的浏览器仍可正常登录；其他设备需要等待后才能再试。如果不是您本人，请告知管理员。
            """,
            "staff_sign_in_failures",
            user.Id.ToString()), cancellationToken);
    }

    private Task AuditAsync(string action, string outcome, StaffUser? user, string? sourceIp, string details, CancellationToken cancellationToken, string? actorName = null) =>
        audit.AppendAsync(new AuditEvent(action, outcome, "staff", user?.Id.ToString(), user?.UserName ?? actorName, "staff_user", user?.Id.ToString(), sourceIp, details), cancellationToken);

    // Whatever was typed as a user name is scrubbed before it is stored: people paste passwords and card numbers there.
    private static string? Truncate(string? value) => value is null ? null : WalletDesk.Redaction.LogScrubber.Scrub(value.Length > 64 ? value[..64] : value);
}

/// <summary>Who is acting, for audit entries.</summary>
public sealed record StaffActor(Guid Id, string Name, string Role, string? SourceIp);
