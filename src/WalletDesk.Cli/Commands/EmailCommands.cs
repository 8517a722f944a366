using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Features.Email;

namespace WalletDesk.Cli.Commands;

/// <summary><c>walletdesk email ingest</c>: one raw message on standard input, for an MTA's pipe transport (docs/email.md).</summary>
internal static class EmailCommands
{
    /// <summary>sysexits.h EX_TEMPFAIL: the MTA keeps the message queued and tries again later.</summary>
    public const int TempFail = 75;

    public static Command Create()
    {
        var email = new Command("email", "The email channel.");
        var ingest = new Command("ingest", "Read one raw message (RFC 5322) from standard input and turn it into a ticket entry. " +
            "Exit 0 when it was handled (a ticket, a duplicate, an auto-reply, a bounce, or kept in the quarantine); 75 (EX_TEMPFAIL) when it could not be kept, so the MTA retries.");
        var providerId = new Option<string?>("--provider-id") { Description = "The delivering system's id for the message (dedup across redeliveries), e.g. the queue id." };
        ingest.Add(providerId);
        ingest.SetAction(async (parse, ct) =>
        {
            byte[] raw;
            await using (var stdin = Console.OpenStandardInput())
            using (var buffer = new MemoryStream())
            {
                await stdin.CopyToAsync(buffer, ct);
                raw = buffer.ToArray();
            }

            if (raw.Length == 0)
            {
                await Console.Error.WriteLineAsync("No message on standard input.");
                return 64; // EX_USAGE
            }

            try
            {
                await using var app = CliHost.Build();
                if (!app.Services.GetRequiredService<IOptionsMonitor<EmailInboundOptions>>().CurrentValue.IsConfigured)
                {
                    await Console.Error.WriteLineAsync("Inbound email is not configured: set Email__Inbound__Address and Email__Inbound__ReplyTokenKey.");
                    return TempFail;
                }

                var result = await app.Services.GetRequiredService<EmailIngest>().IngestAsync(raw, "cli", parse.GetValue(providerId), ct);
                Console.WriteLine(JsonSerializer.Serialize(new { outcome = result.Outcome, ticketId = result.TicketId, quarantineId = result.QuarantineId }));
                return 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Typically the database is away. Nothing was kept: tell the MTA to keep the message and retry.
                await Console.Error.WriteLineAsync($"Could not take the message ({ex.GetType().Name}); the MTA should retry.");
                return TempFail;
            }
        });
        email.Add(ingest);
        return email;
    }
}
