using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WalletDesk.HubClient;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Chat;
using WalletDesk.Server.Tests.Infrastructure;
using WalletDesk.Server.Tests.Phone;

namespace WalletDesk.Server.Tests.Intake;

/// <summary>
/// Names and profile fields are text from outside like any message (issue 15): every door that creates or changes a
/// customer, visitor or callback passes them through intake before they are stored, shown or broadcast.
/// </summary>
public sealed class EnteringNamesAndProfileFieldsTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    private const string Card = "4111 1111 1111 1111";
    private const string CardDigits = "4111111111111111";
    private const string CardMask = "411111******1111";
    private const string ResidentId = "110101199003074514";
    private const string ResidentIdMask = "110***********4514";

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task CustomerToken_ClaimsHoldCardAndResidentId_ProfileStoredAndShownMasked(string provider)
    {
        var app = await fixture.For(provider);
        var externalId = "cust-" + Guid.NewGuid().ToString("N")[..12];
        var client = TokenClient(app, externalId, new()
        {
            ["name"] = $"Li Wei card {Card}",
            ["email"] = $"{CardDigits}@example.com",
            ["phone_number"] = "+86 138 0013 8000",
        });

        var me = await (await client.GetAsync("/api/me")).ReadAsAsync<CustomerMeResponse>();
        var written = await (await client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest(
            "Refund please", $"My ID is {ResidentId}", "payment_failed", "en", null, null))).ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);

        me.DisplayName.ShouldBe($"Li Wei card {CardMask}");
        var customer = await app.WithDbAsync(db => db.Customers.AsNoTracking().SingleAsync(c => c.ExternalId == externalId));
        customer.DisplayName.ShouldBe($"Li Wei card {CardMask}");
        customer.Email.ShouldBe($"{CardMask}@example.com");
        customer.Phone.ShouldBe("+86 138 0013 8000", "a contact field keeps the number it is for");
        var message = await app.WithDbAsync(db => db.TicketMessages.AsNoTracking().SingleAsync(m => m.Id == written.MessageId));
        message.AuthorName.ShouldBe($"Li Wei card {CardMask}");
        message.Body.ShouldBe($"My ID is {ResidentIdMask}");
        message.Redactions.ShouldContain("residentid");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task CustomerToken_ProfileStoredBeforeIntake_IsCleanedOnNextVisit(string provider)
    {
        var app = await fixture.For(provider);
        var externalId = "cust-" + Guid.NewGuid().ToString("N")[..12];
        var client = TokenClient(app, externalId, new() { ["name"] = "Zhang San" });
        var id = (await (await client.GetAsync("/api/me")).ReadAsAsync<CustomerMeResponse>()).Id;
        await app.WithDbAsync(db => db.Customers.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.DisplayName, $"Zhang San {ResidentId}")));

        var me = await (await TokenClient(app, externalId, []).GetAsync("/api/me")).ReadAsAsync<CustomerMeResponse>();

        me.DisplayName.ShouldBe($"Zhang San {ResidentIdMask}");
        (await app.WithDbAsync(db => db.Customers.AsNoTracking().SingleAsync(c => c.Id == id))).DisplayName.ShouldBe($"Zhang San {ResidentIdMask}");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Visitor_NameHoldsCardNumber_StoredAndBroadcastMasked(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        CatchUpWithTheRealClock(kit);
        var (agent, _) = await kit.AgentAsync();
        var visitor = await kit.VisitorAsync($"Ana{CardDigits}");

        var state = await visitor.Hub.InvokeAsync<ChatState>("Start", new StartChat("v-1", "Hello, my top-up failed"));

        var visitorId = await VisitorIdAsync(kit, state.ConversationId);
        var stored = await kit.App.WithDbAsync(db => db.Customers.AsNoTracking().SingleAsync(c => c.Id == visitorId));
        stored.DisplayName.ShouldBe($"Ana{CardMask} (visitor)");
        var queue = await agent.Hub.InvokeAsync<QueueSnapshot>("Queue");
        queue.Waiting.Concat(queue.Mine).ShouldContain(e => e.ConversationId == state.ConversationId && e.CustomerName == $"Ana{CardMask} (visitor)");
        var history = await agent.Hub.InvokeAsync<ChatSync>("Resume", state.ConversationId, 0);
        history.Messages.ShouldContain(m => m.Seq == 1 && m.AuthorName == $"Ana{CardMask} (visitor)");
        agent.Events.ShouldNotContain(e => e.Payload.GetRawText().Contains(CardDigits, StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Visitor_ContactHoldsCardNumber_IsRefusedAndNothingStored(string provider)
    {
        await using var kit = await ChatKit.StartAsync(provider, ChatKit.HumanFirst);
        CatchUpWithTheRealClock(kit);
        var visitor = await kit.VisitorAsync("Ana");
        var state = await visitor.Hub.InvokeAsync<ChatState>("Start", new StartChat("v-2", "Can I use the wallet abroad?"));

        var byEmail = await Should.ThrowAsync<HubCallException>(() => visitor.Hub.InvokeAsync<ChatState>("LeaveContact", state.ConversationId, $"{CardDigits}@example.com", null));
        var byPhone = await Should.ThrowAsync<HubCallException>(() => visitor.Hub.InvokeAsync<ChatState>("LeaveContact", state.ConversationId, null, $"+{CardDigits}"));

        byEmail.Message.ShouldContain("does not look right");
        byPhone.Message.ShouldContain("does not look right");
        byEmail.Message.ShouldNotContain(CardDigits);
        var conversation = await kit.App.WithDbAsync(db => db.ChatConversations.AsNoTracking().SingleAsync(c => c.TicketId == state.ConversationId));
        conversation.ContactEmail.ShouldBeNull();
        conversation.ContactPhone.ShouldBeNull();
        (await visitor.Hub.InvokeAsync<ChatState>("LeaveContact", state.ConversationId, "ana@example.com", "+8613800138000")).ContactKnown.ShouldBeTrue();
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Callback_CustomerNameAndTopicHoldCardNumbers_TicketAndCallbackMasked(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider, PhoneFixture.Settings);
        var customer = await app.CreatePhoneCustomerAsync();
        await app.WithDbAsync(db => db.Customers.Where(c => c.Id == customer.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.DisplayName, $"Wang {Card}")));

        var callback = await customer.RequestCallbackAsync(app, topic: $"card {Card} was charged twice, ID {ResidentId}");

        callback.Topic.ShouldBe($"card {CardMask} was charged twice, ID {ResidentIdMask}");
        var messages = await app.WithDbAsync(db => db.TicketMessages.AsNoTracking().Where(m => m.TicketId == callback.TicketId).ToListAsync());
        messages.ShouldContain(m => m.AuthorType == TicketActors.Customer && m.AuthorName == $"Wang {CardMask}");
        messages.ShouldAllBe(m => !m.Body.Contains(CardDigits) && !m.Body.Contains(Card) && !m.Body.Contains(ResidentId));
        var stored = await app.WithDbAsync(db => db.CallbackRequests.AsNoTracking().SingleAsync(c => c.Id == callback.Id));
        stored.Topic.ShouldNotContain(ResidentId);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Intake_OperatorTurnsOnPhoneNumbers_MessagesMaskedButContactFieldsKept(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider, new Dictionary<string, string?> { ["Redaction:PhoneNumbers"] = "true" });
        var externalId = "cust-" + Guid.NewGuid().ToString("N")[..12];
        var client = TokenClient(app, externalId, new() { ["name"] = "Chen", ["phone_number"] = "+86 138 0013 8000" });

        var written = await (await client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest(
            "Call me", "Please call me on +86 139 0013 9000", "payment_failed", "en", null, null))).ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);

        var message = await app.WithDbAsync(db => db.TicketMessages.AsNoTracking().SingleAsync(m => m.Id == written.MessageId));
        message.Body.ShouldBe("Please call me on ****9000");
        (await app.WithDbAsync(db => db.Customers.AsNoTracking().SingleAsync(c => c.ExternalId == externalId))).Phone.ShouldBe("+86 138 0013 8000");
    }

    [Fact]
    public async Task Start_RedactionSectionHasUnknownKey_Fails()
    {
        var failed = await Should.ThrowAsync<Exception>(async () =>
        {
            await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite, new Dictionary<string, string?> { ["Redaction:Pasports"] = "true" });
            _ = app.Services.GetRequiredService<TicketIntake>();
        });

        failed.ToString().ShouldContain("Pasports");
    }

    // Visitor tokens are time-limited by ASP.NET Core Data Protection, which checks expiry against the system clock, not
    // the injected TimeProvider; with the test clock frozen in the past every visitor token would read as expired.
    private static void CatchUpWithTheRealClock(ChatKit kit)
    {
        var behind = TimeProvider.System.GetUtcNow() - kit.App.Clock.GetUtcNow();
        if (behind > TimeSpan.Zero)
        {
            kit.App.Clock.Advance(behind);
        }
    }

    private static async Task<Guid> VisitorIdAsync(ChatKit kit, long conversationId) =>
        await kit.App.WithDbAsync(db => db.ChatConversations.AsNoTracking().Where(c => c.TicketId == conversationId).Select(c => c.CustomerId).SingleAsync());

    private static HttpClient TokenClient(WalletDeskFactory app, string externalId, Dictionary<string, object> claims)
    {
        var now = app.Clock.GetUtcNow().UtcDateTime;
        claims["sub"] = externalId;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "demo-wallet",
            Audience = "walletdesk",
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(TestKeys.CustomerSigningKey)), SecurityAlgorithms.HmacSha256),
        });
        var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
