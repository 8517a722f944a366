using Microsoft.Extensions.Options;

namespace WalletDesk.Server.Features.Wallet.Ledger;

/// <summary>
/// Moves the reference ledger's pending items on when they are due (bank processing, cut-off, risk review, cooling-off,
/// network retries). Each item is claimed with a conditional status update, so several nodes can run this at once.
/// </summary>
internal sealed class SettlementJob(LedgerService ledger, TimeProvider time, IOptions<WalletOptions> options, ILogger<SettlementJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunSettlementJob || options.Value.IsHttp)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.SettlementIntervalSeconds), time);
        do
        {
            try
            {
                int settled;
                do
                {
                    settled = await ledger.SettleDueAsync(200, stoppingToken);
                    if (settled > 0)
                    {
                        logger.LogInformation("Settled {Count} pending wallet transactions", settled);
                    }
                }
                while (settled == 200 && !stoppingToken.IsCancellationRequested);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be away for a moment; the next tick tries again.
                logger.LogWarning("Wallet settlement run failed with {ExceptionType}; retrying on the next tick", ex.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
