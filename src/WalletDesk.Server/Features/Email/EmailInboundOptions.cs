using System.ComponentModel.DataAnnotations;

namespace WalletDesk.Server.Features.Email;

/// <summary>The email channel in: the support address customers write to, the key that signs reply addresses, limits.
/// Off until <see cref="Address"/> and <see cref="ReplyTokenKey"/> are set.</summary>
public sealed class EmailInboundOptions : IValidatableObject
{
    public const string SectionName = "Email:Inbound";

    /// <summary>The support address, e.g. <c>support@wallet.example</c>. Replies go to <c>support+t{ticket}.{signature}@wallet.example</c>.</summary>
    public string? Address { get; set; }

    /// <summary>Base64 key (at least 32 bytes) for the HMAC-SHA256 signature in reply addresses. Never logged.</summary>
    public string? ReplyTokenKey { get; set; }

    /// <summary>Largest raw message accepted, in bytes; a larger one is quarantined.</summary>
    [Range(1024, 200 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 30 * 1024 * 1024;

    /// <summary>Send the customer an acknowledgement with the ticket number when their mail opens a ticket.</summary>
    public bool Acknowledge { get; set; } = true;

    /// <summary>At most one acknowledgement per address in this many minutes (a second guard against mail loops).</summary>
    [Range(0, 1440)]
    public int AcknowledgeQuietMinutes { get; set; } = 10;

    /// <summary>authserv-ids (the first token of Authentication-Results) written by our own receiving server; when set,
    /// only those headers are believed. When empty, the topmost Authentication-Results header is used.</summary>
    public List<string> TrustedAuthServIds { get; set; } = [];

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Address) && !string.IsNullOrWhiteSpace(ReplyTokenKey);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Address) && (!System.Net.Mail.MailAddress.TryCreate(Address, out var parsed) || parsed.Address != Address.Trim() || parsed.User.Contains('+', StringComparison.Ordinal)))
        {
            yield return new ValidationResult("Email:Inbound:Address must be one plain address without '+'.", [nameof(Address)]);
        }

        if (!string.IsNullOrWhiteSpace(ReplyTokenKey))
        {
            byte[]? key = null;
            try
            {
                key = Convert.FromBase64String(ReplyTokenKey);
            }
            catch (FormatException)
            {
            }

            if (key is null || key.Length < 32)
            {
                yield return new ValidationResult("Email:Inbound:ReplyTokenKey must be base64 of at least 32 random bytes.", [nameof(ReplyTokenKey)]);
            }
        }
    }
}
