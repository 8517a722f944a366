using System.Net;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Tickets;

public sealed class CustomerPortalTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task WalletAppOpensPortal_CustomerFilesRequest_SeesTimelineAndResponseTime_AndReplies(string provider)
    {
        var app = await fixture.For(provider);
        var (client, customer) = await PortalAsync(app, "zh-CN");

        var created = await client.SubmitFormAsync("/portal/new", "new-request", new()
        {
            ["Category"] = "transfer_delayed",
            ["Subject"] = "转账还没到",
            ["Body"] = "卡号 6222 0212 3456 7894 这笔转账还没到账",
            ["Reference"] = "TX-8F3K2Q",
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var ticketUrl = created.LocationPath();
        ticketUrl.ShouldStartWith("/portal/tickets/");

        var page = HttpHelpers.Html(await (await client.GetAsync(ticketUrl)).ShouldReturnAsync(HttpStatusCode.OK));
        page.QuerySelector("[data-testid=status]")!.TextContent.ShouldBe("已收到，等待客服处理");
        page.QuerySelector("[data-testid=response-time]")!.TextContent.ShouldContain("8 个工作小时");
        page.QuerySelector("[data-testid=timeline]")!.TextContent.ShouldContain("我们已收到您的请求");
        page.QuerySelector("[role=status]")!.TextContent.ShouldContain("删除了银行卡信息");
        page.Body!.TextContent.ShouldNotContain("6222 0212 3456 7894");

        var replied = await client.SubmitFormAsync(ticketUrl, "portal-reply", new() { ["ReplyBody"] = "还有，我的验证码是 482913" });
        var after = await replied.ShouldReturnAsync(HttpStatusCode.OK);
        after.ShouldNotContain("482913");
        var id = long.Parse(ticketUrl.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
        (await app.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.TicketId == id))).ShouldBe(2);
        (await app.WithDbAsync(db => db.Tickets.SingleAsync(t => t.Id == id))).CustomerId.ShouldBe(customer.Id);
    }

    [Fact]
    public async Task Portal_CustomerAddsAnAttachment_AndAForgedUploadIsRefused()
    {
        var app = await fixture.For(Providers.Sqlite);
        var (client, customer) = await PortalAsync(app);
        var written = await (await customer.Client.PostAsync("/api/me/tickets", System.Net.Http.Json.JsonContent.Create(new CreateCustomerTicketRequest("Screenshot", "see attached", "other", null, null, null))))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);
        var page = HttpHelpers.Html(await (await client.GetAsync($"/portal/tickets/{written.TicketId}")).ShouldReturnAsync(HttpStatusCode.OK));
        var form = page.QuerySelector("form[enctype='multipart/form-data']")!;
        var token = form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        using var upload = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(WalletDesk.Server.Tests.Attachments.SampleFiles.Png()), "file", "screen.png" },
        };
        var response = await client.PostAsync(form.GetAttribute("action"), upload);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.LocationPath().ShouldContain("uploaded=1");
        var after = HttpHelpers.Html(await (await client.GetAsync(response.LocationPath())).ShouldReturnAsync(HttpStatusCode.OK));
        after.QuerySelector("[data-testid=attachments]")!.TextContent.ShouldContain("screen.png");

        using var forged = new MultipartFormDataContent { { new ByteArrayContent(WalletDesk.Server.Tests.Attachments.SampleFiles.Png()), "file", "x.png" } };
        (await client.PostAsync(form.GetAttribute("action"), forged)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Portal_AnotherCustomersTicket_IsNotFound()
    {
        var app = await fixture.For(Providers.Sqlite);
        var alice = await app.CreateCustomerAsync("Alice");
        var written = await (await alice.Client.PostAsync("/api/me/tickets", System.Net.Http.Json.JsonContent.Create(new CreateCustomerTicketRequest("Alice's", "private", "other", null, null, null))))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);
        var (bob, _) = await PortalAsync(app);

        var response = await bob.GetAsync($"/portal/tickets/{written.TicketId}");

        (await response.ShouldReturnAsync(HttpStatusCode.NotFound)).ShouldNotContain("Alice's");
    }

    [Fact]
    public async Task Portal_WithoutSession_SendsToTheWalletApp_AndBadTokensAreRefused()
    {
        var app = await fixture.For(Providers.Sqlite);
        var client = app.CreateBrowserClient();

        var anonymous = await client.GetAsync("/portal");
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        anonymous.LocationPath().ShouldStartWith("/portal/signed-out");

        var forged = await client.GetAsync("/portal/session?token=eyJhbGciOiJub25lIn0.e30.");
        forged.LocationPath().ShouldStartWith("/portal/signed-out");
        (await client.GetAsync("/portal")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task StaffConsoleCookie_DoesNotOpenThePortal()
    {
        var app = await fixture.For(Providers.Sqlite);
        var console = await app.SignInAsync(await app.CreateStaffAsync(StaffRoles.Agent));

        var response = await console.GetAsync("/portal");

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.LocationPath().ShouldStartWith("/portal/signed-out");
    }

    [Fact]
    public async Task Portal_NextParameter_OnlyGoesToPortalPages()
    {
        var app = await fixture.For(Providers.Sqlite);
        var token = app.Services.GetRequiredService<CustomerTokenValidator>().MintForDemo("cust_next", "N", TimeSpan.FromMinutes(10));
        var client = app.CreateBrowserClient();

        var response = await client.GetAsync($"/portal/session?token={token}&next=https://evil.example/");

        response.LocationPath().ShouldBe("/portal");
    }

    private static async Task<(HttpClient Client, TestCustomer Customer)> PortalAsync(WalletDeskFactory app, string locale = "en")
    {
        var customer = await app.CreateCustomerAsync("Portal Customer", locale);
        var token = app.Services.GetRequiredService<CustomerTokenValidator>().MintForDemo(customer.ExternalId, null, TimeSpan.FromMinutes(10));
        var client = app.CreateBrowserClient();
        var session = await client.GetAsync($"/portal/session?token={token}");
        session.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        session.LocationPath().ShouldBe("/portal");
        return (client, customer);
    }
}
