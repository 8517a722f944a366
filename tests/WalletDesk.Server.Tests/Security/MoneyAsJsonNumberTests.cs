using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Tests.Infrastructure;
using WalletDesk.Server.Tests.Wallet;

namespace WalletDesk.Server.Tests.Security;

/// <summary>Issue 15, item 11: money (and every other number) is a JSON number; anything else is a 400 naming the field.</summary>
public sealed class MoneyAsJsonNumberTests(WalletFixture fixture) : IClassFixture<WalletFixture>
{
    public static TheoryData<string> NotNumbers => new()
    {
        "\"500\"",
        "\"5e2\"",
        "\"0x1F4\"",
        "\" 500\"",
        "\"500.00\"",
        "12.5",
        "true",
        "[500]",
        "{\"value\":500}",
        "\"NaN\"",
        "99999999999999999999999",
    };

    [Theory, MemberData(nameof(NotNumbers))]
    public async Task RefundAmount_NotAJsonInteger_Is400NamingTheField_AndMovesNoMoney(string amountJson)
    {
        var app = await fixture.For(Providers.Sqlite);
        var wallet = await app.CreateCustomerWithWalletAsync("CNY", balance: 100_000);
        var payment = (await app.Ledger().PayAsync(wallet.Account.Id, "Meituan", 30_000, "CNY", "pay")).Transaction;
        var (_, agent) = await app.StaffClientAsync(StaffRoles.Agent);
        var body = $$"""{"kind":"refund","idempotencyKey":"{{WalletTestSupport.NewKey()}}","transaction":"{{payment.Reference}}","amountMinor":{{amountJson}},"reason":"Order cancelled"}""";

        var response = await agent.PostAsync($"/api/wallet/customers/{wallet.Customer.Id}/actions", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = JsonDocument.Parse(await response.ShouldReturnAsync(HttpStatusCode.BadRequest)).RootElement;
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        problem.GetProperty("errors").TryGetProperty("amountMinor", out _).ShouldBeTrue(problem.ToString());
        problem.ToString().ShouldNotContain("System.", Case.Sensitive, "no type names leak into the problem");
        (await app.BalanceAsync(wallet.Account.Id, "CNY")).ShouldBe(100_000 - 30_000);
    }

    [Fact]
    public async Task RefundAmount_AString_InProduction_IsAlso400NamingTheField()
    {
        await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite, new Dictionary<string, string?>(WalletFixture.Settings) { ["environment"] = "Production" });
        app.Services.GetRequiredService<IWebHostEnvironment>().EnvironmentName.ShouldBe("Production");
        var wallet = await app.CreateCustomerWithWalletAsync("CNY", balance: 100_000);
        var (_, agent) = await app.StaffClientAsync(StaffRoles.Agent);
        var body = $$"""{"kind":"refund","idempotencyKey":"{{WalletTestSupport.NewKey()}}","transaction":"TX-1","amountMinor":"500","reason":"Order cancelled"}""";

        var response = await agent.PostAsync($"/api/wallet/customers/{wallet.Customer.Id}/actions", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = JsonDocument.Parse(await response.ShouldReturnAsync(HttpStatusCode.BadRequest)).RootElement;
        problem.GetProperty("errors").TryGetProperty("amountMinor", out _).ShouldBeTrue(problem.ToString());
    }

    [Fact]
    public async Task RefundAmount_AJsonInteger_IsAccepted()
    {
        var app = await fixture.For(Providers.Sqlite);
        var wallet = await app.CreateCustomerWithWalletAsync("CNY", balance: 100_000);
        var payment = (await app.Ledger().PayAsync(wallet.Account.Id, "Meituan", 30_000, "CNY", "pay")).Transaction;
        var (_, agent) = await app.StaffClientAsync(StaffRoles.Agent);
        var body = $$"""{"kind":"refund","idempotencyKey":"{{WalletTestSupport.NewKey()}}","transaction":"{{payment.Reference}}","amountMinor":500,"reason":"Order cancelled"}""";

        var response = await agent.PostAsync($"/api/wallet/customers/{wallet.Customer.Id}/actions", new StringContent(body, Encoding.UTF8, "application/json"));

        (await response.ReadAsAsync<WalletActionResponse>()).AmountMinor.ShouldBe(500);
    }

    [Fact]
    public async Task OpenApi_NoRequestNumberAcceptsAString()
    {
        // The document is generated from the same JSON options the endpoints read with: a number field that
        // also reads strings shows up as type [integer, string] with a digits pattern. None may.
        var app = await fixture.For(Providers.Sqlite);
        var document = JsonDocument.Parse(await (await app.CreateClient().GetAsync("/openapi/v1.json")).ShouldReturnAsync(HttpStatusCode.OK)).RootElement;
        var loose = new List<string>();
        var numbers = 0;

        void Walk(JsonElement element, string path)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                if (element.TryGetProperty("type", out var type))
                {
                    var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).ToList() : [type.GetString()];
                    if (types.Contains("integer") || types.Contains("number"))
                    {
                        numbers++;
                        if (types.Contains("string") || element.TryGetProperty("pattern", out _))
                        {
                            loose.Add(path);
                        }
                    }
                }

                foreach (var property in element.EnumerateObject())
                {
                    Walk(property.Value, path + "/" + property.Name);
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, $"{path}/{i++}");
                }
            }
        }

        Walk(document.GetProperty("components"), "components");
        numbers.ShouldBeGreaterThan(0, "the walk must see number fields at all");
        loose.ShouldBeEmpty();
    }
}
