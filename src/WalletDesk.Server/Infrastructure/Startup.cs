using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Demo;

namespace WalletDesk.Server.Infrastructure;

/// <summary>Start-up steps shared by the server and the CLI.</summary>
public static class Startup
{
    /// <summary>Listens on <paramref name="url"/> unless --urls, ASPNETCORE_URLS or HTTP_PORTS says otherwise.</summary>
    public static void UseDefaultUrl(this WebApplicationBuilder builder, string url)
    {
        var configured = builder.Configuration["urls"] ?? builder.Configuration["ASPNETCORE_URLS"] ?? builder.Configuration["HTTP_PORTS"] ?? builder.Configuration["http_ports"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            builder.WebHost.UseUrls(url);
        }
    }

    /// <summary>Prepares the database and demo data, then runs. Exits 1 with a one-line message when the database is not usable.</summary>
    public static async Task<int> RunWalletDeskAsync(this WebApplication app)
    {
        var problem = await app.Services.GetRequiredService<DatabaseInitializer>().PrepareAsync();
        if (problem is not null)
        {
            await Console.Error.WriteLineAsync($"walletdesk: {problem}");
            return 1;
        }

        var seeded = await SeedDemoDataAsync(app.Services);
        app.Lifetime.ApplicationStarted.Register(() => PrintWelcome(app, seeded));
        await app.RunAsync();
        return 0;
    }

    public static async Task<bool> SeedDemoDataAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value;
        if (!options.SeedDemoData)
        {
            return false;
        }

        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedOnceAsync(cancellationToken);
    }

    private static void PrintWelcome(WebApplication app, bool seededNow)
    {
        var paths = app.Services.GetRequiredService<DataPaths>();
        var connection = app.Services.GetRequiredService<ConnectionSettings>();
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value;
        var url = app.Urls.FirstOrDefault() ?? "http://localhost:5080";
        Console.WriteLine();
        Console.WriteLine("WalletDesk is running.");
        Console.WriteLine($"  Agent console:  {url}/console");
        Console.WriteLine($"  API (OpenAPI):  {url}/openapi/v1.json");
        Console.WriteLine($"  Health:         {url}/health/ready");
        Console.WriteLine($"  Database:       {(connection.IsPostgres ? "PostgreSQL" : "SQLite")} {(connection.IsPostgres ? connection.Describe() : paths.SqliteFile)}");
        if (options.SeedDemoData)
        {
            Console.WriteLine(seededNow ? "  Demo data:      seeded just now" : "  Demo data:      already present");
            Console.WriteLine("  Demo sign-ins (admin and supervisor set up two-factor authentication at first sign-in):");
            foreach (var signIn in DemoSeeder.SignIns)
            {
                Console.WriteLine($"    {signIn.UserName,-12} {signIn.Role,-11} password: {signIn.Password}");
            }
        }

        Console.WriteLine();
    }
}
