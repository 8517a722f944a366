using System.CommandLine;
using WalletDesk.Server.Features.Insights;

namespace WalletDesk.Cli.Commands;

internal static class InsightsCommands
{
    public static Command Create()
    {
        var insights = new Command("insights", "Service insights: the rollups dashboards read.");
        var rebuild = new Command("rebuild", "Recompute the hourly rollups from every ticket, then prove them equal to a direct count (week by week, channel by channel).");
        rebuild.SetAction(async (_, ct) =>
        {
            await using var app = CliHost.Build();
            await using var scope = app.Services.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<ArrivalRollup>().RebuildAsync(ct);
            Console.WriteLine($"Rebuilt {result.Hours} hours: {result.Tickets} tickets in {result.Rows} rollup rows.");
            if (result.Mismatches.Count == 0)
            {
                Console.WriteLine("Verified: the rollup matches a direct count of the tickets.");
                return 0;
            }

            foreach (var mismatch in result.Mismatches)
            {
                await Console.Error.WriteLineAsync($"MISMATCH {mismatch}");
            }

            return 2;
        });
        insights.Add(rebuild);
        return insights;
    }
}
