using System.CommandLine;
using WalletDesk.Server.Features.Identity;

namespace WalletDesk.Cli.Commands;

internal static class StaffCommands
{
    public static Command Create()
    {
        var staff = new Command("staff", "Staff accounts.");
        var create = new Command("create", "Create a staff account (for installs without demo data).");
        var user = new Option<string>("--user") { Description = "User name", Required = true };
        var email = new Option<string>("--email") { Description = "Email address", Required = true };
        var role = new Option<string>("--role") { Description = "agent, supervisor or admin", Required = true };
        role.AcceptOnlyFromAmong([.. StaffRoles.All]);
        var name = new Option<string?>("--name") { Description = "Display name" };
        create.Add(user);
        create.Add(email);
        create.Add(role);
        create.Add(name);
        create.SetAction(async (parse, ct) =>
        {
            var password = Environment.GetEnvironmentVariable("WALLETDESK_NEW_PASSWORD");
            if (string.IsNullOrEmpty(password))
            {
                await Console.Error.WriteLineAsync("walletdesk: set the initial password in WALLETDESK_NEW_PASSWORD (kept out of shell history and process lists).");
                return 1;
            }

            await using var app = CliHost.Build();
            await using var scope = app.Services.CreateAsyncScope();
            try
            {
                var created = await scope.ServiceProvider.GetRequiredService<StaffDirectoryService>().CreateAsync(
                    parse.GetValue(user), parse.GetValue(email), parse.GetValue(name), parse.GetValue(role), password, actor: null, ct);
                Console.WriteLine($"Created {created.UserName} ({created.Role}).{(StaffRoles.RequiresTwoFactor(created.Role) ? " They will set up two-factor authentication at first sign-in." : "")}");
                return 0;
            }
            catch (StaffValidationException ex)
            {
                await Console.Error.WriteLineAsync($"walletdesk: {ex.Field}: {ex.Message}");
                return 1;
            }
        });
        staff.Add(create);
        return staff;
    }
}
