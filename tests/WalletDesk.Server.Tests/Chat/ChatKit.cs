using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using WalletDesk.HubClient;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Chat;

/// <summary>A live server (Kestrel) plus helpers to connect customers, visitors and agents to /hubs/chat.</summary>
public sealed class ChatKit : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Chats go straight to the agents' queue: for tests about people talking (the assistant has its own).</summary>
    public static readonly Dictionary<string, string?> HumanFirst = new() { ["Chat:AssistantFirst"] = "false" };
    private readonly List<IAsyncDisposable> _owned = [];

    private ChatKit(WalletDeskFactory app) => App = app;

    public WalletDeskFactory App { get; }

    public Uri HubUrl => new(App.LiveUrl, ChatModule.HubPath);

    public static async Task<ChatKit> StartAsync(string provider, IDictionary<string, string?>? settings = null) =>
        new(await WalletDeskFactory.CreateAsync(provider, settings, live: true));

    public async Task<ChatClient> CustomerAsync(string? name = null, string locale = "en", string? origin = null)
    {
        var sub = "cust_" + Guid.NewGuid().ToString("N")[..12];
        var token = App.Services.GetRequiredService<CustomerTokenValidator>().MintForDemo(sub, name ?? "Chat Customer", TimeSpan.FromMinutes(30), locale);
        return await ConnectAsync(token, origin);
    }

    /// <summary>The same wallet customer connecting again (another device, or after a dropped connection).</summary>
    public Task<ChatClient> ReconnectAsync(ChatClient client) => ConnectAsync(client.Token, null);

    public async Task<ChatClient> VisitorAsync(string name = "Ana")
    {
        using var http = new HttpClient { BaseAddress = App.LiveUrl };
        var response = await http.PostAsJsonAsync("/api/chat/visitors", new { name, language = "en" });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<VisitorToken>())!.Token;
        return await ConnectAsync(token, null);
    }

    /// <summary>An agent connected with a chat-scoped API token, availability set.</summary>
    public async Task<(ChatClient Client, TestStaff Staff)> AgentAsync(string role = StaffRoles.Agent, string availability = AgentAvailability.Online, int capacity = 3)
    {
        var staff = await App.CreateStaffAsync(role);
        var token = await TokenForAsync(staff);
        var client = await ConnectAsync(token, null);
        await client.Hub.InvokeAsync<AgentState>("SetAvailability", availability, capacity);
        return (client, staff);
    }

    public async Task<string> TokenForAsync(TestStaff staff)
    {
        await using var scope = App.Scope();
        var created = await scope.ServiceProvider.GetRequiredService<ApiTokenService>()
            .CreateAsync(new StaffActor(staff.Id, staff.UserName, staff.Role, null), "chat", [ApiScopes.Chat], 1);
        return created.PlainText;
    }

    public async Task<ChatClient> ConnectAsync(string token, string? origin)
    {
        var options = new HubConnectionOptions(HubUrl) { AccessToken = token };
        if (origin is not null)
        {
            options.Headers["Origin"] = origin;
        }

        var client = new ChatClient(new HubConnection(options), token);
        await client.Hub.StartAsync();
        _owned.Add(client);
        return client;
    }

    /// <summary>The call's result, or the refusal it ended with (for racing calls where one is expected to fail).</summary>
    public static async Task<object> AttemptAsync<T>(Task<T> call)
    {
        try
        {
            return (await call)!;
        }
        catch (HubCallException ex)
        {
            return ex;
        }
    }

    public async Task RunMonitorAsync() => await App.Services.GetRequiredService<ChatMonitor>().RunOnceAsync(presence: true, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await App.DisposeAsync();
    }
}

/// <summary>One hub connection with everything the server pushed to it, waitable.</summary>
public sealed class ChatClient : IAsyncDisposable
{
    private readonly ConcurrentQueue<(string Kind, JsonElement Payload)> _events = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public ChatClient(HubConnection hub, string token)
    {
        Hub = hub;
        Token = token;
        foreach (var kind in new[] { ChatEvents.Message, ChatEvents.Typing, ChatEvents.Read, ChatEvents.State, ChatEvents.Assigned, ChatEvents.Queue, ChatEvents.Resync })
        {
            hub.On<JsonElement>(kind, payload =>
            {
                _events.Enqueue((kind, payload));
                _arrived.Release();
            });
        }
    }

    public HubConnection Hub { get; }

    public string Token { get; }

    public IReadOnlyList<(string Kind, JsonElement Payload)> Events => _events.ToList();

    public IReadOnlyList<ChatMessage> Messages(long conversationId) => _events
        .Where(e => e.Kind == ChatEvents.Message)
        .Select(e => e.Payload.Deserialize<ChatMessage>(JsonSerializerOptions.Web)!)
        .Where(m => m.ConversationId == conversationId)
        .ToList();

    /// <summary>Waits until an event of this kind matching the predicate has arrived (or fails after the patience).</summary>
    public async Task<T> WaitForAsync<T>(string kind, Func<T, bool>? predicate = null)
    {
        using var timeout = new CancellationTokenSource(ChatKit.Patience);
        while (true)
        {
            foreach (var (k, payload) in _events)
            {
                if (k == kind && payload.Deserialize<T>(JsonSerializerOptions.Web) is { } value && (predicate is null || predicate(value)))
                {
                    return value;
                }
            }

            try
            {
                await _arrived.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No '{kind}' event matching the condition arrived; got: {string.Join(", ", _events.Select(e => e.Kind + " " + e.Payload.GetRawText()))}");
            }
        }
    }

    /// <summary>Waits until the assistant's turn for the customer message <paramref name="seq"/> is over (its typing indicator went off).</summary>
    public Task<TypingSignal> WaitForBotTurnAsync(long conversationId, int seq) =>
        WaitForAsync<TypingSignal>(ChatEvents.Typing, s => s.ConversationId == conversationId && s.AuthorType == "bot" && !s.IsTyping && s.AnswersSeq == seq);

    public Task<ChatMessage> WaitForMessageAsync(long conversationId, Func<ChatMessage, bool> predicate) =>
        WaitForAsync<ChatMessage>(ChatEvents.Message, m => m.ConversationId == conversationId && predicate(m));

    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        _arrived.Dispose();
    }
}
