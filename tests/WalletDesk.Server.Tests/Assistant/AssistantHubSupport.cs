using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Chat;
using WalletDesk.Server.Tests.Infrastructure;
using WalletDesk.Server.Tests.Wallet;

namespace WalletDesk.Server.Tests.Assistant;

/// <summary>One live server (Kestrel, the real /hubs/chat) per provider per test class, prepared like <see cref="AssistantFixture"/>.</summary>
public sealed class LiveAssistantFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ChatKit>>> _kits = new();

    public Task<ChatKit> For(string provider) =>
        _kits.GetOrAdd(provider, p => new Lazy<Task<ChatKit>>(async () =>
        {
            var kit = await ChatKit.StartAsync(p, AssistantFixture.Settings);
            await AssistantFixture.PrepareAsync(kit.App);
            return kit;
        })).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var lazy in _kits.Values.Where(l => l.IsValueCreated))
        {
            await (await lazy.Value).DisposeAsync();
        }
    }
}

/// <summary>A wallet customer's chat with the bot over the hub: every customer message, and what came back for it.</summary>
internal sealed class HubBotChat(ChatClient client, long conversationId)
{
    private int _sent = 1; // Start sends the first message

    public ChatClient Client { get; } = client;

    public long Id { get; } = conversationId;

    /// <summary>The bot's public messages answering the last customer message.</summary>
    public IReadOnlyList<ChatMessage> LastReplies { get; private set; } = [];

    public string LastText => string.Join("\n", LastReplies.Select(m => m.Text));

    /// <summary>Everything the bot said to the customer so far, as the customer's connection received it.</summary>
    public string AllBotText => string.Join("\n", Client.Messages(Id).Where(m => m.AuthorType == TicketActors.Bot).Select(m => m.Text));

    public static async Task<HubBotChat> StartAsync(ChatClient client, string text, string language)
    {
        var started = await client.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("r-" + Guid.NewGuid().ToString("N"), text, Language: language));
        var chat = new HubBotChat(client, started.ConversationId);
        await chat.CollectRepliesAsync(started.Ack, 0);
        return chat;
    }

    public async Task<ChatAck> SayAsync(string text, string? clientMessageId = null)
    {
        var ack = await Client.Hub.InvokeAsync<ChatAck>("Send", Id, clientMessageId ?? "c-" + ++_sent, text);
        await CollectRepliesAsync(ack, ack.Seq);
        return ack;
    }

    /// <summary>
    /// The assistant answers after the ack (ADR 0012): when the ack says it will, wait for the bot's turn to end (its
    /// typing indicator going off for this message); then <c>Resume</c> lists the replies (public ones only, as the
    /// customer may see), and the wait proves the same messages reached the customer live.
    /// </summary>
    private async Task CollectRepliesAsync(ChatAck ack, int afterSeq)
    {
        if (ack.AssistantAnswering)
        {
            await Client.WaitForBotTurnAsync(Id, ack.Seq);
        }

        var sync = await Client.Hub.InvokeAsync<ChatSync>("Resume", Id, afterSeq);
        sync.Messages.ShouldNotContain(m => m.Visibility == TicketService.Internal, "the customer never receives internal notes");
        LastReplies = sync.Messages.Where(m => m.AuthorType == TicketActors.Bot).ToList();
        if (sync.Messages.Count > 0)
        {
            var last = sync.Messages[^1].Seq;
            await Client.WaitForMessageAsync(Id, m => m.Seq == last);
        }
    }
}

internal static class AssistantHubScenarios
{
    public static async Task<ChatClient> ConnectAsync(this ChatKit kit, TestWallet wallet, string locale = "en")
    {
        var token = kit.App.Services.GetRequiredService<CustomerTokenValidator>().MintForDemo(wallet.Customer.ExternalId, wallet.Customer.DisplayName, TimeSpan.FromMinutes(30), locale);
        return await kit.ConnectAsync(token, null);
    }

    /// <summary>A fresh wallet customer on the hub with a chat started with the bot.</summary>
    public static async Task<HubBotChat> StartChatAsync(this ChatKit kit, TestWallet wallet, string text, string language) =>
        await HubBotChat.StartAsync(await kit.ConnectAsync(wallet, language), text, language);

    /// <summary>
    /// An agent who is the only one online: agents from earlier tests on the shared server are set offline first, so
    /// routing can only pick this one.
    /// </summary>
    public static async Task<(ChatClient Client, TestStaff Staff)> OnlyAgentAsync(this ChatKit kit, int capacity = 3)
    {
        await kit.App.WithDbAsync(db => db.ChatAgents.Where(a => a.Status == AgentAvailability.Online)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AgentAvailability.Offline)));
        return await kit.AgentAsync(capacity: capacity);
    }

    /// <summary>Every table (name) in which any text or blob value contains <paramref name="needle"/>: the whole database, not only the places we expect.</summary>
    public static Task<List<string>> TablesContainingAsync(this WalletDeskFactory app, string needle) => app.WithDbAsync(async db =>
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = app.Provider == Providers.Postgres
                ? "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                : "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        tables.Count.ShouldBeGreaterThan(10, "the scan must see the schema");
        var found = new List<string>();
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync() && !found.Contains(table))
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    // Blobs as UTF-8, arrays joined, anything else (jsonb, tsvector …) as its text form.
                    var value = reader.IsDBNull(i) ? null : reader.GetValue(i) switch
                    {
                        byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
                        string[] items => string.Join(' ', items),
                        var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture),
                    };
                    if (value is not null && value.Contains(needle, StringComparison.OrdinalIgnoreCase))
                    {
                        found.Add(table);
                        break;
                    }
                }
            }
        }

        return found;
    });

    public static Task<ChatConversation> ChatRowAsync(this WalletDeskFactory app, long id) =>
        app.WithDbAsync(db => db.ChatConversations.AsNoTracking().SingleAsync(c => c.TicketId == id));
}
