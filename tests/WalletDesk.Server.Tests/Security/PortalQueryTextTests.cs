using System.Net;
using WalletDesk.Server.Components;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Security;

/// <summary>Issue 15, item 9: portal pages show only texts we wrote, picked by a code; a query string cannot put words on our origin.</summary>
public sealed class PortalQueryTextTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    public static TheoryData<string> SpoofedTexts => new()
    {
        "Your account is frozen. Call +1 555 0100 to unfreeze it",
        "<b>Security alert</b>: send your code to support@evil.example",
        "您的账户已被冻结，请拨打 400-000-0000",
        "expired ",
        "EXPIRED",
        "invalid%0aCall us",
    };

    [Theory, MemberData(nameof(SpoofedTexts))]
    public async Task SignedOutPage_ArbitraryReason_ShowsNothingOfIt(string text)
    {
        var app = await fixture.For(Providers.Sqlite);

        var body = await (await app.CreateBrowserClient().GetAsync("/portal/signed-out?reason=" + Uri.EscapeDataString(text))).ShouldReturnAsync(HttpStatusCode.OK);

        var page = HttpHelpers.Html(body);
        page.QuerySelector("[data-testid=signed-out-reason]").ShouldBeNull();
        page.Body!.TextContent.ShouldNotContain(text.Trim(), Case.Insensitive);
    }

    [Theory]
    [InlineData(PortalNotices.SignedOut.Expired, "en", "Your support session has expired.")]
    [InlineData(PortalNotices.SignedOut.Invalid, "zh", "无法确认来自钱包App的登录。")]
    [InlineData(PortalNotices.SignedOut.Missing, "en", "The link you followed did not carry a sign-in.")]
    public async Task SignedOutPage_KnownCode_ShowsOurTextInTheVisitorsLanguage(string code, string lang, string expected)
    {
        var app = await fixture.For(Providers.Sqlite);

        var body = await (await app.CreateBrowserClient().GetAsync($"/portal/signed-out?reason={code}&lang={lang}")).ShouldReturnAsync(HttpStatusCode.OK);

        HttpHelpers.Html(body).QuerySelector("[data-testid=signed-out-reason]")!.TextContent.ShouldBe(expected);
    }

    [Fact]
    public async Task PortalSession_BadOrExpiredToken_RedirectsWithACodeOnly()
    {
        var app = await fixture.For(Providers.Sqlite);
        var validator = app.Services.GetRequiredService<CustomerTokenValidator>();
        var expired = validator.MintForDemo("cust_exp", null, TimeSpan.FromMinutes(5));
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        var client = app.CreateBrowserClient();

        (await client.GetAsync("/portal/session?token=eyJhbGciOiJub25lIn0.e30.")).Headers.Location!.OriginalString.ShouldBe("/portal/signed-out?reason=invalid");
        (await client.GetAsync("/portal/session?token=" + expired)).Headers.Location!.OriginalString.ShouldBe("/portal/signed-out?reason=expired");
        (await client.GetAsync("/portal/session")).Headers.Location!.OriginalString.ShouldBe("/portal/signed-out?reason=missing");
    }

    [Theory, MemberData(nameof(SpoofedTexts))]
    public async Task PortalTicketPage_ArbitraryUploadError_ShowsNothingOfIt(string text)
    {
        var app = await fixture.For(Providers.Sqlite);
        var (client, ticketUrl) = await PortalTicketAsync(app);

        var body = await (await client.GetAsync(ticketUrl + "?uploadError=" + Uri.EscapeDataString(text))).ShouldReturnAsync(HttpStatusCode.OK);

        var page = HttpHelpers.Html(body);
        page.QuerySelector("[role=alert]").ShouldBeNull();
        page.Body!.TextContent.ShouldNotContain(text.Trim(), Case.Insensitive);
    }

    [Fact]
    public async Task PortalUpload_RefusedFile_RedirectsWithACode_AndThePageShowsOurText()
    {
        var app = await fixture.For(Providers.Sqlite);
        var (client, ticketUrl) = await PortalTicketAsync(app);
        var form = HttpHelpers.Html(await (await client.GetAsync(ticketUrl)).ShouldReturnAsync(HttpStatusCode.OK));
        var antiforgery = form.QuerySelector("form[enctype='multipart/form-data'] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var content = new MultipartFormDataContent
        {
            { new StringContent(antiforgery), "__RequestVerificationToken" },
            { new ByteArrayContent("MZ\u0090\0not really a program"u8.ToArray()), "file", "setup.exe" },
        };

        var refused = await client.PostAsync(ticketUrl + "/attachments", content);

        refused.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        refused.Headers.Location!.OriginalString.ShouldEndWith("?uploadError=" + PortalNotices.Upload.Type);
        var page = HttpHelpers.Html(await (await client.GetAsync(refused.Headers.Location.OriginalString)).ShouldReturnAsync(HttpStatusCode.OK));
        page.QuerySelector("[role=alert]")!.TextContent.ShouldBe(PortalNotices.UploadText(PortalNotices.Upload.Type, zh: false));
    }

    private static async Task<(HttpClient Client, string TicketUrl)> PortalTicketAsync(WalletDeskFactory app)
    {
        var customer = await app.CreateCustomerAsync("Portal Customer");
        var token = app.Services.GetRequiredService<CustomerTokenValidator>().MintForDemo(customer.ExternalId, null, TimeSpan.FromMinutes(10));
        var client = app.CreateBrowserClient();
        (await client.GetAsync($"/portal/session?token={token}")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var created = await client.SubmitFormAsync("/portal/new", "new-request", new()
        {
            ["Category"] = "transfer_delayed",
            ["Subject"] = "Transfer missing",
            ["Body"] = "My transfer has not arrived.",
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return (client, created.LocationPath());
    }
}
