using System.Net;
using WalletDesk.Server.Tests.Infrastructure;
using WalletDesk.Server.Tests.Wallet;

namespace WalletDesk.Server.Tests.Assistant;

/// <summary>The console page: agents see and correct recent predictions; supervisors also see models, figures and training forms.</summary>
public sealed class AssistantConsoleTests(AssistantFixture fixture) : IClassFixture<AssistantFixture>
{
    [Fact]
    public async Task AgentCorrectsAnIntentOnThePage_SupervisorSeesModelsAndFigures()
    {
        var app = await fixture.For(Providers.Sqlite);
        var me = await app.CreateCustomerWithWalletAsync();
        var chat = app.Chat(me);
        await chat.SayAsync("blue potato orbit");

        var agent = await app.SignInAsync(await app.CreateStaffAsync("agent"));
        var page = await (await agent.GetAsync("/console/assistant")).ShouldReturnAsync(HttpStatusCode.OK);
        var html = HttpHelpers.Html(page);
        html.QuerySelector("[data-testid=assistant-turns]")!.TextContent.ShouldContain("blue potato orbit");
        html.QuerySelector("[data-testid=assistant-models]").ShouldBeNull("models are for supervisors");
        html.QuerySelector("[data-testid=assistant-metrics]").ShouldBeNull();

        var saved = await agent.SubmitFormAsync("/console/assistant", "correct", new() { [$"Fix.{chat.Id}.1"] = "greeting" }, "FixTurn", $"{chat.Id}.1");
        var after = HttpHelpers.Html(await saved.ShouldReturnAsync(HttpStatusCode.OK));
        after.QuerySelector("[data-testid=assistant-message]")!.TextContent.ShouldContain("is greeting");
        (await app.TurnsAsync(chat)).Single().CorrectedIntent.ShouldBe("greeting");

        var supervisor = await app.SignInAsync(await app.CreateStaffAsync("supervisor", withTotp: true));
        var view = HttpHelpers.Html(await (await supervisor.GetAsync("/console/assistant")).ShouldReturnAsync(HttpStatusCode.OK));
        view.QuerySelector("[data-testid=assistant-models]")!.TextContent.ShouldContain("(active)");
        view.QuerySelector("[data-testid=assistant-metrics]")!.TextContent.ShouldContain("containment");
        view.QuerySelector("[data-testid=assistant-active-model]")!.TextContent.ShouldStartWith("wallet-");
    }
}
