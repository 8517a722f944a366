using System.ComponentModel.DataAnnotations;

namespace WalletDesk.Server.Features.Insights;

/// <summary>Insights: rollup cadence, the spike detector's thresholds and the staffing defaults.</summary>
public sealed class InsightsOptions
{
    public const string SectionName = "Insights";

    /// <summary>How often each process brings the rollups up to date.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RollupInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Weeks of the same hour the spike detector compares with, and the forecast draws on.</summary>
    [Range(3, 26)]
    public int HistoryWeeks { get; set; } = 8;

    /// <summary>Tail probability below which an hour is a spike (see docs/insights.md for the measured false-alarm rate).</summary>
    [Range(1e-9, 0.05)]
    public double SpikeAlpha { get; set; } = 1e-4;

    /// <summary>An hour with fewer tickets than this never alerts.</summary>
    [Range(1, 10_000)]
    public int SpikeMinimumCount { get; set; } = 6;

    /// <summary>An hour must be at least this multiple of normal to alert.</summary>
    [Range(1.0, 100.0)]
    public double SpikeMinimumRatio { get; set; } = 1.5;

    /// <summary>Where spike alerts are emailed (supervisors' shared inbox); none when empty.</summary>
    public List<string> AlertEmails { get; set; } = [];

    /// <summary>The time zone a dashboard uses when the viewer's is not given (IANA id).</summary>
    [Required]
    public string DefaultTimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>Mean handle time per channel (seconds) for the staffing plan until measured handle times replace it.</summary>
    public Dictionary<string, int> HandleSeconds { get; set; } = new()
    {
        ["chat"] = 480,
        ["phone"] = 360,
        ["email"] = 600,
        ["web"] = 600,
        ["in_app"] = 480,
        ["social"] = 420,
    };

    /// <summary>Chats an agent works at once; other channels are one at a time.</summary>
    [Range(1, 10)]
    public int ChatConcurrency { get; set; } = 3;

    internal SpikeSettings Spikes => new(SpikeAlpha, SpikeMinimumCount, SpikeMinimumRatio);
}
