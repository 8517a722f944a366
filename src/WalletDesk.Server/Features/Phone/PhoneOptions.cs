using System.ComponentModel.DataAnnotations;

namespace WalletDesk.Server.Features.Phone;

/// <summary>Callbacks and the telephony provider's webhook.</summary>
public sealed class PhoneOptions
{
    public const string SectionName = "Phone";

    /// <summary>
    /// Shared secret for <c>POST /api/telephony/events</c> (HMAC-SHA256 over "timestamp.body"). At least 32 characters.
    /// While unset the webhook refuses every request.
    /// </summary>
    [MinLength(32)]
    public string? WebhookSecret { get; set; }

    /// <summary>How far a request's timestamp may be from the server clock, in seconds (replay window).</summary>
    [Range(30, 3600)]
    public int WebhookToleranceSeconds { get; set; } = 300;

    /// <summary>Largest webhook body accepted, in bytes.</summary>
    [Range(1024, 1024 * 1024)]
    public int WebhookMaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Open (requested or claimed) callbacks one customer may have at once.</summary>
    [Range(1, 20)]
    public int MaxOpenCallbacksPerCustomer { get; set; } = 2;

    /// <summary>How far ahead a preferred window may start, in days.</summary>
    [Range(1, 60)]
    public int MaxDaysAhead { get; set; } = 14;

    /// <summary>Shortest preferred window, in minutes.</summary>
    [Range(5, 240)]
    public int MinWindowMinutes { get; set; } = 15;

    /// <summary>Longest preferred window, in hours.</summary>
    [Range(1, 72)]
    public int MaxWindowHours { get; set; } = 12;
}
