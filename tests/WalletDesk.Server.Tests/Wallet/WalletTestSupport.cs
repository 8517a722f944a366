using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Customers;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Features.Wallet.Ledger;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Wallet;

/// <summary>One server per provider per test class, with the settlement job off (tests settle explicitly with the test clock).</summary>
public sealed class WalletFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<WalletDeskFactory>>> _factories = new();

    public static readonly Dictionary<string, string?> Settings = new()
    {
        ["Wallet:RunSettlementJob"] = "false",
        ["Wallet:CoolingOffHours"] = "24",
        ["Wallet:StepUpFreshnessMinutes"] = "10",
    };

    public Task<WalletDeskFactory> For(string provider) =>
        _factories.GetOrAdd(provider, p => new Lazy<Task<WalletDeskFactory>>(() => WalletDeskFactory.CreateAsync(p, Settings))).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var lazy in _factories.Values.Where(l => l.IsValueCreated))
        {
            await (await lazy.Value).DisposeAsync();
        }
    }
}

/// <summary>A customer with a funded wallet in the reference ledger.</summary>
public sealed record TestWallet(Customer Customer, RefAccount Account, RefFundingSource Card, RefFundingSource Bank, string Currency);

public static class WalletTestSupport
{
    /// <summary>Creates the support-side customer and their wallet, funded with <paramref name="balance"/> by card.</summary>
    public static async Task<TestWallet> CreateCustomerWithWalletAsync(this WalletDeskFactory app, string currency = "CNY", long balance = 1_000_000, string locale = "en", int kycTier = 3, string timeZone = "Asia/Shanghai")
    {
        var externalId = "cust-" + Guid.NewGuid().ToString("N")[..12];
        var customer = new Customer { Id = Guid.CreateVersion7(), ExternalId = externalId, DisplayName = "Test " + externalId[5..9], Locale = locale, CreatedAt = app.Clock.GetUtcNow() };
        await app.WithDbAsync(async db =>
        {
            db.Customers.Add(customer);
            return await db.SaveChangesAsync();
        });
        var ledger = app.Services.GetRequiredService<LedgerService>();
        var account = await ledger.OpenAccountAsync(new OpenAccountRequest(externalId, customer.DisplayName, "+86 138 0013 8021", timeZone, kycTier, KycStates.Verified, [currency]));
        var card = await ledger.AddFundingSourceAsync(account.Id, FundingKinds.Card, "UnionPay", "6621");
        var bank = await ledger.AddFundingSourceAsync(account.Id, FundingKinds.BankAccount, "ICBC", "0098");
        await app.WithDbAsync(async db =>
        {
            db.WalletDevices.Add(new RefDevice { Id = Guid.NewGuid(), AccountId = account.Id, Name = "iPhone 15", Platform = "ios", IsRegistered = true, FirstSeenAt = app.Clock.GetUtcNow(), LastSeenAt = app.Clock.GetUtcNow() });
            return await db.SaveChangesAsync();
        });
        if (balance > 0)
        {
            var topUp = await ledger.TopUpAsync(account.Id, card.Id, balance, currency, "fund-" + externalId);
            topUp.Transaction.Status.ShouldBe(TransactionStatuses.Completed);
        }

        return new TestWallet(customer, account, card, bank, currency);
    }

    public static LedgerService Ledger(this WalletDeskFactory app) => app.Services.GetRequiredService<LedgerService>();

    public static HttpClient CustomerClient(this WalletDeskFactory app, string externalId, string? locale = null)
    {
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object> { ["sub"] = externalId };
        if (locale is not null)
        {
            claims["locale"] = locale;
        }

        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "demo-wallet",
            Audience = "walletdesk",
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(TestKeys.CustomerSigningKey)), SecurityAlgorithms.HmacSha256),
        });
        var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A signed-in console client (with the CSRF header) for a new staff member of <paramref name="role"/>.</summary>
    public static async Task<(TestStaff Staff, HttpClient Client)> StaffClientAsync(this WalletDeskFactory app, string role)
    {
        var staff = await app.CreateStaffAsync(role, withTotp: role != "agent");
        var client = await (await app.SignInAsync(staff)).WithCsrfAsync();
        return (staff, client);
    }

    public static Task<T> Db<T>(this WalletDeskFactory app, Func<AppDbContext, Task<T>> work) => app.WithDbAsync(work);

    public static async Task<long> BalanceAsync(this WalletDeskFactory app, Guid accountId, string currency) =>
        await app.WithDbAsync(db => db.WalletBooks.Where(b => b.Code == LedgerService.CustomerBookCode(accountId, currency)).Select(b => b.Balance).SingleAsync());

    public static string NewKey() => "k-" + Guid.NewGuid().ToString("N");
}
