using System.ComponentModel.DataAnnotations;

namespace WalletDesk.Server.Features.Email;

/// <summary>Outgoing email over SMTP. While <see cref="Host"/> or <see cref="FromAddress"/> is unset nothing is sent: messages stay queued.</summary>
public sealed class EmailOptions : IValidatableObject
{
    public const string SectionName = "Email";

    /// <summary>SMTP server host name or address.</summary>
    public string? Host { get; set; }

    /// <summary>SMTP port: 25, 587 (STARTTLS with <see cref="EnableSsl"/>) or 465 (implicit TLS with <see cref="ImplicitTls"/>).</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary>Require STARTTLS.</summary>
    public bool EnableSsl { get; set; }

    /// <summary>TLS from the first byte (port 465, "SMTPS"); takes precedence over <see cref="EnableSsl"/>.</summary>
    public bool ImplicitTls { get; set; }

    /// <summary>SMTP user name; no authentication when unset.</summary>
    public string? UserName { get; set; }

    /// <summary>SMTP password. Never logged, never stored in the outbox.</summary>
    public string? Password { get; set; }

    /// <summary>The From address, e.g. <c>support@wallet.example</c>; its domain also names the Message-IDs.</summary>
    public string? FromAddress { get; set; }

    /// <summary>The From display name.</summary>
    [MaxLength(100)]
    public string FromName { get; set; } = "WalletDesk Support";

    /// <summary>Attempts before a message is marked failed.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Wait after the first failure; it doubles with each further failure, up to <see cref="MaxRetryDelaySeconds"/>.</summary>
    [Range(1, 3600)]
    public int RetryDelaySeconds { get; set; } = 30;

    [Range(1, 86400)]
    public int MaxRetryDelaySeconds { get; set; } = 3600;

    /// <summary>How long a sender holds a claimed message; after that another sender (or this one after a crash) sends it again.</summary>
    [Range(10, 3600)]
    public int LeaseSeconds { get; set; } = 300;

    /// <summary>SMTP timeout per message; must be shorter than <see cref="LeaseSeconds"/>.</summary>
    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 60;

    /// <summary>How often the sender looks for due messages (new messages from this process wake it at once).</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 5;

    /// <summary>Messages claimed per pass.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 20;

    /// <summary>Run the sender in this process. Turn off on nodes that should only enqueue.</summary>
    public bool SenderEnabled { get; set; } = true;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host) && !string.IsNullOrWhiteSpace(FromAddress);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LeaseSeconds <= TimeoutSeconds)
        {
            yield return new ValidationResult("Email:LeaseSeconds must be longer than Email:TimeoutSeconds.", [nameof(LeaseSeconds)]);
        }

        if (!string.IsNullOrWhiteSpace(FromAddress) && !System.Net.Mail.MailAddress.TryCreate(FromAddress, out _))
        {
            yield return new ValidationResult("Email:FromAddress is not a valid email address.", [nameof(FromAddress)]);
        }
    }
}
