using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using WalletDesk.Assistant;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Assistant;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Tests.Infrastructure;
using WalletDesk.Server.Tests.Wallet;

namespace WalletDesk.Server.Tests.Assistant;

/// <summary>Model versions, agents' corrections, operator intents, the retrain gate, rollback, metrics and reply drafts.</summary>
public sealed class LearningLoopTests
{
    private const string CardQuestion = "when will my new physical card arrive in the post";

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Corrections_AndNewIntents_JoinTraining_RetrainDeploysOnlyWhenNotWorse_AndRollbackRestores(string provider)
    {
        await using var app = await AssistantFixture.StartAsync(provider);
        var (_, supervisor) = await app.StaffClientAsync("supervisor");
        var (_, agent) = await app.StaffClientAsync("agent");
        var models = await (await supervisor.GetAsync("/api/assistant/models")).ReadAsAsync<List<ModelVersionResponse>>();
        var shipped = models.ShouldHaveSingleItem();
        shipped.IsActive.ShouldBeTrue();
        File.Exists(app.Services.GetRequiredService<AssistantModels>().FileOf(shipped.Version)).ShouldBeTrue();

        // An agent marks a wrong intent and picks the right one.
        var me = await app.CreateCustomerWithWalletAsync();
        var chat = app.Chat(me);
        await chat.SayAsync("my card 4111 1111 1111 1111 is not accepted when I add it");
        var corrected = await (await agent.PostAsJsonAsync($"/api/assistant/conversations/{chat.Id}/turns/1/intent", new CorrectIntentRequest("link_bank_or_card"))).ReadAsAsync<TurnResponse>();
        corrected.CorrectedIntent.ShouldBe("link_bank_or_card");
        (await agent.PostAsJsonAsync($"/api/assistant/conversations/{chat.Id}/turns/1/intent", new CorrectIntentRequest("no_such_intent"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await agent.PostAsJsonAsync($"/api/assistant/conversations/999999999/turns/1/intent", new CorrectIntentRequest("greeting"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await agent.PostAsync("/api/assistant/models/retrain", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var view = await (await agent.GetAsync($"/api/assistant/conversations/{chat.Id}")).ReadAsAsync<ConversationResponse>();
        view.Turns.Single().CorrectedIntent.ShouldBe("link_bank_or_card");
        var examples = await (await supervisor.GetAsync("/api/assistant/examples")).ReadAsAsync<List<ExampleResponse>>();
        var example = examples.ShouldHaveSingleItem();
        example.Source.ShouldBe("agent_correction");
        example.Text.ShouldNotContain("4111 1111 1111 1111");

        // An operator adds an intent with examples; the next retrain learns it.
        var intent = new AddIntentRequest("card_delivery", "The customer waits for a physical card in the post", "link-card", "payments",
        [
            "when will my new card arrive", "my physical card hasn't been delivered", "where is the card you posted to me", "card delivery is taking forever",
            "how long does the card take to arrive by mail", "I ordered a card two weeks ago and it's not here", "has my card been shipped yet",
            "新卡什么时候寄到", "实体卡还没收到", "我申请的卡寄出了吗",
        ]);
        (await supervisor.PostAsJsonAsync("/api/assistant/intents", intent)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await supervisor.PostAsJsonAsync("/api/assistant/intents", intent)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await (await agent.GetAsync("/api/assistant/intents")).ReadAsAsync<IntentsResponse>()).Labels.ShouldContain("card_delivery");

        var retrain = await (await supervisor.PostAsync("/api/assistant/models/retrain", null)).ReadAsAsync<RetrainResponse>();
        retrain.NewExamples.ShouldBe(11);
        retrain.Version.EvalOpenSetAccuracy.ShouldNotBeNull();
        retrain.Version.BaselineOpenSetAccuracy.ShouldNotBeNull();
        retrain.Version.Decision.ShouldContain("rows better");
        retrain.Deployed.ShouldBeTrue(retrain.Version.Decision);
        var predicted = await (await agent.PostAsJsonAsync("/api/assistant/predict", new PredictRequest(CardQuestion))).ReadAsAsync<PredictResponse>();
        predicted.Intent.ShouldBe("card_delivery");
        predicted.ModelVersion.ShouldBe(retrain.Version.Version);

        // Contradicting the shipped examples makes the training set worse: the new version is recorded but not deployed.
        foreach (var row in WalletIntentModel.LoadTrainingData().Where(r => r.Label is "transfer_not_arrived" or "topup_failed" or "refund_status"))
        {
            (await supervisor.PostAsJsonAsync("/api/assistant/examples", new AddExampleRequest(row.Text, "greeting"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        var worse = await (await supervisor.PostAsync("/api/assistant/models/retrain", null)).ReadAsAsync<RetrainResponse>();
        worse.Deployed.ShouldBeFalse(worse.Version.Decision);
        worse.Version.Status.ShouldBe(AssistantModelStatuses.Rejected);
        worse.Version.EvalOpenSetAccuracy!.Value.ShouldBeLessThan(worse.Version.BaselineOpenSetAccuracy!.Value);
        (await (await agent.PostAsJsonAsync("/api/assistant/predict", new PredictRequest(CardQuestion))).ReadAsAsync<PredictResponse>()).ModelVersion.ShouldBe(retrain.Version.Version);
        (await supervisor.PostAsync($"/api/assistant/models/{worse.Version.Version}/activate", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // Rollback to the shipped version.
        (await supervisor.PostAsync($"/api/assistant/models/{shipped.Version}/activate", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var after = await (await agent.PostAsJsonAsync("/api/assistant/predict", new PredictRequest(CardQuestion))).ReadAsAsync<PredictResponse>();
        after.ModelVersion.ShouldBe(shipped.Version);
        after.Intent.ShouldNotBe("card_delivery");
        var list = await (await supervisor.GetAsync("/api/assistant/models")).ReadAsAsync<List<ModelVersionResponse>>();
        list.Count.ShouldBe(3);
        list.Single(v => v.IsActive).Version.ShouldBe(shipped.Version);
        (await app.AuditAsync("assistant.model.activate")).ShouldHaveSingleItem();
        (await app.AuditAsync("assistant.intent.corrected")).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task ModelArtifact_IsLoadedAtRestart_AndRebuiltIdenticallyWhenMissing()
    {
        await using var app = await AssistantFixture.StartAsync(Providers.Sqlite);
        var running = app.Services.GetRequiredService<AssistantModels>();
        var active = await running.GetAsync(CancellationToken.None);
        var file = running.FileOf(active.Version);
        var written = File.GetLastWriteTimeUtc(file);

        AssistantModels Fresh() => new(
            app.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<AppDbContext>>(), app.Services.GetRequiredService<DataPaths>(),
            app.Services.GetRequiredService<TimeProvider>(), app.Services.GetRequiredService<AuditService>(),
            app.Services.GetRequiredService<IOptions<AssistantOptions>>(), app.Services.GetRequiredService<ILogger<AssistantModels>>());

        using var restarted = Fresh();
        await restarted.EnsureCurrentAsync(CancellationToken.None);
        restarted.Current!.Version.ShouldBe(active.Version);
        File.GetLastWriteTimeUtc(file).ShouldBe(written, "loaded from the artifact, not retrained");

        File.Delete(file);
        using var rebuilt = Fresh();
        await rebuilt.EnsureCurrentAsync(CancellationToken.None);
        File.Exists(file).ShouldBeTrue();
        foreach (var text in new[] { "my transfer hasn't arrived", "充值失败了", CardQuestion, "hello" })
        {
            var (again, before) = (rebuilt.Current!.Model.Predict(text), active.Model.Predict(text));
            again.Intent.ShouldBe(before.Intent, text);
            again.Confidence.ShouldBe(before.Confidence, 1e-9, text);
            again.Ranked.Select(r => r.Intent).ShouldBe(before.Ranked.Select(r => r.Intent), text);
        }
    }

    [Fact]
    public async Task Metrics_ShowContainmentHandoffRateReasonsAndIntents()
    {
        await using var app = await AssistantFixture.StartAsync(Providers.Sqlite);
        var me = await app.CreateCustomerWithWalletAsync();

        var confirmed = app.Chat(me);
        await confirmed.SayAsync("how much are the fees?");
        await confirmed.SayAsync("yes");
        var asked = app.Chat(me, "zh");
        await asked.SayAsync("转人工");
        var fraud = app.Chat(me);
        await fraud.SayAsync("someone took money from my account, I didn't do this");
        await fraud.SayAsync("no");
        var quiet = app.Chat(me);
        await quiet.SayAsync("what are the limits for top ups");

        app.Clock.Advance(TimeSpan.FromHours(25));
        var open = app.Chat(me);
        await open.SayAsync("how do I verify my identity");

        var (_, supervisor) = await app.StaffClientAsync("supervisor");
        var metrics = await (await supervisor.GetAsync("/api/assistant/metrics?days=7")).ReadAsAsync<AssistantMetrics>();
        metrics.Conversations.ShouldBe(5);
        metrics.ResolvedConfirmed.ShouldBe(1);
        metrics.ResolvedQuiet.ShouldBe(1);
        metrics.HandedOff.ShouldBe(2);
        metrics.Open.ShouldBe(1);
        metrics.ContainmentRate.ShouldBe(0.5);
        metrics.HandoffRate.ShouldBe(0.4);
        metrics.HandoffReasons.ShouldBe([new HandoffReasonCount("asked", 1), new HandoffReasonCount("security", 1)], ignoreOrder: true);
        metrics.TopHandoffIntents.Select(i => i.Intent).ShouldBe(["suspicious_activity", "talk_to_human"], ignoreOrder: true);
        metrics.Messages.ShouldBe(7);

        var (_, agent) = await app.StaffClientAsync("agent");
        (await agent.GetAsync("/api/assistant/metrics")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ReplyDrafts_AreOffByDefault_AndSendOnlyRedactedTextToTheEndpoint()
    {
        await using (var plain = await AssistantFixture.StartAsync(Providers.Sqlite))
        {
            var (_, staff) = await plain.StaffClientAsync("agent");
            var me = await plain.CreateCustomerWithWalletAsync();
            var chat = plain.Chat(me);
            await chat.SayAsync("hello");
            (await staff.PostAsJsonAsync($"/api/assistant/conversations/{chat.Id}/draft", new DraftRequest(null))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        await using var fake = await FakeModelServer.StartAsync();
        await using var app = await AssistantFixture.StartAsync(Providers.Sqlite, new Dictionary<string, string?>
        {
            ["Assistant:Drafts:Enabled"] = "true",
            ["Assistant:Drafts:BaseUrl"] = fake.BaseUrl + "v1",
            ["Assistant:Drafts:ApiKey"] = "local-key",
            ["Assistant:Drafts:Model"] = "tiny-local",
        });
        var (_, agent) = await app.StaffClientAsync("agent");
        var customer = await app.CreateCustomerWithWalletAsync();
        var conversation = app.Chat(customer);
        // Straight into the assistant without intake, to prove the prompt is redacted on its own.
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<WalletDesk.Server.Features.Chat.IChatAssistant>().RespondAsync(
                new WalletDesk.Server.Features.Chat.AssistantInput(conversation.Id, customer.Customer.Id, false, "en", "I was charged twice on card 4111 1111 1111 1111, my password is Hunter22!", 1), CancellationToken.None);
        }

        var draft = await (await agent.PostAsJsonAsync($"/api/assistant/conversations/{conversation.Id}/draft", new DraftRequest("apologise"))).ReadAsAsync<ReplyDraft>();
        draft.Model.ShouldBe("tiny-local");
        draft.Text.ShouldStartWith("Sorry about the double charge");
        (draft.Text.Replace(" ", "").Contains("5555555555554444")).ShouldBeFalse("the model's own output is redacted on the way out");

        var request = fake.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/v1/chat/completions");
        request.Authorization.ShouldBe("Bearer local-key");
        var body = JsonNode.Parse(request.Body)!;
        body["model"]!.GetValue<string>().ShouldBe("tiny-local");
        var prompt = string.Join("\n", body["messages"]!.AsArray().Select(m => m!["content"]!.GetValue<string>()));
        prompt.ShouldContain("charged twice");
        prompt.ShouldContain("apologise");
        prompt.Replace(" ", "").ShouldNotContain("4111111111111111");
        prompt.ShouldNotContain("Hunter22!");

        fake.Fail = true;
        (await agent.PostAsJsonAsync($"/api/assistant/conversations/{conversation.Id}/draft", new DraftRequest(null))).StatusCode.ShouldBe(HttpStatusCode.BadGateway);
    }

    /// <summary>An OpenAI-compatible endpoint as a real Kestrel server: records requests, answers with a fixed completion.</summary>
    private sealed class FakeModelServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private FakeModelServer(WebApplication app) => _app = app;

        public ConcurrentQueue<(string Path, string Authorization, string Body)> Requests { get; } = new();

        public string BaseUrl { get; private set; } = "";

        public bool Fail { get; set; }

        public static async Task<FakeModelServer> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var fake = new FakeModelServer(app);
            app.MapPost("/v1/chat/completions", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync();
                if (fake.Fail)
                {
                    return Results.StatusCode(500);
                }

                fake.Requests.Enqueue((context.Request.Path.Value!, context.Request.Headers.Authorization.ToString(), body));
                return Results.Json(new JsonObject
                {
                    ["id"] = "cmpl-1",
                    ["object"] = "chat.completion",
                    ["model"] = "tiny-local",
                    ["choices"] = new JsonArray(new JsonObject
                    {
                        ["index"] = 0,
                        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = "Sorry about the double charge. I've checked card 5555 5555 5555 4444 and a refund is on its way." },
                        ["finish_reason"] = "stop",
                    }),
                });
            });
            await app.StartAsync();
            fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/";
            return fake;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
