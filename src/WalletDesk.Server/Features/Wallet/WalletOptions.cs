using System.ComponentModel.DataAnnotations;

namespace WalletDesk.Server.Features.Wallet;

/// <summary>Which wallet WalletDesk talks to, and the rules for support actions on it.</summary>
public sealed class WalletOptions : IValidatableObject
{
    public const string SectionName = "Wallet";

    /// <summary><c>reference</c> (the built-in ledger in the same database) or <c>http</c> (an operator's REST API).</summary>
    [Required]
    [RegularExpression("^(reference|http)$", ErrorMessage = "Wallet:Provider must be 'reference' or 'http'.")]
    public string Provider { get; set; } = "reference";

    /// <summary>The operator's API root for the <c>http</c> provider, e.g. <c>https://wallet.example/api/</c>.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Bearer key for the operator's API. Never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Per-attempt timeout for reads against the operator's API.</summary>
    [Range(100, 60_000)]
    public int ReadTimeoutMs { get; set; } = 3_000;

    /// <summary>Timeout for a support action call; after it the outcome is unknown and is queried, never re-sent blindly.</summary>
    [Range(100, 120_000)]
    public int ActionTimeoutMs { get; set; } = 10_000;

    /// <summary>Attempts for idempotent calls (reads, and writes carrying an idempotency key that the operator refused with 429/503).</summary>
    [Range(1, 6)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Base delay between retries; doubled each time, with jitter.</summary>
    [Range(0, 10_000)]
    public int RetryBaseDelayMs { get; set; } = 200;

    /// <summary>Failure ratio over the sampling window that opens the circuit.</summary>
    [Range(0.05, 1.0)]
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Calls in the sampling window before the breaker may open.</summary>
    [Range(2, 1000)]
    public int BreakerMinimumThroughput { get; set; } = 6;

    /// <summary>How long the circuit stays open before a trial call.</summary>
    [Range(1, 600)]
    public int BreakerBreakSeconds { get; set; } = 30;

    /// <summary>Largest single support refund or reversal per role, in minor units per ISO 4217 currency.</summary>
    public Dictionary<string, Dictionary<string, long>> RoleLimits { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["agent"] = new(StringComparer.OrdinalIgnoreCase) { ["CNY"] = 200_000, ["USD"] = 30_000 },
        ["supervisor"] = new(StringComparer.OrdinalIgnoreCase) { ["CNY"] = 2_000_000, ["USD"] = 300_000 },
        ["admin"] = new(StringComparer.OrdinalIgnoreCase) { ["CNY"] = 10_000_000, ["USD"] = 1_500_000 },
    };

    /// <summary>
    /// The most one staff member may refund or reverse in <see cref="CumulativeWindowHours"/> without a second person, per
    /// role and currency (minor units); beyond it their requests wait for approval.
    /// </summary>
    public Dictionary<string, Dictionary<string, long>> StaffWindowLimits { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["agent"] = new(StringComparer.OrdinalIgnoreCase) { ["CNY"] = 1_000_000, ["USD"] = 150_000 },
        ["supervisor"] = new(StringComparer.OrdinalIgnoreCase) { ["CNY"] = 10_000_000, ["USD"] = 1_500_000 },
        ["admin"] = new(StringComparer.OrdinalIgnoreCase) { ["CNY"] = 50_000_000, ["USD"] = 7_500_000 },
    };

    /// <summary>
    /// Limits and approval thresholds count what was already asked for (waiting, running or done) on the same
    /// transaction ever, and for the same customer and by the same staff member within this many hours, so splitting
    /// one refund into several small ones changes nothing.
    /// </summary>
    [Range(1, 720)]
    public int CumulativeWindowHours { get; set; } = 24;

    /// <summary>At or above this amount (minor units per currency) a refund or reversal needs a second staff member's approval.</summary>
    public Dictionary<string, long> ApprovalThresholds { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["CNY"] = 50_000,
        ["USD"] = 10_000,
    };

    /// <summary>How recent the customer's in-app step-up must be for an unlock or control change.</summary>
    [Range(1, 60)]
    public int StepUpFreshnessMinutes { get; set; } = 10;

    /// <summary>How long a step-up code stays valid.</summary>
    [Range(1, 30)]
    public int StepUpCodeMinutes { get; set; } = 5;

    /// <summary>Outbound movement is held this long after an unlock or control change made through support.</summary>
    [Range(0, 720)]
    public int CoolingOffHours { get; set; } = 24;

    /// <summary>How often the reference ledger's settlement job looks for due pending items.</summary>
    [Range(1, 3600)]
    public int SettlementIntervalSeconds { get; set; } = 30;

    /// <summary>Run the reference ledger's settlement job in this process.</summary>
    public bool RunSettlementJob { get; set; } = true;

    /// <summary>Reference ledger: transfers and payments at or above this amount (minor units) go to risk review.</summary>
    [Range(1, long.MaxValue)]
    public long RiskReviewThresholdMinor { get; set; } = 500_000;

    /// <summary>Reference ledger: outgoing limit per account, currency and local day (minor units), by KYC tier 0..3.</summary>
    public long[] DailyLimitByTier { get; set; } = [100_000, 1_000_000, 5_000_000, 20_000_000];

    public bool IsHttp => string.Equals(Provider, "http", StringComparison.OrdinalIgnoreCase);

    public long? RoleLimit(string role, string currency) =>
        RoleLimits.TryGetValue(role, out var perCurrency) && perCurrency.TryGetValue(currency, out var limit) ? limit : null;

    public long? StaffWindowLimit(string role, string currency) =>
        StaffWindowLimits.TryGetValue(role, out var perCurrency) && perCurrency.TryGetValue(currency, out var limit) ? limit : null;

    public long? ApprovalThreshold(string currency) => ApprovalThresholds.TryGetValue(currency, out var threshold) ? threshold : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IsHttp)
        {
            if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                yield return new ValidationResult("Wallet:BaseUrl must be an absolute http(s) URL when Wallet:Provider is 'http'.", [nameof(BaseUrl)]);
            }

            if (string.IsNullOrWhiteSpace(ApiKey))
            {
                yield return new ValidationResult("Wallet:ApiKey is required when Wallet:Provider is 'http'.", [nameof(ApiKey)]);
            }
        }

        if (DailyLimitByTier.Length != 4 || DailyLimitByTier.Any(l => l <= 0))
        {
            yield return new ValidationResult("Wallet:DailyLimitByTier needs four positive amounts (tiers 0..3).", [nameof(DailyLimitByTier)]);
        }

        foreach (var (role, limits) in RoleLimits)
        {
            if (limits.Any(l => l.Value < 0 || !Money.IsCurrency(l.Key)))
            {
                yield return new ValidationResult($"Wallet:RoleLimits:{role} must map ISO 4217 codes to non-negative minor units.", [nameof(RoleLimits)]);
            }
        }

        foreach (var (role, limits) in StaffWindowLimits)
        {
            if (limits.Any(l => l.Value < 0 || !Money.IsCurrency(l.Key)))
            {
                yield return new ValidationResult($"Wallet:StaffWindowLimits:{role} must map ISO 4217 codes to non-negative minor units.", [nameof(StaffWindowLimits)]);
            }
        }

        if (ApprovalThresholds.Any(t => t.Value <= 0 || !Money.IsCurrency(t.Key)))
        {
            yield return new ValidationResult("Wallet:ApprovalThresholds must map ISO 4217 codes to positive minor units.", [nameof(ApprovalThresholds)]);
        }
    }
}
