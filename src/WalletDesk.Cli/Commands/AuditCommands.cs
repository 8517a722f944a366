using System.CommandLine;
using WalletDesk.Server.Features.Audit;

namespace WalletDesk.Cli.Commands;

internal static class AuditCommands
{
    public static Command Create()
    {
        var audit = new Command("audit", "The tamper-evident audit trail.");
        var verify = new Command("verify", "Walk the hash chain and name the first entry that was altered or removed.");
        verify.SetAction(async (_, ct) =>
        {
            await using var app = CliHost.Build();
            var result = await app.Services.GetRequiredService<AuditService>().VerifyAsync(ct);
            if (result.IsIntact)
            {
                Console.WriteLine($"Audit trail intact: {result.EntriesChecked} entries checked.");
                return 0;
            }

            await Console.Error.WriteLineAsync($"Audit trail BROKEN at entry {result.FirstBadEntryId}: {result.Problem}. {result.EntriesChecked} entries before it are intact.");
            return 2;
        });
        audit.Add(verify);
        return audit;
    }
}
