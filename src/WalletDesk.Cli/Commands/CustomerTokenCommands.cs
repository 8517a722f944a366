using System.CommandLine;
using WalletDesk.Server.Features.Identity;

namespace WalletDesk.Cli.Commands;

internal static class CustomerTokenCommands
{
    public static Command Create()
    {
        var command = new Command("customer-token", "Mint a short-lived customer token with the configured HS256 key (demo and testing; production tokens come from the wallet's backend).");
        var sub = new Option<string>("--sub") { Description = "The wallet's customer id", Required = true };
        var name = new Option<string?>("--name") { Description = "Display name" };
        var minutes = new Option<int>("--minutes") { Description = "Lifetime in minutes", DefaultValueFactory = _ => 15 };
        command.Add(sub);
        command.Add(name);
        command.Add(minutes);
        command.SetAction(async (parse, _) =>
        {
            await using var app = CliHost.Build();
            var validator = app.Services.GetRequiredService<CustomerTokenValidator>();
            Console.WriteLine(validator.MintForDemo(parse.GetValue(sub)!, parse.GetValue(name), TimeSpan.FromMinutes(parse.GetValue(minutes))));
            return 0;
        });
        return command;
    }
}
