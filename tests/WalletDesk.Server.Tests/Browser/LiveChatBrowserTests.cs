using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace WalletDesk.Server.Tests.Browser;

/// <summary>
/// Live chat in real browsers: a wallet customer in the widget embedded on an operator's site (another origin) and an
/// agent in the console, each in their own browser context, over the real hub and database.
/// </summary>
public sealed class LiveChatBrowserTests
{
    static LiveChatBrowserTests() => SetDefaultExpectTimeout(20_000);

    [Fact]
    public async Task Customer_In_Widget_And_Agent_In_Console_Talk_Both_Ways_With_Typing_And_Read_Marks()
    {
        await using var scene = await Scene.OpenAsync();
        if (scene is null)
        {
            return;
        }

        try
        {
            var (customer, frame, agent) = (scene.Customer, scene.Frame, scene.Agent);

            // The host page cannot read the conversation: the iframe is on the WalletDesk origin.
            (await customer.EvaluateAsync<bool>("() => document.querySelector('iframe.walletdesk-frame').contentDocument === null")).ShouldBeTrue();

            // Typing both ways.
            await frame.Locator("textarea[name=message]").PressSequentiallyAsync("It was 500 CNY", new() { Delay = 40 });
            await Expect(agent.Locator("[data-typing]")).ToHaveTextAsync("Customer is typing…");
            await frame.Locator("textarea[name=message]").PressAsync("Enter");
            await Expect(agent.Locator(".chat-messages li.author-customer", new() { HasText = "It was 500 CNY" })).ToHaveCountAsync(1);

            await agent.Locator("[data-text]").PressSequentiallyAsync("Let me look that up for you.", new() { Delay = 20 });
            await Expect(frame.Locator(".typing")).ToHaveTextAsync($"{scene.AgentName} is typing…");
            await agent.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
            var reply = frame.Locator(".bubble.from-agent", new() { HasText = "Let me look that up for you." });
            await Expect(reply).ToHaveCountAsync(1);
            (await reply.Locator(".byline").InnerTextAsync()).ShouldContain(scene.AgentName);
            await Expect(frame.Locator(".typing")).ToHaveTextAsync("");

            // Delivered and read marks: the agent has the chat open, the customer has the widget open.
            await Expect(frame.Locator(".bubble.from-customer .mark").Last).ToHaveTextAsync("Read");
            await Expect(agent.Locator(".chat-messages li.author-agent .mark").Last).ToContainTextAsync("read");

            // An internal note stays with staff.
            await agent.Locator("[data-note]").CheckAsync();
            await agent.Locator("[data-text]").FillAsync("Checking the settlement batch");
            await agent.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
            await Expect(agent.Locator(".chat-messages li.internal", new() { HasText = "Checking the settlement batch" })).ToHaveCountAsync(1);
            await agent.Locator("[data-note]").UncheckAsync();
            await agent.Locator("[data-text]").FillAsync("It is in today's settlement batch.");
            await agent.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
            await Expect(frame.Locator(".bubble.from-agent", new() { HasText = "settlement batch." })).ToHaveCountAsync(1);
            await Expect(frame.Locator(".bubble", new() { HasText = "Checking the settlement batch" })).ToHaveCountAsync(0);

            // The customer's wallet beside the conversation (the ticket page's panel), and a macro into the reply.
            await Expect(agent.Locator("[data-panel] .customer-panel")).ToBeVisibleAsync();
            await Expect(agent.Locator("[data-panel] .customer-panel h2")).ToHaveTextAsync("Li Wei");
            await agent.Locator("[data-macro]").SelectOptionAsync(new SelectOptionValue { Label = "Ask for the transaction reference" });
            await agent.GetByRole(AriaRole.Button, new() { Name = "Insert" }).ClickAsync();
            await Expect(agent.Locator("[data-text]")).ToHaveValueAsync(new Regex("Li Wei"));
            (await agent.Locator("[data-text]").InputValueAsync()).ShouldNotContain("{{");

            await agent.ScreenshotAsync(new() { Path = scene.Screenshot("chat-console.png") });
            await customer.ScreenshotAsync(new() { Path = scene.Screenshot("chat-widget.png") });
            scene.AssertNoScriptErrors();
        }
        catch
        {
            await scene.SaveFailureScreenshotsAsync("failure-chat-talk");
            throw;
        }
    }

