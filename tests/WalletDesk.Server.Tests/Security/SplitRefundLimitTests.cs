using System.Net;
using System.Net.Http.Json;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Tests.Infrastructure;
using WalletDesk.Server.Tests.Wallet;

namespace WalletDesk.Server.Tests.Security;

/// <summary>
/// Issue 15, item 1: limits and maker-checker count what was already asked for, per transaction, per customer and per
/// staff member, also when the requests arrive at once. Defaults: approval at 500.00 CNY, agent limit 2,000.00 CNY.
/// </summary>
public sealed class SplitRefundLimitTests(WalletFixture fixture) : IClassFixture<WalletFixture>
{
    private static CreateWalletActionRequest Refund(string reference, long amount) =>
        new(WalletActionKinds.Refund, WalletTestSupport.NewKey(), reference, amount, "Order cancelled by the merchant");

    private static string Actions(TestWallet wallet) => $"/api/wallet/customers/{wallet.Customer.Id}/actions";

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TwoRefundsJustUnderTheThreshold_OnOneTransaction_TheSecondWaitsForASecondPerson(string provider)
    {
        var app = await fixture.For(provider);
        var wallet = await app.CreateCustomerWithWalletAsync("CNY", balance: 500_000);
        var payment = (await app.Ledger().PayAsync(wallet.Account.Id, "Taobao", 100_000, "CNY", "pay")).Transaction;
        var (agent, agentClient) = await app.StaffClientAsync(StaffRoles.Agent);
        var (_, otherAgent) = await app.StaffClientAsync(StaffRoles.Agent);
        var (_, supervisor) = await app.StaffClientAsync(StaffRoles.Supervisor);

        var first = await (await agentClient.PostAsJsonAsync(Actions(wallet), Refund(payment.Reference, 49_999))).ReadAsAsync<WalletActionResponse>();
        var second = await (await agentClient.PostAsJsonAsync(Actions(wallet), Refund(payment.Reference, 49_999))).ReadAsAsync<WalletActionResponse>(HttpStatusCode.Accepted);

        first.Status.ShouldBe(SupportActionStatuses.Completed);
        second.Status.ShouldBe(SupportActionStatuses.PendingApproval);
        (await app.BalanceAsync(wallet.Account.Id, "CNY")).ShouldBe(500_000 - 100_000 + 49_999, "the second half waits");

        // While it waits, nothing else happens on that transaction, whoever asks.
        var third = await otherAgent.PostAsJsonAsync(Actions(wallet), Refund(payment.Reference, 1));
        (await third.ShouldReturnAsync(HttpStatusCode.Conflict)).ShouldContain("approval_pending");
        var dispute = await otherAgent.PostAsJsonAsync(Actions(wallet), new CreateWalletActionRequest(WalletActionKinds.FlagDispute, WalletTestSupport.NewKey(), payment.Reference, null, "Customer disputes"));
        (await dispute.ShouldReturnAsync(HttpStatusCode.Conflict)).ShouldContain("approval_pending");

        // The maker cannot approve it; another person can.
        (await (await agentClient.PostAsync($"/api/wallet/approvals/{second.Id}/approve", null)).ShouldReturnAsync(HttpStatusCode.Forbidden)).ShouldNotBeEmpty();
        var approved = await (await supervisor.PostAsync($"/api/wallet/approvals/{second.Id}/approve", null)).ReadAsAsync<WalletActionResponse>();
        approved.Status.ShouldBe(SupportActionStatuses.Completed);
        approved.ApprovedBy.ShouldNotBe(agent.UserName);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SmallRefundsAcrossTransactionsOfOneCustomer_AddUpToTheThreshold_AndThenToTheRoleLimit(string provider)
    {
        var app = await fixture.For(provider);
        var wallet = await app.CreateCustomerWithWalletAsync("CNY", balance: 2_000_000);
        var payments = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            payments.Add((await app.Ledger().PayAsync(wallet.Account.Id, "JD.com", 300_000, "CNY", "pay" + i)).Transaction.Reference);
        }

        var (_, agentClient) = await app.StaffClientAsync(StaffRoles.Agent);
        var (_, supervisor) = await app.StaffClientAsync(StaffRoles.Supervisor);

        (await (await agentClient.PostAsJsonAsync(Actions(wallet), Refund(payments[0], 30_000))).ReadAsAsync<WalletActionResponse>()).Status.ShouldBe(SupportActionStatuses.Completed);
        var split = await (await agentClient.PostAsJsonAsync(Actions(wallet), Refund(payments[1], 30_000))).ReadAsAsync<WalletActionResponse>(HttpStatusCode.Accepted);
        split.Status.ShouldBe(SupportActionStatuses.PendingApproval);
        (await (await supervisor.PostAsync($"/api/wallet/approvals/{split.Id}/approve", null)).ReadAsAsync<WalletActionResponse>()).Status.ShouldBe(SupportActionStatuses.Completed);

        // 600.00 already refunded to this customer today; 1,500.00 more is within one refund's agent limit but not in sum.
        var over = await agentClient.PostAsJsonAsync(Actions(wallet), Refund(payments[2], 150_000));
        (await over.ShouldReturnAsync(HttpStatusCode.Forbidden)).ShouldContain("over_role_limit");
        (await app.BalanceAsync(wallet.Account.Id, "CNY")).ShouldBe(2_000_000 - 900_000 + 60_000);

        // A day later the customer's window has passed; the per-transaction sums never expire.
        app.Clock.Advance(TimeSpan.FromHours(25));
        (_, agentClient) = await app.StaffClientAsync(StaffRoles.Agent);
        (await (await agentClient.PostAsJsonAsync(Actions(wallet), Refund(payments[2], 40_000))).ReadAsAsync<WalletActionResponse>()).Status.ShouldBe(SupportActionStatuses.Completed);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ConcurrentSmallRefunds_ForOneCustomer_NeverBothPassWithoutApproval(string provider)
    {
        var app = await fixture.For(provider);
        for (var round = 0; round < 4; round++)
        {
            var wallet = await app.CreateCustomerWithWalletAsync("CNY", balance: 1_000_000);
            var a = (await app.Ledger().PayAsync(wallet.Account.Id, "Meituan", 100_000, "CNY", "a")).Transaction.Reference;
            var b = (await app.Ledger().PayAsync(wallet.Account.Id, "Meituan", 100_000, "CNY", "b")).Transaction.Reference;
            var (_, li) = await app.StaffClientAsync(StaffRoles.Agent);
            var (_, chen) = await app.StaffClientAsync(StaffRoles.Agent);

            var responses = await Task.WhenAll(
                li.PostAsJsonAsync(Actions(wallet), Refund(a, 30_000)),
                chen.PostAsJsonAsync(Actions(wallet), Refund(b, 30_000)));

            var results = new List<WalletActionResponse>();
            foreach (var response in responses)
            {
                results.Add(await response.ReadAsAsync<WalletActionResponse>(response.StatusCode == HttpStatusCode.Accepted ? HttpStatusCode.Accepted : HttpStatusCode.OK));
            }

            results.Count(r => r.Status == SupportActionStatuses.Completed).ShouldBe(1, $"round {round}: 600.00 in sum needs a second person");
            results.Count(r => r.Status == SupportActionStatuses.PendingApproval).ShouldBe(1);
            (await app.BalanceAsync(wallet.Account.Id, "CNY")).ShouldBe(1_000_000 - 200_000 + 30_000);
        }
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task OneAgentsSmallRefundsAcrossCustomers_PastTheStaffWindowLimit_WaitForApproval_EvenAtOnce(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider, new Dictionary<string, string?>(WalletFixture.Settings)
        {
            ["Wallet:StaffWindowLimits:agent:CNY"] = "100000",
        });
        var (_, agent) = await app.StaffClientAsync(StaffRoles.Agent);
        var requests = new List<(TestWallet Wallet, string Reference)>();
        for (var i = 0; i < 4; i++)
        {
            var wallet = await app.CreateCustomerWithWalletAsync("CNY", balance: 200_000);
            requests.Add((wallet, (await app.Ledger().PayAsync(wallet.Account.Id, "Ctrip", 100_000, "CNY", "trip")).Transaction.Reference));
        }

        // 4 × 400.00 at once from one agent: under the approval threshold each, 1,600.00 in sum against a 1,000.00 window.
        var responses = await Task.WhenAll(requests.Select(r => agent.PostAsJsonAsync(Actions(r.Wallet), Refund(r.Reference, 40_000))));

        var statuses = new List<string>();
        foreach (var response in responses)
        {
            statuses.Add((await response.ReadAsAsync<WalletActionResponse>(response.StatusCode == HttpStatusCode.Accepted ? HttpStatusCode.Accepted : HttpStatusCode.OK)).Status);
        }

        statuses.Count(s => s == SupportActionStatuses.Completed).ShouldBe(2, string.Join(", ", statuses));
        statuses.Count(s => s == SupportActionStatuses.PendingApproval).ShouldBe(2, string.Join(", ", statuses));
    }
}
