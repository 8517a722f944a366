using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Infrastructure;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Tickets;

/// <summary>Every time a person sees is in their time zone and names the day when it is not today.</summary>
public sealed class ShowingTimesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 20, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-12-08T19:24:00Z", "Asia/Shanghai", false, "tomorrow 03:24")]
    [InlineData("2026-12-07T20:30:00Z", "Asia/Shanghai", false, "today 04:30")]
    [InlineData("2026-12-08T19:24:00Z", "Asia/Shanghai", true, "明天 03:24")]
    [InlineData("2026-12-07T20:30:00Z", "Europe/London", false, "today 20:30")]
    [InlineData("2026-12-07T01:00:00Z", "America/New_York", false, "yesterday 20:00")]
    [InlineData("2026-12-10T01:00:00Z", "Europe/London", false, "Thu 10 Dec 01:00")]
    [InlineData("2026-12-10T01:00:00Z", "Asia/Shanghai", true, "12月10日 09:00")]
    [InlineData("2027-01-05T01:00:00Z", "Europe/London", false, "5 Jan 2027 01:00")]
    public void Format_InTheViewersZone_NamesTheDay(string at, string zone, bool chinese, string expected) =>
        ViewerTime.Format(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture), TimeZoneInfo.FindSystemTimeZoneById(zone), Now, chinese).ShouldBe(expected);

    [Fact]
    public void For_UnknownOrMissingZoneCookie_FallsBackToTheOperatorsZone()
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.Cookie = $"{ViewerTime.ZoneCookie}=Mars%2FOlympus";
        ViewerTime.For(http, TimeProvider.System, chinese: false).ZoneLabel.ShouldBe(ViewerTime.DefaultZoneId);
        http.Request.Headers.Cookie = $"{ViewerTime.ZoneCookie}=Europe%2FLondon";
        ViewerTime.For(http, TimeProvider.System, chinese: false).ZoneLabel.ShouldBe("Europe/London");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TicketPage_SlaDueAndMessages_AreInTheAgentsZoneWithTheDay(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var customer = await app.CreateCustomerAsync();
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var console = await app.SignInAsync(agent);
        var created = await (await customer.Client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest("Fees", "what are the fees", "fees_limits", "en", null, null)))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);
        // The test clock reads 2026-11-23 09:00 UTC: 17:00 in Shanghai, 04:00 in New York.
        var page = new HttpRequestMessage(HttpMethod.Get, $"/console/tickets/{created.TicketId}");
        page.Headers.Add("Cookie", $"{ViewerTime.ZoneCookie}=America%2FNew_York");

        var html = await (await console.SendAsync(page)).ShouldReturnAsync(HttpStatusCode.OK);

        html.ShouldContain("Times in America/New_York");
        html.ShouldContain("SLA due today 04:02", customMessage: "in-app first response: 2 minutes, shown in New York time");
        html.ShouldNotContain("UTC");
    }
}
