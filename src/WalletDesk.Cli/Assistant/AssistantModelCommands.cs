using System.CommandLine;
using System.Globalization;
using WalletDesk.Cli.Commands;
using WalletDesk.Server.Features.Assistant;

namespace WalletDesk.Cli.Assistant;

/// <summary><c>walletdesk assistant models|retrain|rollback</c>: the deployed model versions in the server's database.</summary>
internal static class AssistantModelCommands
{
    public static void AddTo(Command assistant)
    {
        assistant.Subcommands.Add(List());
        assistant.Subcommands.Add(Retrain());
        assistant.Subcommands.Add(Rollback());
    }

    private static Command List()
    {
        var command = new Command("models", "List the assistant's model versions (the active one is marked).");
        command.SetAction(async (parse, ct) => await WithModelsAsync(async models =>
        {
            foreach (var v in await models.ListAsync(ct))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(v.IsActive ? "*" : " ")} {v.Id,-44} {v.Status,-9} {v.TrainingRows,5} rows  open-set {Pct(v.EvalOpenSetAccuracy)} vs {Pct(v.BaselineOpenSetAccuracy)}  {v.CreatedAt:yyyy-MM-dd HH:mm}  {v.Decision}"));
            }

            return 0;
        }, ct));
        return command;
    }

    private static Command Retrain()
    {
        var command = new Command("retrain", "Retrain on the shipped examples plus every example added in WalletDesk; deploy only if not worse.");
        command.SetAction(async (parse, ct) => await WithModelsAsync(async models =>
        {
            var result = await models.RetrainAsync("cli", ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Version.Id}: {result.Version.Decision} ({result.Duration.TotalSeconds:F1} s)"));
            return result.Deployed ? 0 : 2;
        }, ct));
        return command;
    }

    private static Command Rollback()
    {
        var version = new Argument<string>("VERSION") { Description = "A deployed version from 'walletdesk assistant models'." };
        var command = new Command("rollback", "Make an earlier deployed version active again; running servers pick it up within Assistant:ModelRefreshSeconds.") { version };
        command.SetAction(async (parse, ct) => await WithModelsAsync(async models =>
        {
            var id = parse.GetValue(version)!;
            if (!await models.ActivateAsync(id, "cli", ct))
            {
                await Console.Error.WriteLineAsync($"walletdesk: no deployed model version '{id}'.");
                return 1;
            }

            Console.WriteLine($"{id} is active.");
            return 0;
        }, ct));
        return command;
    }

    private static async Task<int> WithModelsAsync(Func<AssistantModels, Task<int>> work, CancellationToken ct)
    {
        await using var app = CliHost.Build();
        if (await KnowledgeCommands.PrepareAsync(app, ct) is { } problem)
        {
            await Console.Error.WriteLineAsync($"walletdesk: {problem}");
            return 1;
        }

        try
        {
            return await work(app.Services.GetRequiredService<AssistantModels>());
        }
        catch (AssistantConflictException ex)
        {
            await Console.Error.WriteLineAsync($"walletdesk: {ex.Message}");
            return 1;
        }
    }

    private static string Pct(double? value) => value is { } v ? v.ToString("P2", CultureInfo.InvariantCulture) : "–";
}
