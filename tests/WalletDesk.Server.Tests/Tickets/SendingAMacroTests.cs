using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Tickets;

/// <summary>A macro whose placeholder has no value ("I looked up : ") never reaches the customer; the agent is told what is missing.</summary>
public sealed class SendingAMacroTests
{
    private const int TransactionStatusMacro = 1;

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TransactionMacro_NoLinkedTransaction_RendersWithTheMissingPlaceholdersAndSendingItAsIsIsRefused(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var customer = await app.CreateCustomerAsync("Mei Lin");
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var console = await (await app.SignInAsync(agent)).WithCsrfAsync();
        var written = await (await customer.Client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest("Top-up", "my top-up did not arrive", "topup_failed", "en", null, null)))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);

        var rendered = await (await console.PostAsync($"/api/tickets/{written.TicketId}/macros/{TransactionStatusMacro}/render", null)).ReadAsAsync<RenderedMacroResponse>();

        rendered.Missing.ShouldBe(["transaction.reference", "transaction.explanation", "transaction.next_step"]);
        rendered.Body.ShouldContain("I looked up {{transaction.reference}}: {{transaction.explanation}}");
        rendered.Body.ShouldNotContain("I looked up : ");
        rendered.MissingMessage!.ShouldContain("no transaction is linked to this ticket");

        var refused = await console.PostAsJsonAsync($"/api/tickets/{written.TicketId}/messages", new AddMessageRequest(rendered.Body, null, Status: rendered.SetStatus));
        var problem = await refused.ShouldReturnAsync(HttpStatusCode.BadRequest);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        problem.ShouldContain("\"body\"");
        problem.ShouldContain("{{transaction.reference}}");
        (await app.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.TicketId == written.TicketId))).ShouldBe(1, "nothing was sent");

        var edited = rendered.Body.Replace("I looked up {{transaction.reference}}: {{transaction.explanation}}", "Could you tell me which top-up?", StringComparison.Ordinal)
            .Replace("{{transaction.next_step}}", "", StringComparison.Ordinal);
        (await console.PostAsJsonAsync($"/api/tickets/{written.TicketId}/messages", new AddMessageRequest(edited, null))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TransactionMacro_ConsoleInsert_TellsTheAgentWhatIsMissing_AndSendRefusesIt(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var customer = await app.CreateCustomerAsync("Mei Lin");
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var console = await app.SignInAsync(agent);
        var written = await (await customer.Client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest("Top-up", "my top-up did not arrive", "topup_failed", "en", null, null)))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);
        var page = $"/console/tickets/{written.TicketId}";

        var insertResponse = await console.SubmitFormAsync(page, "macro", new() { ["MacroId"] = TransactionStatusMacro.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        insertResponse.StatusCode.ShouldBe(HttpStatusCode.OK, string.Join("\n", app.Logs.Lines.Where(l => l.Contains("Exception", StringComparison.Ordinal))));
        var inserted = await insertResponse.Content.ReadAsStringAsync();
        inserted.ShouldContain("placeholders with no value");
        inserted.ShouldContain("{{transaction.reference}}");

        var sendResponse = await console.SubmitFormAsync(page, "reply", new() { ["ReplyBody"] = "Hi Mei Lin,\n\nI looked up {{transaction.reference}}: {{transaction.explanation}}" });
        sendResponse.StatusCode.ShouldBe(HttpStatusCode.OK, string.Join("\n", app.Logs.Lines.Where(l => l.Contains("Exception", StringComparison.Ordinal))));
        var sent = await sendResponse.Content.ReadAsStringAsync();
        sent.ShouldContain("placeholders with no value");
        (await app.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.TicketId == written.TicketId))).ShouldBe(1, "nothing was sent");
    }
}
