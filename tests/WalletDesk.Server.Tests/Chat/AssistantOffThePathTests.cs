using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Assistant;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Chat;

/// <summary>
/// The assistant runs after the customer's message is committed and acknowledged, from a claimed queue (ADR 0012): a
/// wallet that does not answer holds up the bot's reply, never the customer's ack.
/// </summary>
public sealed class AssistantOffThePathTests
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Send_WhileTheWalletHangs_IsAcknowledged_AndTheBotAnswersOnceTheWalletDoes(string provider)
    {
        await using var wallet = await HangingWallet.StartAsync();
        var settings = new Dictionary<string, string?>(AssistantFixture.Settings)
        {
            ["Wallet:Provider"] = "http",
            ["Wallet:BaseUrl"] = wallet.BaseUrl,
            ["Wallet:ApiKey"] = "test-operator-key",
            ["Wallet:ReadTimeoutMs"] = "60000",
            ["Wallet:MaxAttempts"] = "1",
        };
        await using var kit = await ChatKit.StartAsync(provider, settings);
        await AssistantFixture.PrepareAsync(kit.App);
        var customer = await kit.CustomerAsync();

        var started = await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "my transfer hasn't arrived"));
        var id = started.ConversationId;
        started.Ack.AssistantAnswering.ShouldBeTrue();
        await wallet.Called.WaitAsync(ChatKit.Patience); // the bot's first turn is now inside the wallet call
        await customer.WaitForAsync<TypingSignal>(ChatEvents.Typing, s => s.ConversationId == id && s.AuthorType == "bot" && s.IsTyping && s.AnswersSeq == 1);

        // The wallet still has not answered: the next message is acknowledged all the same.
        var ack = await customer.Hub.InvokeAsync<ChatAck>("Send", id, "c2", "it was 500 yuan").WaitAsync(ChatKit.Patience);
        ack.Seq.ShouldBe(2);
        ack.AssistantAnswering.ShouldBeTrue();
        wallet.Released.ShouldBeFalse();
        customer.Messages(id).ShouldNotContain(m => m.AuthorType == TicketActors.Bot, "no reply can exist before the wallet answered");

        wallet.Release();
        await customer.WaitForBotTurnAsync(id, 1);
        await customer.WaitForBotTurnAsync(id, 2);
        var sync = await customer.Hub.InvokeAsync<ChatSync>("Resume", id, 0);
        sync.Messages.First(m => m.AuthorType == TicketActors.Bot).Seq.ShouldBeGreaterThan(ack.Seq, "the bot's reply came after the customer's ack");
        var turns = await kit.App.WithDbAsync(db => db.ChatBotTurns.AsNoTracking().Where(t => t.ConversationId == id).OrderBy(t => t.Seq).ToListAsync());
        turns.Select(t => t.Seq).ShouldBe([1, 2]);
        turns.ShouldAllBe(t => t.DoneAt != null && t.Attempts == 1, "each turn ran exactly once");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RunPending_CalledTwiceAtOnce_RunsATurnOnlyOnce(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, AssistantFixture.Settings);
        await AssistantFixture.PrepareAsync(kit.App);
        var customer = await kit.CustomerAsync();
        var started = await customer.Hub.InvokeAsync<ChatStarted>("Start", new StartChat("s", "what are your fees?"));
        await customer.WaitForBotTurnAsync(started.ConversationId, 1);

        // A turn whose lease ran out (its process died) is claimed again by exactly one of two racing runners.
        await kit.App.WithDbAsync(db => db.ChatBotTurns.Where(t => t.ConversationId == started.ConversationId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.DoneAt, (DateTimeOffset?)null).SetProperty(t => t.LeaseUntil, (DateTimeOffset?)null)));
        var before = await kit.App.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.TicketId == started.ConversationId));
        var runner = kit.App.Services.GetRequiredService<AssistantTurnRunner>();
        var ran = await Task.WhenAll(runner.RunPendingAsync(CancellationToken.None), runner.RunPendingAsync(CancellationToken.None));

        var turn = await kit.App.WithDbAsync(db => db.ChatBotTurns.AsNoTracking().SingleAsync(t => t.ConversationId == started.ConversationId));
        (turn.Attempts - 1).ShouldBeLessThanOrEqualTo(1, "claimed at most once more");
        turn.DoneAt.ShouldNotBeNull();
        ran.Sum().ShouldBeLessThanOrEqualTo(1);
        (await kit.App.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.TicketId == started.ConversationId))).ShouldBe(before, "a re-run turn adds no reply twice");
    }

    /// <summary>An operator wallet API that takes every request and answers none until released (then: not found).</summary>
    private sealed class HangingWallet : IAsyncDisposable
    {
        private readonly TaskCompletionSource _called = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private WebApplication _app = null!;

        public string BaseUrl { get; private set; } = "";

        public Task Called => _called.Task;

        public bool Released => _release.Task.IsCompleted;

        public void Release() => _release.TrySetResult();

        public static async Task<HangingWallet> StartAsync()
        {
            var wallet = new HangingWallet();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            wallet._app = builder.Build();
            wallet._app.Run(async context =>
            {
                wallet._called.TrySetResult();
                await wallet._release.Task;
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            });
            await wallet._app.StartAsync();
            wallet.BaseUrl = wallet._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/";
            return wallet;
        }

        public async ValueTask DisposeAsync()
        {
            Release();
            await _app.DisposeAsync();
        }
    }
}
