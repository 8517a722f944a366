using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Assistant;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Knowledge.ImportExport;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Features.Wallet.Ledger;
using WalletDesk.Server.Tests.Infrastructure;
using WalletDesk.Server.Tests.Wallet;

namespace WalletDesk.Server.Tests.Assistant;

/// <summary>One server per provider per test class, with the starter knowledge base imported and the assistant's model ready.</summary>
public sealed class AssistantFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<WalletDeskFactory>>> _factories = new();

    public static readonly Dictionary<string, string?> Settings = new(WalletFixture.Settings)
    {
        ["Assistant:RetrainFolds"] = "2",
    };

    public Task<WalletDeskFactory> For(string provider) =>
        _factories.GetOrAdd(provider, p => new Lazy<Task<WalletDeskFactory>>(() => StartAsync(p))).Value;

    public static async Task<WalletDeskFactory> StartAsync(string provider, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>(Settings);
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        var app = await WalletDeskFactory.CreateAsync(provider, settings);
        await PrepareAsync(app);
        return app;
    }

    /// <summary>Imports the starter knowledge base and waits for the assistant's model, so the first message is answered at once.</summary>
    public static async Task PrepareAsync(WalletDeskFactory app)
    {
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<KnowledgeImporter>().ImportStarterContentAsync();
        }

        await app.Services.GetRequiredService<AssistantModels>().GetAsync(CancellationToken.None);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var lazy in _factories.Values.Where(l => l.IsValueCreated))
        {
            await (await lazy.Value).DisposeAsync();
        }
    }
}

/// <summary>A chat with the assistant as the chat module drives it: one call per customer message, through DI.</summary>
public sealed class BotChat(WalletDeskFactory app, Guid customerId, bool visitor = false, string language = "en")
{
    private static long _nextId = 7_000_000 + Random.Shared.Next(1_000_000);
    private int _seq;

    public long Id { get; } = Interlocked.Increment(ref _nextId);

    public List<AssistantOutcome> Outcomes { get; } = [];

    public AssistantOutcome Last => Outcomes[^1];

    public string LastText => string.Join("\n", Last.Replies.Select(r => r.Text));

    public async Task<AssistantOutcome> SayAsync(string text)
    {
        await using var scope = app.Scope();
        var assistant = scope.ServiceProvider.GetRequiredService<IChatAssistant>();
        // The chat module passes text that went through intake redaction.
        var redacted = WalletDesk.Redaction.Redactor.Redact(text).Text;
        var outcome = await assistant.RespondAsync(new AssistantInput(Id, customerId, visitor, language, redacted, ++_seq), CancellationToken.None);
        Outcomes.Add(outcome);
        return outcome;
    }

    /// <summary>Sends a message again with the same sequence number (a retried delivery).</summary>
    public async Task<AssistantOutcome> RepeatLastDeliveryAsync(string text)
    {
        await using var scope = app.Scope();
        var assistant = scope.ServiceProvider.GetRequiredService<IChatAssistant>();
        return await assistant.RespondAsync(new AssistantInput(Id, customerId, visitor, language, text, _seq), CancellationToken.None);
    }
}

public static class AssistantScenarios
{
    public static BotChat Chat(this WalletDeskFactory app, TestWallet wallet, string language = "en") => new(app, wallet.Customer.Id, false, language);

    public static async Task<string> AccountIdAsync(this WalletDeskFactory app, TestWallet wallet) =>
        (await app.Services.GetRequiredService<IWalletGateway>().FindAccountAsync(wallet.Customer.ExternalId))!.AccountId;

    /// <summary>A transfer at or above the risk-review threshold: pending with reason risk_review.</summary>
    public static async Task<LedgerTransaction> PendingTransferAsync(this WalletDeskFactory app, TestWallet from, TestWallet to, long amount)
    {
        var result = await app.Ledger().TransferAsync(from.Account.Id, to.Account.Id, amount, from.Currency, WalletTestSupport.NewKey(), "rent");
        result.Transaction.Status.ShouldBe(TransactionStatuses.Pending);
        return result.Transaction;
    }

