using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Assistant;

/// <summary>
/// The quiet rule (docs/assistant.md): a conversation the assistant answered, that was neither handed off nor confirmed,
/// and where the customer said nothing for <see cref="AssistantOptions.ContainmentHours"/>, is resolved by the assistant:
/// its ticket is solved by the bot (<see cref="TicketService.SolveByAssistantAsync"/>), so it leaves the agents' open
/// views and its clocks stop. The same rule counts it as contained in the assistant's metrics.
/// </summary>
public sealed class AssistantQuietResolution(IServiceScopeFactory scopes, TimeProvider time, IOptions<AssistantOptions> options, ILogger<AssistantQuietResolution> logger) : BackgroundService
{
    /// <summary>Conversations quiet for longer than this past the window were settled by an earlier pass (bounds the scan).</summary>
    private static readonly TimeSpan LookBack = TimeSpan.FromDays(7);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(5), time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Assistant quiet-resolution pass failed with {ExceptionType}; retrying on the next tick", ex.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass; returns how many tickets the assistant solved.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var tickets = scope.ServiceProvider.GetRequiredService<TicketService>();
        var quietSince = time.GetUtcNow().AddHours(-options.Value.ContainmentHours);
        var oldest = quietSince - LookBack;
        var candidates = await db.Set<AssistantConversation>().AsNoTracking()
            .Where(c => !c.HandedOff && !c.Resolved && c.Turns > 0 && c.LastMessageAt <= quietSince && c.LastMessageAt > oldest)
            .OrderBy(c => c.LastMessageAt).Select(c => c.ConversationId).Take(500).ToListAsync(ct);
        var solved = 0;
        foreach (var id in candidates)
        {
            if (await tickets.SolveByAssistantAsync(id, "resolved_by_assistant_quiet", ct))
            {
                solved++;
            }
        }

        return solved;
    }
}
