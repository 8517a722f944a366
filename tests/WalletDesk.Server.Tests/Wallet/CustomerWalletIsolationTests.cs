using System.Net;
using System.Text.Json.Nodes;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Wallet;

/// <summary>A customer sees their own wallet only, whatever ids they send; unknown and foreign ids look the same.</summary>
public sealed class CustomerWalletIsolationTests(WalletFixture fixture) : IClassFixture<WalletFixture>
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task CustomerA_CannotReadCustomerB_WhateverIdsTheySend(string provider)
    {
        var app = await fixture.For(provider);
        var a = await app.CreateCustomerWithWalletAsync("CNY", balance: 10_000);
        var b = await app.CreateCustomerWithWalletAsync("USD", balance: 20_000);
        var bPayment = (await app.Ledger().PayAsync(b.Account.Id, "Amazon", 1_234, "USD", "b-pay")).Transaction;
        var clientA = app.CustomerClient(a.Customer.ExternalId);

        var mine = await (await clientA.GetAsync("/api/me/wallet/transactions")).ReadAsAsync<WalletTransactionPageResponse>();
        mine.Items.ShouldAllBe(t => t.Currency == "CNY");
        mine.Items.ShouldNotBeEmpty();

        var unknown = await NormalisedAsync(await clientA.GetAsync($"/api/me/wallet/transactions/{Guid.NewGuid():N}"));
        foreach (var foreignId in new[] { bPayment.Id.ToString("N"), bPayment.Id.ToString(), bPayment.Reference, bPayment.Reference.ToLowerInvariant() })
        {
            var response = await clientA.GetAsync($"/api/me/wallet/transactions/{foreignId}");
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await NormalisedAsync(response)).ShouldBe(unknown, "a foreign id must look exactly like an unknown one");
        }

        // Ids in the query string or headers do not switch the customer.
        var spoofed = new HttpRequestMessage(HttpMethod.Get, $"/api/me/wallet/transactions?customerId={b.Customer.Id}&accountId={b.Account.Id:N}");
        spoofed.Headers.Add("X-Customer-Id", b.Customer.Id.ToString());
        var page = await (await clientA.SendAsync(spoofed)).ReadAsAsync<WalletTransactionPageResponse>();
        page.Items.ShouldNotContain(t => t.Reference == bPayment.Reference);

        // The customer token opens no staff wallet route.
        (await clientA.GetAsync($"/api/wallet/customers/{b.Customer.Id}")).StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized);
        (await clientA.GetAsync($"/api/wallet/customers/{a.Customer.Id}/transactions")).StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized);

        // B sees their own payment, with its explanation in their language.
        var own = await (await app.CustomerClient(b.Customer.ExternalId).GetAsync($"/api/me/wallet/transactions/{bPayment.Reference}?lang=zh")).ReadAsAsync<WalletTransactionResponse>();
        own.Explanation.Locale.ShouldBe("zh");
        own.Amount.ShouldBe("12.34 USD");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Staff_UnknownAndForeignIds_GiveIdenticalNotFound(string provider)
    {
        var app = await fixture.For(provider);
        var a = await app.CreateCustomerWithWalletAsync("CNY", balance: 10_000);
        var b = await app.CreateCustomerWithWalletAsync("CNY", balance: 10_000);
        var bTopUp = await app.Ledger().TopUpAsync(b.Account.Id, b.Card.Id, 500, "CNY", "b-top");
        var (_, agent) = await app.StaffClientAsync(StaffRoles.Agent);

        // B's transaction asked for under A's customer id is "not found", same as a made-up one.
        var foreign = await agent.GetAsync($"/api/wallet/customers/{a.Customer.Id}/transactions/{bTopUp.Transaction.Reference}");
        var madeUp = await agent.GetAsync($"/api/wallet/customers/{a.Customer.Id}/transactions/WT0000000000");
        foreign.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await NormalisedAsync(foreign)).ShouldBe(await NormalisedAsync(madeUp));

        var noCustomer = await agent.GetAsync($"/api/wallet/customers/{Guid.NewGuid()}");
        noCustomer.StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // Refunding B's transaction through A's customer id finds nothing either.
        var refund = await agent.PostAsync($"/api/wallet/customers/{a.Customer.Id}/actions",
            System.Net.Http.Json.JsonContent.Create(new CreateWalletActionRequest(WalletActionKinds.FlagDispute, WalletTestSupport.NewKey(), bTopUp.Transaction.Reference, null, "looks wrong")));
        refund.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await NormalisedAsync(refund)).ShouldBe(await NormalisedAsync(madeUp));
    }

    /// <summary>The problem body without the per-request trace id.</summary>
    private static async Task<string> NormalisedAsync(HttpResponseMessage response)
    {
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        json.Remove("traceId");
        return json.ToJsonString();
    }
}
