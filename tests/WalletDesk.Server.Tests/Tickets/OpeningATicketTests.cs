using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Tickets;

public sealed class OpeningATicketTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Customer_OpensTicket_CardDetailsNeverStored_AndIsToldGently(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreateCustomerAsync();

        var response = await customer.Client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest(
            "Top-up failed with card 4111 1111 1111 1111",
            "I tried twice with 4111-1111-1111-1111 cvv 123, the SMS code was 482913. Ref TX-8F3K2Q.",
            "topup_failed", "en", null, ["TX-8F3K2Q"]));

        var written = await response.ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);
        written.Notice.ShouldNotBeNull().ShouldContain("removed card details");
        var (ticket, message) = await app.WithDbAsync(async db => (await db.Tickets.SingleAsync(t => t.Id == written.TicketId), await db.TicketMessages.SingleAsync(m => m.Id == written.MessageId)));
        ticket.Subject.ShouldNotContain("4111 1111 1111 1111");
        ticket.Subject.ShouldContain("411111******1111");
        message.Body.Replace("-", "", StringComparison.Ordinal).ShouldNotContain("4111111111111111");
        message.Body.ShouldNotContain("123,");
        message.Body.ShouldNotContain("482913");
        message.Body.ShouldContain("TX-8F3K2Q", customMessage: "transaction references are not card data");
        message.Redactions.ShouldContain("pan");
        ticket.Priority.ShouldBe(TicketPriorities.High);
        ticket.Status.ShouldBe(TicketStatuses.New);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task DataDirectory_HoldsNoFullCardNumber_AfterIntake(string provider)
    {
        if (provider != Providers.Sqlite)
        {
            return; // The on-disk check is for the embedded database file.
        }

        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var customer = await app.CreateCustomerAsync();
        await customer.Client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest("card 5500 0055 5555 5559", "again 5500005555555559 and 5500.0055.5555.5559", "payment_failed", "en", null, null));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        foreach (var file in Directory.EnumerateFiles(app.DataDir, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            var text = System.Text.Encoding.UTF8.GetString(bytes).Replace(" ", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal);
            text.ShouldNotContain("5500005555555559", customMessage: file);
        }
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task PriorityRules_SecurityAndFraudAreUrgentInTheSecurityQueue_MoneyNotArrivedIsHigh(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreateCustomerAsync();

        async Task<Ticket> Open(string subject, string body, string category)
        {
            var written = await (await customer.Client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest(subject, body, category, null, null, null))).ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);
            return await app.WithDbAsync(db => db.Tickets.SingleAsync(t => t.Id == written.TicketId));
        }

        var security = await Open("Strange login", "Someone logged in from a new device", "security");
        security.Priority.ShouldBe(TicketPriorities.Urgent);
        security.Group.ShouldBe(TicketGroups.Security);

        var fraudInOther = await Open("有笔钱不是我花的", "我的账户被盗刷了 200 元", "other");
        fraudInOther.Priority.ShouldBe(TicketPriorities.Urgent);
        fraudInOther.Group.ShouldBe(TicketGroups.Security);

        var notArrived = await Open("Transfer", "My transfer to my sister hasn't arrived", "other");
        notArrived.Priority.ShouldBe(TicketPriorities.High);
        notArrived.Group.ShouldBe(TicketGroups.Payments);

        var fees = await Open("Fees", "How much is the FX fee?", "fees_limits");
        fees.Priority.ShouldBe(TicketPriorities.Low);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RetriedCreate_WithSameClientRequestId_MakesOneTicket(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreateCustomerAsync();
        var request = new CreateCustomerTicketRequest("Refund", "Where is my refund?", "refund", null, "req-" + Guid.NewGuid().ToString("N"), null);

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => customer.Client.PostAsJsonAsync("/api/me/tickets", request)));

        results.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created || r.StatusCode == HttpStatusCode.OK);
        var ids = await Task.WhenAll(results.Select(r => r.ReadAsAsync<TicketWriteResponse>(r.StatusCode)));
        ids.Select(w => w.TicketId).Distinct().ShouldHaveSingleItem();
        (await app.WithDbAsync(db => db.Tickets.CountAsync(t => t.CustomerId == customer.Id))).ShouldBe(1);
    }

    public static TheoryData<string, string, object> BadRequests => new()
    {
        { "subject", "missing subject", new { body = "hi", category = "refund" } },
        { "body", "missing body", new { subject = "hi", category = "refund" } },
        { "category", "unknown category", new { subject = "hi", body = "x", category = "crypto_moonshot" } },
        { "body", "body too long", new { subject = "hi", body = new string('x', 20_001), category = "refund" } },
        { "transactionReferences", "bad reference", new { subject = "hi", body = "x", category = "refund", transactionReferences = new[] { "<script>" } } },
    };

    [Theory, MemberData(nameof(BadRequests))]
    public async Task BadInput_Is400NamingTheField_AndWritesNothing(string field, string because, object body)
    {
        var app = await fixture.For(Providers.Sqlite);
        var customer = await app.CreateCustomerAsync();

        var response = await customer.Client.PostAsJsonAsync("/api/me/tickets", body);

        var problem = await response.ReadAsAsync<ValidationProblem>(HttpStatusCode.BadRequest);
        problem.Errors.Keys.ShouldContain(field, because);
        (await app.WithDbAsync(db => db.Tickets.CountAsync(t => t.CustomerId == customer.Id))).ShouldBe(0);
    }

    [Fact]
    public async Task Categories_AreOfferedInPlainLanguage_InBothLanguages()
    {
        var app = await fixture.For(Providers.Sqlite);
        var client = app.CreateBrowserClient();
        var en = await (await client.GetAsync("/api/ticket-categories")).ReadAsAsync<List<TicketCategoryResponse>>();
        var zh = await (await client.GetAsync("/api/ticket-categories?lang=zh")).ReadAsAsync<List<TicketCategoryResponse>>();
        en.Count.ShouldBeGreaterThanOrEqualTo(12);
        en.Single(c => c.Key == "transfer_delayed").CustomerLabel.ShouldBe("My transfer hasn't arrived");
        zh.Single(c => c.Key == "transfer_delayed").CustomerLabel.ShouldBe("我的转账还没到账");
    }

    [Fact]
    public async Task StaffCreatesTicketForCustomer_OnThePhone()
    {
        var app = await fixture.For(Providers.Sqlite);
        var customer = await app.CreateCustomerAsync();
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var console = await (await app.SignInAsync(agent)).WithCsrfAsync();

        var created = await (await console.PostAsJsonAsync("/api/tickets", new CreateStaffTicketRequest(customer.Id, "phone", "Caller says card blocked", "Customer called about a blocked card", "account_locked", "en", null)))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);

        var mine = await (await customer.Client.GetAsync($"/api/me/tickets/{created.TicketId}")).ReadAsAsync<CustomerTicketResponse>();
        mine.PublishedResponseTime.ShouldContain("Phone callback");
    }

    private sealed record ValidationProblem(string Title, Dictionary<string, string[]> Errors);
}
