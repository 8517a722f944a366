using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using WalletDesk.HubClient;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Demo;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Chat;

/// <summary>Real server processes: fan-out between two of them over PostgreSQL LISTEN/NOTIFY (M1), and what reaches the console log (K1).</summary>
public sealed class ChatAcrossProcessesTests
{
    [Fact]
    public async Task Customer_On_One_Process_And_Agent_On_Another_Talk_Live_And_Survive_A_Node_Going_Away()
    {
        if (!TestPostgres.IsAvailable)
        {
            return; // CI provides PostgreSQL; locally export WALLETDESK_TEST_POSTGRES to run this.
        }

        var connection = await TestPostgres.CreateDatabaseAsync();
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["Database__Provider"] = "postgres",
                ["ConnectionStrings__WalletDesk"] = connection,
                ["Database__MigrateOnStart"] = "true",
                ["CustomerTokens__SigningKey"] = TestKeys.CustomerSigningKey,
                ["Chat__AssistantFirst"] = "false",
                ["RateLimits__SignInPerMinute"] = "10000",
            };
            await using var nodeA = await ServerProcess.StartAsync(environment);
            await using var nodeB = await ServerProcess.StartAsync(environment);

            // The agent signs in to the console on B and connects there with the console cookie.
            var agentCookie = await SignInAsync(nodeB.BaseUrl, "agent.li");
            await using var agent = await ConnectAsync(nodeB.BaseUrl, null, agentCookie);
            var agentState = await agent.Hub.InvokeAsync<AgentState>("SetAvailability", "online", 5);
            agentState.Status.ShouldBe(AgentAvailability.Online);

            // The customer talks to A.
            var token = MintCustomerToken("cust_multi_node");
            var customer = await ConnectAsync(nodeA.BaseUrl, token, null);
            var state = (await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("m", "我的转账还没到"))).State;
            var id = state.ConversationId;
            (await agent.WaitForAsync<ChatState>(ChatEvents.Assigned, s => s.ConversationId == id)).Status.ShouldBe(ChatStatuses.Active);

            var fromCustomer = await customer.Hub.InvokeAsync<ChatAck>("Send", id, "c1", "转账金额是 500 元");
            (await agent.WaitForMessageAsync(id, m => m.Seq == fromCustomer.Seq)).Text.ShouldBe("转账金额是 500 元");
            await customer.Hub.InvokeAsync("Typing", id, true);
            await agent.WaitForAsync<TypingSignal>(ChatEvents.Typing, t => t.ConversationId == id && t.IsTyping);
            var fromAgent = await agent.Hub.InvokeAsync<ChatAck>("Send", id, "a1", "我来帮您查一下。");
            (await customer.WaitForMessageAsync(id, m => m.Seq == fromAgent.Seq)).AuthorType.ShouldBe("agent");

            // Node A goes away with the customer on it; the agent keeps writing on B.
            var lastSeen = customer.Messages(id).Max(m => m.Seq);
            await customer.DisposeAsync();
            await nodeA.DisposeAsync();
            var sent = new List<int>();
            for (var i = 0; i < 3; i++)
            {
                sent.Add((await agent.Hub.InvokeAsync<ChatAck>("Send", id, $"a-down-{i}", $"消息 {i}")).Seq);
            }

            // The customer's app reconnects to the surviving node and resumes from the last sequence it saw.
            await using var back = await ConnectAsync(nodeB.BaseUrl, token, null);
            var sync = await back.Hub.InvokeAsync<ChatSync>("Resume", id, lastSeen);
            sync.Messages.Select(m => m.Seq).ShouldBe(sent);
            var live = await agent.Hub.InvokeAsync<ChatAck>("Send", id, "a-after", "还在吗？");
            (await back.WaitForMessageAsync(id, m => m.Seq == live.Seq)).Text.ShouldBe("还在吗？");
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connection);
        }
    }

    [Fact]
    public async Task Tokens_Presented_In_The_Hub_Query_String_Never_Reach_The_Console_Log()
    {
        var environment = new Dictionary<string, string>
        {
            ["CustomerTokens__SigningKey"] = TestKeys.CustomerSigningKey,
            ["Database__SeedDemoData"] = "false",
            ["Chat__AssistantFirst"] = "false",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information",
        };
        await using var server = await ServerProcess.StartAsync(environment);
        var token = MintCustomerToken("cust_log_check");

        // Browsers put the token in the WebSocket URL; make sure such a request is logged at all, then look for the token.
        await using (var client = await ConnectAsync(server.BaseUrl, token, null))
        {
            await client.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("l", "hello"));
        }

        using var http = new HttpClient();
        (await http.GetAsync($"{server.BaseUrl}/hubs/chat?id=x&access_token={token}")).StatusCode.ShouldNotBe(HttpStatusCode.OK);
        await Task.Delay(500);
        server.Output.ShouldContain("/hubs/chat");
        server.Output.ShouldNotContain(token.Split('.')[2]);
        server.Output.ShouldNotContain(token.Split('.')[1]);
    }

    private static string MintCustomerToken(string sub)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["WALLETDESK_DATA_DIR"] = Path.GetTempPath() }).Build();
        var validator = new CustomerTokenValidator(Options.Create(new CustomerTokenOptions { SigningKey = TestKeys.CustomerSigningKey }), TimeProvider.System, new DataPaths(configuration));
        return validator.MintForDemo(sub, "Multi Node", TimeSpan.FromMinutes(30), "zh");
    }

    private static async Task<string> SignInAsync(string baseUrl, string userName)
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) };
        var response = await http.SubmitFormAsync("/console/sign-in", "sign-in", new() { ["Input.UserName"] = userName, ["Input.Password"] = DemoSeeder.DemoPassword });
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        return cookies.GetCookieHeader(new Uri(baseUrl));
    }

    private static async Task<ChatClient> ConnectAsync(string baseUrl, string? token, string? cookie)
    {
        var options = new HubConnectionOptions(new Uri(new Uri(baseUrl), ChatModule.HubPath));
        if (token is not null)
        {
            options.AccessToken = token;
        }

        if (cookie is not null)
        {
            options.Headers["Cookie"] = cookie;
        }

        var client = new ChatClient(new HubConnection(options), token ?? "");
        await client.Hub.StartAsync();
        return client;
    }
}
