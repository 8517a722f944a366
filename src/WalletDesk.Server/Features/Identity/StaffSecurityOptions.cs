using System.ComponentModel.DataAnnotations;

namespace WalletDesk.Server.Features.Identity;

/// <summary>Sign-in, lockout and session rules for staff.</summary>
public sealed class StaffSecurityOptions
{
    public const string SectionName = "StaffSecurity";

    /// <summary>Failed sign-ins (password or 2FA code) after which clients that never signed in to the account must wait between tries.</summary>
    [Range(3, 20)]
    public int MaxFailedSignIns { get; set; } = 5;

    /// <summary>The longest wait between tries (the wait doubles from one minute up to this).</summary>
    [Range(1, 1440)]
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>A session unused this long ends.</summary>
    [Range(5, 1440)]
    public int SessionIdleMinutes { get; set; } = 60;

    /// <summary>A session ends this long after sign-in whatever happens.</summary>
    [Range(1, 72)]
    public int SessionAbsoluteHours { get; set; } = 12;

    /// <summary>The name authenticator apps show next to the code.</summary>
    [Required]
    public string TotpIssuer { get; set; } = "WalletDesk";

    [Range(10, 128)]
    public int MinimumPasswordLength { get; set; } = 12;
}
