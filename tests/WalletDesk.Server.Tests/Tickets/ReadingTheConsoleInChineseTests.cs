using System.Net;
using System.Net.Http.Json;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Tickets;

/// <summary>Codes (pending_customer, topup_failed, FirstResponse: running) reach the agent as words in their language.</summary>
public sealed class ReadingTheConsoleInChineseTests
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TicketPage_StatusCategorySlaAndHistory_AreWordsInTheViewersLanguage(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var customer = await app.CreateCustomerAsync();
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var console = await (await app.SignInAsync(agent)).WithCsrfAsync();
        var created = await (await customer.Client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest("Top-up", "my top-up failed", "topup_failed", "en", null, null)))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);
        (await console.PostAsJsonAsync($"/api/tickets/{created.TicketId}/messages", new AddMessageRequest("Which card did you use?", null, Status: TicketStatuses.PendingCustomer))).EnsureSuccessStatusCode();

        var english = WebUtility.HtmlDecode(await (await console.GetAsync($"/console/tickets/{created.TicketId}?lang=en")).ShouldReturnAsync(HttpStatusCode.OK));
        var chinese = WebUtility.HtmlDecode(await (await console.GetAsync($"/console/tickets/{created.TicketId}?lang=zh-CN")).ShouldReturnAsync(HttpStatusCode.OK));

        english.ShouldContain(">Waiting on the customer<");
        english.ShouldContain("Top-up failed");
        english.ShouldContain("First response");
        english.ShouldContain("Resolution : <strong>paused</strong>");
        chinese.ShouldContain(">等待客户回复<");
        chinese.ShouldContain("充值失败");
        chinese.ShouldContain("首次响应");
        chinese.ShouldContain("<strong>已暂停</strong>");
        chinese.ShouldContain("更改了状态");
        foreach (var page in new[] { english, chinese })
        {
            page.ShouldNotContain(">pending_customer<");
            page.ShouldNotContain("FirstResponse");
            page.ShouldNotContain("status_changed");
            page.ShouldNotContain("· topup_failed ·");
        }
    }
}
