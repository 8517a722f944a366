using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Email;

namespace WalletDesk.Server.Features.Insights;

/// <summary>
/// Raises an alert for each series that spiked in the last complete hour, once: the unique (hour, dimension, key)
/// index makes a second process's insert a no-op, and only the process whose insert committed sends the email.
/// </summary>
internal sealed class SpikeAlerter(AppDbContext db, InsightsQueries queries, IEmailOutbox email, IOptions<InsightsOptions> options, TimeProvider time, ILogger<SpikeAlerter> logger)
{
    internal const string StateName = "spikes";
    private const int TicketsPerAlert = 50;

    /// <summary>Evaluates every complete hour not yet evaluated (at most the last day) and returns the alerts raised.</summary>
    public async Task<IReadOnlyList<InsightAlert>> RunAsync(CancellationToken ct)
    {
        var currentHour = ArrivalRollup.HourOf(time.GetUtcNow());
        var state = await db.Set<InsightRollupState>().SingleOrDefaultAsync(s => s.Name == StateName, ct);
        var next = state?.CompleteBefore ?? currentHour - TimeSpan.FromHours(1);
        if (next < currentHour - TimeSpan.FromDays(1))
        {
            next = currentHour - TimeSpan.FromDays(1);
        }

        var raised = new List<InsightAlert>();
        for (var hour = next; hour < currentHour; hour += TimeSpan.FromHours(1))
        {
            foreach (var finding in (await queries.SpikesAsync(hour, ct)).Where(f => f.Verdict.IsSpike))
            {
                if (await db.Set<InsightAlert>().AnyAsync(a => a.HourStart == hour && a.Dimension == finding.Dimension && a.Key == finding.Key, ct))
                {
                    continue;
                }

                var ids = await queries.TicketsBehindAsync(finding.Dimension, finding.Key, hour, TicketsPerAlert, ct);
                var alert = new InsightAlert
                {
                    HourStart = hour,
                    Dimension = finding.Dimension,
                    Key = finding.Key,
                    Observed = finding.Verdict.Observed,
                    Expected = finding.Verdict.Expected,
                    TailProbability = finding.Verdict.TailProbability,
                    TicketIds = string.Join(' ', ids.Select(i => i.ToString(CultureInfo.InvariantCulture))),
                    CreatedAt = time.GetUtcNow(),
                };
                db.Add(alert);
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException)
                {
                    // Another process raised the same alert between our check and our insert: it also sends the email.
                    db.ChangeTracker.Clear();
                    logger.LogDebug("Spike alert {Dimension}/{Key} at {Hour} was raised by another process", finding.Dimension, finding.Key, hour);
                    continue;
                }

                raised.Add(alert);
                foreach (var to in options.Value.AlertEmails)
                {
                    await email.EnqueueAsync(new OutgoingEmail(to,
                        $"Spike: {alert.Observed} {alert.Dimension} \"{alert.Key}\" tickets in one hour (normally {alert.Expected:0.#})",
                        $"Between {hour:yyyy-MM-dd HH:mm} and {hour.AddHours(1):HH:mm} UTC, {alert.Observed} tickets arrived for {alert.Dimension} \"{alert.Key}\"; "
                        + $"the same hour in the past {options.Value.HistoryWeeks} weeks had {alert.Expected:0.#} (median). "
                        + $"Chance of this many if nothing changed: {alert.TailProbability:0.#####}.\n\nTickets: {alert.TicketIds}\n\nThe insights page: /console/insights",
                        "insight_spike", alert.Id.ToString(CultureInfo.InvariantCulture)), ct);
                }
            }
        }

        state = await db.Set<InsightRollupState>().SingleOrDefaultAsync(s => s.Name == StateName, ct);
        if (state is null)
        {
            db.Add(new InsightRollupState { Name = StateName, CompleteBefore = currentHour });
        }
        else if (state.CompleteBefore < currentHour)
        {
            state.CompleteBefore = currentHour;
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear(); // another process recorded the same progress
        }

        return raised;
    }
}

/// <summary>Every process brings the rollups up to date and checks for spikes on a timer; losing a race is harmless.</summary>
internal sealed class InsightsJob(IServiceScopeFactory scopes, IOptions<InsightsOptions> options, TimeProvider time, ILogger<InsightsJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RollupInterval, time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ArrivalRollup>().RefreshAsync(stoppingToken);
                await scope.ServiceProvider.GetRequiredService<SpikeAlerter>().RunAsync(stoppingToken);
            }
            catch (DbUpdateException ex)
            {
                logger.LogDebug(ex, "Insights refresh lost a race with another process; it runs again on the next tick");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Insights refresh failed; it runs again on the next tick");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