    public static async Task<LedgerTransaction> DeclinedTopUpAsync(this WalletDeskFactory app, TestWallet wallet, long amount)
    {
        await app.Ledger().SetFundingBehaviourAsync(wallet.Card.Id, FundingBehaviours.Decline);
        var result = await app.Ledger().TopUpAsync(wallet.Account.Id, wallet.Card.Id, amount, wallet.Currency, WalletTestSupport.NewKey());
        result.Transaction.Status.ShouldBe(TransactionStatuses.Failed);
        return result.Transaction;
    }

    public static async Task LockAsync(this WalletDeskFactory app, TestWallet wallet)
    {
        var gateway = app.Services.GetRequiredService<IWalletGateway>();
        var result = await gateway.ExecuteAsync(new WalletActionCommand(WalletTestSupport.NewKey(), WalletActionKinds.Lock, await app.AccountIdAsync(wallet), null, null, null, "test", null, null, "test"));
        result.Outcome.ShouldBe(WalletActionOutcomes.Completed);
    }

    /// <summary>The step-up the assistant started last for this wallet, as the wallet app would show it.</summary>
    public static async Task<string> LatestStepUpAsync(this WalletDeskFactory app, TestWallet wallet) =>
        (await app.WithDbAsync(db => db.WalletStepUpChallenges.Where(c => c.AccountId == wallet.Account.Id).OrderByDescending(c => c.CreatedAt).Select(c => c.Id).FirstAsync())).ToString("N");

    /// <summary>The customer confirms the newest step-up in the wallet app with the code pushed to their device.</summary>
    /// <remarks>On a live (Kestrel) server pass its address as <paramref name="liveUrl"/>: the factory's clients then need it.</remarks>
    public static async Task PassStepUpInAppAsync(this WalletDeskFactory app, TestWallet wallet, string challengeId, Uri? liveUrl = null)
    {
        var customer = app.CustomerClient(wallet.Customer.ExternalId);
        customer.BaseAddress = liveUrl ?? customer.BaseAddress;
        var pushes = await (await customer.GetAsync("/api/me/wallet/device-pushes")).ReadAsAsync<List<string>>();
        var code = System.Text.RegularExpressions.Regex.Match(pushes[0], "[0-9]{6}").Value;
        var result = await (await customer.PostAsJsonAsync($"/api/me/wallet/step-up/{challengeId}", new CompleteStepUpRequest(code))).ReadAsAsync<StepUpResultResponse>();
        result.Outcome.ShouldBe("passed");
    }

    public static Task<int> WalletActionsAsync(this WalletDeskFactory app, Guid accountId) =>
        app.WithDbAsync(db => db.WalletRefActions.CountAsync(a => a.AccountId == accountId));

    public static Task<List<AuditEntry>> AuditAsync(this WalletDeskFactory app, string action) =>
        app.WithDbAsync(db => db.AuditEntries.Where(e => e.Action == action).ToListAsync());

    public static Task<AssistantConversation> ConversationAsync(this WalletDeskFactory app, BotChat chat) => app.ConversationAsync(chat.Id);

    public static Task<AssistantConversation> ConversationAsync(this WalletDeskFactory app, long conversationId) =>
        app.WithDbAsync(db => db.Set<AssistantConversation>().SingleAsync(c => c.ConversationId == conversationId));

    public static Task<List<AssistantTurn>> TurnsAsync(this WalletDeskFactory app, BotChat chat) => app.TurnsAsync(chat.Id);

    public static Task<List<AssistantTurn>> TurnsAsync(this WalletDeskFactory app, long conversationId) =>
        app.WithDbAsync(db => db.Set<AssistantTurn>().Where(t => t.ConversationId == conversationId).OrderBy(t => t.Seq).ToListAsync());
}
