using System.ComponentModel.DataAnnotations;
using WalletDesk.Server.Features.Wallet;

namespace WalletDesk.Server.Features.Assistant;

/// <summary>How the assistant decides, acts and learns.</summary>
public sealed class AssistantOptions : IValidatableObject
{
    public const string SectionName = "Assistant";

    /// <summary>A transaction or an amount in the customer's words at or above this (minor units per currency) goes to a human.</summary>
    public Dictionary<string, long> HandoffAmounts { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["CNY"] = 1_000_000,
        ["USD"] = 150_000,
    };

    /// <summary>Messages the assistant could not place before it hands off.</summary>
    [Range(1, 10)]
    public int LowConfidenceHandoffs { get; set; } = 2;

    /// <summary>A conversation the assistant answered with no follow-up for this long counts as contained.</summary>
    [Range(1, 720)]
    public int ContainmentHours { get; set; } = 24;

    /// <summary>How far back the assistant looks for the transaction a customer means.</summary>
    [Range(1, 365)]
    public int LookbackDays { get; set; } = 30;

    /// <summary>The assistant may unlock an account itself when the customer passed a fresh in-app step-up (otherwise it hands off).</summary>
    public bool MayUnlock { get; set; } = true;

    /// <summary>Folds for the comparison of a retrained model with the active one.</summary>
    [Range(2, 10)]
    public int RetrainFolds { get; set; } = 3;

    /// <summary>How often each process checks which model version is active (rollback from another process or the CLI).</summary>
    [Range(1, 3600)]
    public int ModelRefreshSeconds { get; set; } = 30;

    /// <summary>Optional model endpoint that drafts reply suggestions for agents.</summary>
    public DraftOptions Drafts { get; set; } = new();

    public long? HandoffAmount(string currency) => HandoffAmounts.TryGetValue(currency, out var v) ? v : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HandoffAmounts.Any(a => a.Value <= 0 || !Money.IsCurrency(a.Key)))
        {
            yield return new ValidationResult("Assistant:HandoffAmounts must map ISO 4217 codes to positive minor units.", [nameof(HandoffAmounts)]);
        }

        if (Drafts.Enabled && (!Uri.TryCreate(Drafts.BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            yield return new ValidationResult("Assistant:Drafts:BaseUrl must be an absolute http(s) URL when drafts are enabled.", [nameof(Drafts)]);
        }
    }
}

/// <summary>An OpenAI-compatible chat-completions endpoint (a local model server, for example). Off by default.</summary>
public sealed class DraftOptions
{
    public bool Enabled { get; set; }

    /// <summary>API root, e.g. <c>http://127.0.0.1:8000/v1/</c>; <c>chat/completions</c> is appended.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Bearer key, if the endpoint needs one. Never logged.</summary>
    public string? ApiKey { get; set; }

    public string Model { get; set; } = "local";

    [Range(1, 120)]
    public int TimeoutSeconds { get; set; } = 20;

    /// <summary>Most recent conversation messages put in the prompt.</summary>
    [Range(1, 50)]
    public int MaxMessages { get; set; } = 12;
}