    [Fact]
    public async Task Customer_Network_Drops_Then_Everything_Sent_Meanwhile_Arrives_On_Both_Sides_In_Order_Once()
    {
        await using var scene = await Scene.OpenAsync();
        if (scene is null)
        {
            return;
        }

        try
        {
            var (customer, frame, agent) = (scene.Customer, scene.Frame, scene.Agent);
            await customer.Context.SetOfflineAsync(true);
            await Expect(frame.Locator(".connection")).ToHaveTextAsync("You are offline. Messages will be sent when you are back.");

            string[] fromAgent = ["Are you still there?", "I found the transfer.", "It arrives within two hours."];
            foreach (var text in fromAgent)
            {
                await agent.Locator("[data-text]").FillAsync(text);
                await agent.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
                await Expect(agent.Locator(".chat-messages li.author-agent:not(.pending)", new() { HasText = text })).ToHaveCountAsync(1);
            }

            await frame.Locator("textarea[name=message]").FillAsync("Sorry, my train went into a tunnel");
            await frame.Locator("textarea[name=message]").PressAsync("Enter");
            await Expect(frame.Locator(".bubble.pending")).ToHaveTextAsync(new Regex("Waiting for the network…"));
            await Expect(frame.Locator(".bubble", new() { HasText = "I found the transfer." })).ToHaveCountAsync(0);

            await customer.Context.SetOfflineAsync(false);
            await Expect(frame.Locator(".connection")).ToHaveTextAsync("Connected");
            await Expect(frame.Locator(".bubble.pending")).ToHaveCountAsync(0);
            await Expect(frame.Locator(".bubble", new() { HasText = "It arrives within two hours." })).ToHaveCountAsync(1);
            await Expect(agent.Locator(".chat-messages li.author-customer", new() { HasText = "train went into a tunnel" })).ToHaveCountAsync(1);

            // The customer's screen: every message once, in sequence order, the agent's three before the customer's reply.
            var seqs = await frame.Locator(".messages > li[data-seq]").EvaluateAllAsync<int[]>("items => items.map(i => Number(i.dataset.seq))");
            seqs.ShouldBe(seqs.Order().Distinct().ToArray(), "in order, nothing twice");
            var texts = (await frame.Locator(".messages > li .text").AllInnerTextsAsync()).ToList();
            string[] expected = [.. fromAgent, "Sorry, my train went into a tunnel"];
            texts.TakeLast(4).ShouldBe(expected);

            // The agent's screen: the same, with the customer's message after the three.
            var agentSeqs = await agent.Locator(".chat-messages > li[data-seq]").EvaluateAllAsync<int[]>("items => items.map(i => Number(i.dataset.seq))");
            agentSeqs.ShouldBe(Enumerable.Range(1, agentSeqs.Length).ToArray(), "the agent sees every message, gap-free and once");
            (await agent.Locator(".chat-messages > li .body").AllInnerTextsAsync()).TakeLast(4).ShouldBe(expected);

            // And the database has the offline message once (the re-send used the same client message id).
            var stored = await scene.App.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.Body == "Sorry, my train went into a tunnel"));
            stored.ShouldBe(1);
            scene.AssertNoScriptErrors();
        }
        catch
        {
            await scene.SaveFailureScreenshotsAsync("failure-chat-offline");
            throw;
        }
    }

    [Fact]
    public async Task Chinese_Visitor_With_Nobody_Online_Sees_When_A_Person_Will_Answer_And_Leaves_Contact()
    {
        await using var session = await BrowserSession.OpenAsync(390, 844);
        if (session is null)
        {
            return;
        }

        await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite, new Dictionary<string, string?> { ["Chat:AssistantFirst"] = "false" }, live: true);
        var visitor = await session.NewPersonAsync(new() { Locale = "zh-CN", TimezoneId = "Asia/Shanghai", ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true });
        try
        {
            await visitor.GotoAsync(new Uri(app.LiveUrl, "/chat").ToString());
            await Expect(visitor).ToHaveTitleAsync("在线客服");
            await Expect(visitor.Locator(".availability")).ToContainTextAsync("目前没有客服在线");

            await visitor.GetByLabel("您的问题").FillAsync("我的转账还没有到账");
            await visitor.GetByRole(AriaRole.Button, new() { Name = "发送" }).ClickAsync();
            await Expect(visitor.Locator(".banner")).ToContainTextAsync("我们会在");

            // The answer-by time is the ticket's first-response deadline, shown in the visitor's own time zone.
            var conversation = await app.WithDbAsync(db => db.ChatConversations.AsNoTracking().SingleAsync());
            conversation.Status.ShouldBe(ChatStatuses.Offline);
            var due = (await app.WithDbAsync(db => db.Tickets.AsNoTracking().SingleAsync(t => t.Id == conversation.TicketId))).NextSlaDueAt;
            due.ShouldNotBeNull();
            var local = TimeZoneInfo.ConvertTime(due.Value, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
            await Expect(visitor.Locator(".banner")).ToContainTextAsync(local.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture));

            // A visitor with no contact is asked for one; what they type meanwhile is kept.
            await visitor.GetByLabel("电子邮箱").FillAsync("ana@example.com");
            await visitor.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();
            await Expect(visitor.Locator(".contact")).ToContainTextAsync("谢谢");
            await visitor.Locator("textarea[name=message]").FillAsync("转账金额是 500 元");
            await visitor.Locator("textarea[name=message]").PressAsync("Enter");
            await Expect(visitor.Locator(".bubble.from-customer:not(.pending)", new() { HasText = "500 元" })).ToHaveCountAsync(1);
            await visitor.ScreenshotAsync(new() { Path = Infrastructure.Browser.ArtifactPath("chat-zh-offline.png") });

            var saved = await app.WithDbAsync(db => db.ChatConversations.AsNoTracking().SingleAsync());
            saved.ContactEmail.ShouldBe("ana@example.com");
            var bodies = await app.WithDbAsync(db => db.TicketMessages.AsNoTracking().Where(m => m.TicketId == saved.TicketId && m.Visibility == TicketService.Public).OrderBy(m => m.Seq).Select(m => m.Body).ToListAsync());
            bodies.ShouldBe(["我的转账还没有到账", "转账金额是 500 元"]);
            session.ScriptErrors.ShouldBeEmpty("no CSP violations or script errors");
        }
        catch
        {
            await visitor.ScreenshotAsync(new() { Path = Infrastructure.Browser.ArtifactPath("failure-chat-zh.png"), FullPage = true });
            throw;
        }
    }

    /// <summary>
    /// A live server, an operator's site on another origin embedding the widget with a signed-in customer, and an agent
    /// online in the console; opened up to the point where the two are talking.
    /// </summary>
    private sealed class Scene : IAsyncDisposable
    {
        private readonly BrowserSession _session;
        private readonly WebApplication _site;

        private Scene(BrowserSession session, WebApplication site, WalletDeskFactory app)
        {
            _session = session;
            _site = site;
            App = app;
        }

        public WalletDeskFactory App { get; }

        public IPage Customer { get; private set; } = default!;

        public IFrameLocator Frame { get; private set; } = default!;

        public IPage Agent { get; private set; } = default!;

        public string AgentName { get; private set; } = "";

        public static async Task<Scene?> OpenAsync()
        {
            var session = await BrowserSession.OpenAsync(1280, 900);
            if (session is null)
            {
                return null;
            }

            // The operator's site: another origin (another host name and port) serving a page with the one-line embed.
            string? walletDesk = null;
            string? token = null;
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var site = builder.Build();
            site.MapGet("/", () => Results.Content(
                $"""
                <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Demo Wallet</title></head>
                <body style="font-family: system-ui; background: #eef2f7; margin: 0">
                <header style="padding: 16px 24px; background: #0b2545; color: #fff"><strong>Demo Wallet</strong> · Account · Transfers · Help</header>
                <main style="padding: 24px"><h1>Your transfers</h1><p>To Li Na · CNY 500.00 · pending</p></main>
                <script src="{walletDesk}/widget.js" data-lang="en"></script>
                <script>WalletDesk.identify("{token}");</script>
                </body></html>
                """,
                "text/html; charset=utf-8"));
            await site.StartAsync();
            var siteOrigin = $"http://localhost:{new Uri(site.Urls.First()).Port}";

            var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite, new Dictionary<string, string?>
            {
                ["Chat:AssistantFirst"] = "false",
                ["Chat:AllowedOrigins:0"] = siteOrigin,
            }, live: true);
            walletDesk = app.LiveUrl.ToString().TrimEnd('/');
            token = app.Services.GetRequiredService<CustomerTokenValidator>().MintForDemo("cust_" + Guid.NewGuid().ToString("N")[..12], "Li Wei", TimeSpan.FromMinutes(30), "en");
            var scene = new Scene(session, site, app);
            try
            {
                await scene.BringTogetherAsync(walletDesk, siteOrigin);
            }
            catch
            {
                await scene.SaveFailureScreenshotsAsync("failure-chat-setup");
                await scene.DisposeAsync();
                throw;
            }

            return scene;
        }

        private async Task BringTogetherAsync(string walletDesk, string siteOrigin)
        {
            // The agent signs in to the console and goes online.
            var staff = await App.CreateStaffAsync(StaffRoles.Agent, userName: "chat.agent");
            AgentName = staff.UserName;
            Agent = await _session.NewPersonAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
            await Agent.GotoAsync($"{walletDesk}/console/chats");
            await Agent.GetByLabel("User name").FillAsync(staff.UserName);
            await Agent.GetByLabel("Password").FillAsync(staff.Password);
            await Agent.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Agent.WaitForURLAsync("**/console/chats");
            await Expect(Agent.Locator("[data-connection]")).ToHaveTextAsync("Connected");
            await Agent.Locator("[data-availability]").SelectOptionAsync("online");
            await Eventually(async () => await App.WithDbAsync(db => db.ChatAgents.AnyAsync(a => a.StaffId == staff.Id && a.Status == AgentAvailability.Online)));

            // The customer opens the widget on the operator's site, signed in by the site's WalletDesk.identify(token).
            Customer = await _session.NewPersonAsync(new() { ViewportSize = new() { Width = 1000, Height = 760 } });
            await Customer.GotoAsync(siteOrigin + "/");
            await Customer.GetByRole(AriaRole.Button, new() { Name = "Chat with us" }).ClickAsync();
            Frame = Customer.FrameLocator("iframe.walletdesk-frame");
            await Expect(Frame.Locator(".connection")).ToHaveTextAsync("Connected");
            await Expect(Frame.Locator(".availability")).ToContainTextAsync("Agents are online.");
            await Frame.GetByLabel("Your message").FillAsync("My transfer to my sister has not arrived");
            await Frame.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
            await Expect(Frame.Locator(".banner")).ToContainTextAsync($"You are chatting with {AgentName}.");

            // Routed to the only online agent: the console opens it with the history.
            await Expect(Agent.Locator(".chat-messages li.author-customer", new() { HasText = "My transfer to my sister has not arrived" })).ToHaveCountAsync(1);
            await Expect(Agent.Locator("[data-mine] .chat-entry")).ToHaveCountAsync(1);
        }

        public string Screenshot(string name)
        {
            var path = Infrastructure.Browser.ArtifactPath(name);
            if (Environment.GetEnvironmentVariable("WALLETDESK_UPDATE_DOC_IMAGES") == "1")
            {
                // For the README: run with WALLETDESK_UPDATE_DOC_IMAGES=1 to refresh docs/images.
                var root = new DirectoryInfo(AppContext.BaseDirectory);
                while (root is not null && !File.Exists(Path.Combine(root.FullName, "WalletDesk.slnx")))
                {
                    root = root.Parent;
                }

                if (root is not null)
                {
                    path = Path.Combine(root.FullName, "docs", "images", name);
                }
            }

            return path;
        }

        public void AssertNoScriptErrors()
        {
            lock (_session.ScriptErrors)
            {
                _session.ScriptErrors.ShouldBeEmpty("no CSP violations or script errors");
            }
        }

        public async Task SaveFailureScreenshotsAsync(string name)
        {
            lock (_session.ConsoleLog)
            {
                File.WriteAllLines(Infrastructure.Browser.ArtifactPath($"{name}-console.txt"), _session.ConsoleLog);
            }

            File.WriteAllLines(Infrastructure.Browser.ArtifactPath($"{name}-server.txt"), App.Logs.Lines);

            foreach (var (page, who) in new[] { (Customer, "customer"), (Agent, "agent") })
            {
                if (page is not null)
                {
                    await page.ScreenshotAsync(new() { Path = Infrastructure.Browser.ArtifactPath($"{name}-{who}.png"), FullPage = true });
                }
            }
        }

        private static async Task Eventually(Func<Task<bool>> condition)
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (!await condition())
            {
                await Task.Delay(100, patience.Token);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _session.DisposeAsync();
            await App.DisposeAsync();
            await _site.DisposeAsync();
        }
    }
}
