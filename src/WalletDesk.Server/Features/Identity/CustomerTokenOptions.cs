using System.ComponentModel.DataAnnotations;

namespace WalletDesk.Server.Features.Identity;

/// <summary>How the wallet app vouches for its signed-in customer (see docs/customer-tokens.md).</summary>
public sealed class CustomerTokenOptions
{
    public const string SectionName = "CustomerTokens";

    /// <summary>The expected <c>iss</c> claim.</summary>
    [Required]
    public string Issuer { get; set; } = "demo-wallet";

    /// <summary>The expected <c>aud</c> claim.</summary>
    [Required]
    public string Audience { get; set; } = "walletdesk";

    /// <summary>Shared secret for HS256 (at least 32 bytes; <c>base64:</c> prefix for binary keys). When neither this nor <see cref="PublicKeyPem"/> is set, a demo key is generated in the data folder.</summary>
    public string? SigningKey { get; set; }

    /// <summary>PEM-encoded P-256 public key for ES256 tokens.</summary>
    public string? PublicKeyPem { get; set; }

    /// <summary>Tokens whose lifetime (exp − iat) is longer than this are refused.</summary>
    [Range(1, 1440)]
    public int MaxLifetimeMinutes { get; set; } = 60;

    [Range(0, 300)]
    public int ClockSkewSeconds { get; set; } = 30;
}
