using System.Net;
using System.Net.Http.Json;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Wallet;

/// <summary>A wallet support action made for a ticket is part of that ticket's history (agents) and, when money came back, of the customer's timeline.</summary>
public sealed class RefundingForATicketTests(WalletFixture fixture) : IClassFixture<WalletFixture>
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RefundForATicket_AppearsInTheTicketsHistoryAndTheCustomersTimeline(string provider)
    {
        var app = await fixture.For(provider);
        var wallet = await app.CreateCustomerWithWalletAsync("CNY", balance: 100_000);
        var payment = (await app.Ledger().PayAsync(wallet.Account.Id, "Meituan", 30_000, "CNY", "pay")).Transaction;
        var (_, agent) = await app.StaffClientAsync(StaffRoles.Agent);
        var ticket = await (await agent.PostAsJsonAsync("/api/tickets", new CreateStaffTicketRequest(wallet.Customer.Id, "phone", "Charged for a cancelled order", "The order was cancelled", "refund", "en", [payment.Reference])))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);

        var action = await (await agent.PostAsJsonAsync($"/api/wallet/customers/{wallet.Customer.Id}/actions",
            new CreateWalletActionRequest(WalletActionKinds.Refund, WalletTestSupport.NewKey(), payment.Reference, 10_000, "Merchant confirmed the order was cancelled", ticket.TicketId)))
            .ReadAsAsync<WalletActionResponse>();
        action.Status.ShouldBe(SupportActionStatuses.Completed);
        action.TicketId.ShouldBe(ticket.TicketId);

        var detail = await (await agent.GetAsync($"/api/tickets/{ticket.TicketId}")).ReadAsAsync<TicketDetailResponse>();
        var history = detail.Events.Where(e => e.Kind == "wallet_action").ToList();
        history.Select(e => (e.From, e.To)).ShouldBe([(WalletActionKinds.Refund, "requested"), (WalletActionKinds.Refund, SupportActionStatuses.Completed)]);
        history[^1].Note!.ShouldContain("refund of 100.00 CNY");

        var customer = app.CustomerClient(wallet.Customer.ExternalId);
        var mine = await (await customer.GetAsync($"/api/me/tickets/{ticket.TicketId}")).ReadAsAsync<CustomerTicketResponse>();
        mine.Timeline.ShouldContain(s => s.Text.Contains("refund", StringComparison.OrdinalIgnoreCase));
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RefundForAnotherCustomersTicket_IsRefused_AndNothingMoves(string provider)
    {
        var app = await fixture.For(provider);
        var wallet = await app.CreateCustomerWithWalletAsync("CNY", balance: 100_000);
        var other = await app.CreateCustomerWithWalletAsync("CNY", balance: 100_000);
        var payment = (await app.Ledger().PayAsync(wallet.Account.Id, "Meituan", 30_000, "CNY", "pay")).Transaction;
        var (_, agent) = await app.StaffClientAsync(StaffRoles.Agent);
        var othersTicket = await (await agent.PostAsJsonAsync("/api/tickets", new CreateStaffTicketRequest(other.Customer.Id, "phone", "Something", "else", "other", "en", null)))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);

        var refused = await agent.PostAsJsonAsync($"/api/wallet/customers/{wallet.Customer.Id}/actions",
            new CreateWalletActionRequest(WalletActionKinds.Refund, WalletTestSupport.NewKey(), payment.Reference, 10_000, "Merchant confirmed", othersTicket.TicketId));

        (await refused.ShouldReturnAsync(HttpStatusCode.BadRequest)).ShouldContain("ticketId");
        (await app.BalanceAsync(wallet.Account.Id, "CNY")).ShouldBe(70_000);
    }
}
