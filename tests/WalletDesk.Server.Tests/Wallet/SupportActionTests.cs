using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Features.Wallet.Ledger;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Wallet;

/// <summary>Refunds, locks and unlocks through the staff API: limits, maker-checker, step-up, idempotency, audit, timeline, outbox.</summary>
public sealed class SupportActionTests(WalletFixture fixture) : IClassFixture<WalletFixture>
{
    private static CreateWalletActionRequest Refund(string reference, long? amount = null, string? key = null) =>
        new(WalletActionKinds.Refund, key ?? WalletTestSupport.NewKey(), reference, amount, "Merchant confirmed the order was cancelled");

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Refund_DoubleClickAndConcurrentRetries_HaveExactlyOneEffect(string provider)
    {
        var app = await fixture.For(provider);
        var wallet = await app.CreateCustomerWithWalletAsync("CNY", balance: 100_000);
        var payment = (await app.Ledger().PayAsync(wallet.Account.Id, "Meituan", 30_000, "CNY", "pay")).Transaction;
        var (_, agent) = await app.StaffClientAsync(StaffRoles.Agent);
        var request = Refund(payment.Reference, 10_000);

        var first = await (await agent.PostAsJsonAsync($"/api/wallet/customers/{wallet.Customer.Id}/actions", request)).ReadAsAsync<WalletActionResponse>();
        var again = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => agent.PostAsJsonAsync($"/api/wallet/customers/{wallet.Customer.Id}/actions", request)));

        first.Status.ShouldBe(SupportActionStatuses.Completed);
        foreach (var response in again)
        {
            (await response.ReadAsAsync<WalletActionResponse>()).Id.ShouldBe(first.Id);
        }

        (await app.BalanceAsync(wallet.Account.Id, "CNY")).ShouldBe(100_000 - 30_000 + 10_000);
        var refunds = await app.Db(db => db.WalletTransactions.CountAsync(t => t.OriginalTransactionId == payment.Id));
        refunds.ShouldBe(1);

        // The same key for a different request is refused, not silently replayed.
        var reused = await agent.PostAsJsonAsync($"/api/wallet/customers/{wallet.Customer.Id}/actions", request with { AmountMinor = 5_000 });
        (await reused.ShouldReturnAsync(HttpStatusCode.Conflict)).ShouldContain("idempotency_key_reused");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Refund_TwoAgentsAtOnce_RefundOnceAndNeverAboveTheOriginal(string provider)
    {
        var app = await fixture.For(provider);
        var wallet = await app.CreateCustomerWithWalletAsync("CNY", balance: 100_000);
        var payment = (await app.Ledger().PayAsync(wallet.Account.Id, "JD.com", 40_000, "CNY", "pay")).Transaction;
        var (_, li) = await app.StaffClientAsync(StaffRoles.Agent);
        var (_, chen) = await app.StaffClientAsync(StaffRoles.Agent);

        var responses = await Task.WhenAll(
            li.PostAsJsonAsync($"/api/wallet/customers/{wallet.Customer.Id}/actions", Refund(payment.Reference)),
            chen.PostAsJsonAsync($"/api/wallet/customers/{wallet.Customer.Id}/actions", Refund(payment.Reference)));

        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBeGreaterThanOrEqualTo(1, string.Join("\n", bodies));
        (await app.BalanceAsync(wallet.Account.Id, "CNY")).ShouldBe(100_000, "exactly one full refund");
        var original = await app.Db(db => db.WalletTransactions.SingleAsync(t => t.Id == payment.Id));
        original.RefundedAmount.ShouldBe(40_000);
        original.Status.ShouldBe(TransactionStatuses.Refunded);

        // Asking for more than is left is a validation error on the amount.
        var more = await li.PostAsJsonAsync($"/api/wallet/customers/{wallet.Customer.Id}/actions", Refund(payment.Reference, 1));
        (await more.ShouldReturnAsync(HttpStatusCode.BadRequest)).ShouldContain("transaction");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RefundAboveThreshold_NeedsASecondPerson_AndTheMakerCannotApprove(string provider)
    {
        var app = await fixture.For(provider);
        var wallet = await app.CreateCustomerWithWalletAsync("CNY", balance: 2_000_000);
        var payment = (await app.Ledger().PayAsync(wallet.Account.Id, "Apple Store", 200_000, "CNY", "pay")).Transaction;
        var (maker, makerClient) = await app.StaffClientAsync(StaffRoles.Supervisor);
        var (_, checkerClient) = await app.StaffClientAsync(StaffRoles.Supervisor);

        var requested = await (await makerClient.PostAsJsonAsync($"/api/wallet/customers/{wallet.Customer.Id}/actions", Refund(payment.Reference, 60_000)))
            .ReadAsAsync<WalletActionResponse>(HttpStatusCode.Accepted);
        requested.Status.ShouldBe(SupportActionStatuses.PendingApproval);
        (await app.BalanceAsync(wallet.Account.Id, "CNY")).ShouldBe(1_800_000, "nothing moves before approval");

        var self = await makerClient.PostAsync($"/api/wallet/approvals/{requested.Id}/approve", null);
        (await self.ShouldReturnAsync(HttpStatusCode.Forbidden)).ShouldContain("self_approval");

        var pending = await (await checkerClient.GetAsync("/api/wallet/approvals")).ReadAsAsync<List<WalletActionResponse>>();
        pending.ShouldContain(a => a.Id == requested.Id);

        var approved = await (await checkerClient.PostAsync($"/api/wallet/approvals/{requested.Id}/approve", null)).ReadAsAsync<WalletActionResponse>();
        approved.Status.ShouldBe(SupportActionStatuses.Completed);
        approved.ApprovedBy.ShouldNotBe(maker.UserName);
        (await app.BalanceAsync(wallet.Account.Id, "CNY")).ShouldBe(1_860_000);

        var second = await checkerClient.PostAsync($"/api/wallet/approvals/{requested.Id}/approve", null);
        await second.ShouldReturnAsync(HttpStatusCode.Conflict);

        var audit = await app.Db(db => db.AuditEntries.Where(e => e.ObjectId == requested.Id.ToString()).Select(e => e.Action + ":" + e.Outcome).ToListAsync());
        audit.ShouldContain("wallet.action.refund.requested:success");
        audit.ShouldContain("wallet.action.approve:denied");
        audit.ShouldContain("wallet.action.approved:success");
        audit.ShouldContain("wallet.action.refund:success");

        var timeline = await app.Db(db => db.CustomerTimeline.Where(e => e.CustomerId == wallet.Customer.Id).Select(e => e.Kind).ToListAsync());
        timeline.ShouldContain("wallet.action.requested");
        timeline.ShouldContain("wallet.action.refund");
        var notices = await app.Db(db => db.CustomerNotifications.Where(n => n.CustomerId == wallet.Customer.Id).ToListAsync());
        notices.ShouldHaveSingleItem().Body.ShouldContain("600.00 CNY");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RoleLimits_AndPermissions_AreEnforcedPerRole(string provider)
    {
        var app = await fixture.For(provider);
        var wallet = await app.CreateCustomerWithWalletAsync("CNY", balance: 5_000_000);
        var big = (await app.Ledger().PayAsync(wallet.Account.Id, "Hema Fresh", 300_000, "CNY", "pay-big")).Transaction;
        var (_, agent) = await app.StaffClientAsync(StaffRoles.Agent);

        var overLimit = await agent.PostAsJsonAsync($"/api/wallet/customers/{wallet.Customer.Id}/actions", Refund(big.Reference));
        (await overLimit.ShouldReturnAsync(HttpStatusCode.Forbidden)).ShouldContain("over_role_limit");

        var reversal = await agent.PostAsJsonAsync($"/api/wallet/customers/{wallet.Customer.Id}/actions", new CreateWalletActionRequest(WalletActionKinds.Reversal, WalletTestSupport.NewKey(), big.Reference, null, "duplicate charge"));
        (await reversal.ShouldReturnAsync(HttpStatusCode.Forbidden)).ShouldContain("not_permitted");

        var invalid = await agent.PostAsJsonAsync($"/api/wallet/customers/{wallet.Customer.Id}/actions", new CreateWalletActionRequest("refund_everything", "short", null, -5, ""));
        (await invalid.ShouldReturnAsync(HttpStatusCode.BadRequest)).ShouldContain("kind");

        (await app.BalanceAsync(wallet.Account.Id, "CNY")).ShouldBe(4_700_000);
        var denied = await app.Db(db => db.AuditEntries.CountAsync(e => e.ObjectId == wallet.Customer.Id.ToString() && e.Outcome == "denied"));
        denied.ShouldBe(2);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Unlock_RequiresAFreshInAppStepUp_ThenHoldsOutgoingMoney(string provider)
    {
        var app = await fixture.For(provider);
        var wallet = await app.CreateCustomerWithWalletAsync("CNY", balance: 100_000);
        var other = await app.CreateCustomerWithWalletAsync("CNY", balance: 0);
        var (_, agent) = await app.StaffClientAsync(StaffRoles.Agent);
        var actions = $"/api/wallet/customers/{wallet.Customer.Id}/actions";

        var locked = await (await agent.PostAsJsonAsync(actions, new CreateWalletActionRequest(WalletActionKinds.Lock, WalletTestSupport.NewKey(), null, null, "customer reports a stolen phone"))).ReadAsAsync<WalletActionResponse>();
        locked.Status.ShouldBe(SupportActionStatuses.Completed);
        (await app.Ledger().TransferAsync(wallet.Account.Id, other.Account.Id, 1_000, "CNY", "while-locked")).Transaction.ReasonCode.ShouldBe(ReasonCodes.AccountLocked);

        // Chat says "it's me, my birthday is ..." — not enough.
        var unlock = new CreateWalletActionRequest(WalletActionKinds.Unlock, WalletTestSupport.NewKey(), null, null, "customer says they found the phone");
        (await (await agent.PostAsJsonAsync(actions, unlock)).ShouldReturnAsync(HttpStatusCode.Forbidden)).ShouldContain("step_up_required");

        // A step-up that is too old does not count either.
        await PassStepUpAsync(app, agent, wallet);
        app.Clock.Advance(TimeSpan.FromMinutes(11));
        (await (await agent.PostAsJsonAsync(actions, unlock with { IdempotencyKey = WalletTestSupport.NewKey() })).ShouldReturnAsync(HttpStatusCode.Forbidden)).ShouldContain("step_up_required");

        await PassStepUpAsync(app, agent, wallet);
        var unlocked = await (await agent.PostAsJsonAsync(actions, unlock with { IdempotencyKey = WalletTestSupport.NewKey() })).ReadAsAsync<WalletActionResponse>();
        unlocked.Status.ShouldBe(SupportActionStatuses.Completed, unlocked.ResultCode);

        var account = await app.Db(db => db.WalletAccounts.SingleAsync(a => a.Id == wallet.Account.Id));
        account.LockedAt.ShouldBeNull();
        (account.OutboundHoldUntil!.Value - app.Clock.GetUtcNow().AddHours(24)).Duration().ShouldBeLessThan(TimeSpan.FromSeconds(1));

        // The used step-up cannot unlock a second time, even while it is still fresh.
        await agent.PostAsJsonAsync(actions, new CreateWalletActionRequest(WalletActionKinds.Lock, WalletTestSupport.NewKey(), null, null, "locked again"));
        (await (await agent.PostAsJsonAsync(actions, unlock with { IdempotencyKey = WalletTestSupport.NewKey() })).ShouldReturnAsync(HttpStatusCode.Forbidden)).ShouldContain("step_up_required");

        await app.Db(db => db.WalletAccounts.Where(a => a.Id == wallet.Account.Id).ExecuteUpdateAsync(u => u.SetProperty(a => a.LockedAt, (DateTimeOffset?)null)));

        // Cooling-off: money going out waits; it settles once the hold ends.
        var held = (await app.Ledger().TransferAsync(wallet.Account.Id, other.Account.Id, 2_000, "CNY", "after-unlock")).Transaction;
        held.Status.ShouldBe(TransactionStatuses.Pending);
        held.ReasonCode.ShouldBe(ReasonCodes.CoolingOffHold);
        app.Clock.Advance(TimeSpan.FromHours(25));
        (await app.Ledger().SettleAsync(held.Id)).ShouldBeTrue();
        (await app.BalanceAsync(other.Account.Id, "CNY")).ShouldBe(2_000);

        var notices = await app.Db(db => db.CustomerNotifications.Where(n => n.CustomerId == wallet.Customer.Id).Select(n => n.Kind).ToListAsync());
        notices.ShouldContain("wallet.unlock");
        notices.ShouldContain("wallet.lock");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task StepUpCode_NeverReachesStaff_AndWrongCodesAreLimited(string provider)
    {
        var app = await fixture.For(provider);
        var wallet = await app.CreateCustomerWithWalletAsync("CNY", balance: 0);
        var (_, agent) = await app.StaffClientAsync(StaffRoles.Agent);
        var customer = app.CustomerClient(wallet.Customer.ExternalId);

        var startBody = await (await agent.PostAsJsonAsync($"/api/wallet/customers/{wallet.Customer.Id}/step-up", new StartStepUpRequest("unlock"))).ShouldReturnAsync(HttpStatusCode.OK);
        var pushes = await (await customer.GetAsync("/api/me/wallet/device-pushes")).ReadAsAsync<List<string>>();
        var code = System.Text.RegularExpressions.Regex.Match(pushes[0], "[0-9]{6}").Value;
        startBody.ShouldNotContain(code);
        var challenge = System.Text.Json.JsonSerializer.Deserialize<StepUpResponse>(startBody, System.Text.Json.JsonSerializerOptions.Web)!;

        for (var i = 0; i < 5; i++)
        {
            var wrong = await customer.PostAsJsonAsync($"/api/me/wallet/step-up/{challenge.ChallengeId}", new CompleteStepUpRequest(code == "000000" ? "111111" : "000000"));
            await wrong.ShouldReturnAsync((HttpStatusCode)422);
        }

        var right = await customer.PostAsJsonAsync($"/api/me/wallet/step-up/{challenge.ChallengeId}", new CompleteStepUpRequest(code));
        await right.ShouldReturnAsync(HttpStatusCode.TooManyRequests);

        // Another customer cannot complete it, whatever id they send.
        var stranger = await app.CreateCustomerWithWalletAsync("CNY", balance: 0);
        var foreign = await app.CustomerClient(stranger.Customer.ExternalId).PostAsJsonAsync($"/api/me/wallet/step-up/{challenge.ChallengeId}", new CompleteStepUpRequest(code));
        await foreign.ShouldReturnAsync(HttpStatusCode.NotFound);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ReadingWalletData_IsAudited_AndExplained(string provider)
    {
        var app = await fixture.For(provider);
        var wallet = await app.CreateCustomerWithWalletAsync("CNY", balance: 50_000, locale: "zh");
        await app.Ledger().SetFundingBehaviourAsync(wallet.Card.Id, FundingBehaviours.Decline);
        var declined = (await app.Ledger().TopUpAsync(wallet.Account.Id, wallet.Card.Id, 10_000, "CNY", "declined")).Transaction;
        var (agentStaff, agent) = await app.StaffClientAsync(StaffRoles.Agent);

        var profile = await (await agent.GetAsync($"/api/wallet/customers/{wallet.Customer.Id}")).ReadAsAsync<WalletProfileResponse>();
        profile.MaskedPhone.ShouldNotBeNull().ShouldNotContain("0013");
        profile.FundingSources.ShouldAllBe(f => f.Last4.Length == 4);
        profile.Balances.ShouldHaveSingleItem().AvailableMinor.ShouldBe(50_000);

        var zh = await (await agent.GetAsync($"/api/wallet/customers/{wallet.Customer.Id}/transactions/{declined.Reference}")).ReadAsAsync<WalletTransactionResponse>();
        zh.Explanation.Summary.ShouldBe("您的银行拒绝了本次充值，账户未被扣款。");
        var en = await (await agent.GetAsync($"/api/wallet/customers/{wallet.Customer.Id}/transactions/{declined.Reference}?lang=en")).ReadAsAsync<WalletTransactionResponse>();
        en.Explanation.Summary.ShouldBe("Your bank declined the top-up. Nothing was taken from your account.");
        en.Explanation.NextStep.ShouldBe("Try another card or contact your bank.");

        var page = await (await agent.GetAsync($"/api/wallet/customers/{wallet.Customer.Id}/transactions?status=failed&limit=10")).ReadAsAsync<WalletTransactionPageResponse>();
        page.Items.ShouldHaveSingleItem().Reference.ShouldBe(declined.Reference);
        var bad = await agent.GetAsync($"/api/wallet/customers/{wallet.Customer.Id}/transactions?status=lost&limit=0");
        var problem = await bad.ShouldReturnAsync(HttpStatusCode.BadRequest);
        problem.ShouldContain("\"status\"");
        problem.ShouldContain("\"limit\"");

        var reads = await app.Db(db => db.AuditEntries.Where(e => e.ActorId == agentStaff.Id.ToString() && e.ObjectId == wallet.Customer.Id.ToString()).Select(e => e.Action).ToListAsync());
        reads.ShouldContain("wallet.profile.read");
        reads.ShouldContain("wallet.transaction.read");
        reads.ShouldContain("wallet.transactions.read");
    }

    private static async Task PassStepUpAsync(WalletDeskFactory app, HttpClient agent, TestWallet wallet)
    {
        var customer = app.CustomerClient(wallet.Customer.ExternalId);
        var challenge = await (await agent.PostAsJsonAsync($"/api/wallet/customers/{wallet.Customer.Id}/step-up", new StartStepUpRequest("unlock"))).ReadAsAsync<StepUpResponse>();
        var pushes = await (await customer.GetAsync("/api/me/wallet/device-pushes")).ReadAsAsync<List<string>>();
        var code = System.Text.RegularExpressions.Regex.Match(pushes[0], "[0-9]{6}").Value;
        var result = await (await customer.PostAsJsonAsync($"/api/me/wallet/step-up/{challenge.ChallengeId}", new CompleteStepUpRequest(code))).ReadAsAsync<StepUpResultResponse>();
        result.Outcome.ShouldBe("passed");
    }
}
