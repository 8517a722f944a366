using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Knowledge;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Knowledge;

/// <summary>A small, controlled corpus (each test word appears only where the test needs it) and the callers tests use.</summary>
internal static class KbTestData
{
    private static readonly ConcurrentDictionary<WalletDeskFactory, Lazy<Task>> Seeded = new();

    public static Task EnsureAsync(WalletDeskFactory app) => Seeded.GetOrAdd(app, a => new Lazy<Task>(() => SeedAsync(a))).Value;

    private static async Task SeedAsync(WalletDeskFactory app)
    {
        await PublishedAsync(app, "kbt-cjk", KbLanguages.Chinese, "到账问题", "我的转账还没有到账，怎么办？请在账单里查看状态。", "transfers");
        await PublishedAsync(app, "kbt-gizmo-title", KbLanguages.English, "Gizmo setup", "A short page.", "getting-started");
        await PublishedAsync(app, "kbt-gizmo-body", KbLanguages.English, "Other device questions",
            "The gizmo, the gizmo and the gizmo again. Every gizmo needs a gizmo cable; a gizmo is a gizmo.", "getting-started");
        await PublishedAsync(app, "kbt-refund", KbLanguages.English, "Getting money back", "We send the refund to your card within 5 days.", "refunds");
        await PublishedAsync(app, "kbt-tracking", KbLanguages.English, "Parcel questions", "A courier tracked the parcel until delivery.", "payments");
        await PublishedAsync(app, "kbt-hostile", KbLanguages.English, "Hostile <img src=x onerror=alert(1)> wombat",
            "Text <script>alert('x')</script> about the wombat & \"quotes\" <b onclick=alert(1)>here</b>.\n\n[wombat link](javascript:alert(1))", "security");
        await PublishedAsync(app, "kbt-en-only", KbLanguages.English, "Quokka care guide", "Quokkas need shade.", "getting-started");
        await PublishedAsync(app, "kbt-internal", KbLanguages.English, "Zebra escalation procedure", "Internal zebra steps for agents.", "security", ArticleVisibility.Internal);

        await using var scope = app.Scope();
        var service = scope.ServiceProvider.GetRequiredService<KnowledgeService>();
        await service.CreateAsync(Request("kbt-draft", KbLanguages.English, "Zebra draft feature", "Unreleased zebra text.", "security", ArticleVisibility.Public), null);
        await PublishedAsync(app, "kbt-archived", KbLanguages.English, "Archived zebra policy", "Old zebra text.", "security");
        await service.SetStatusAsync("kbt-archived", KbLanguages.English, ArticleStatus.Archived, null);
    }

    public static async Task PublishedAsync(WalletDeskFactory app, string slug, string lang, string title, string body, string category, string visibility = ArticleVisibility.Public)
    {
        await using var scope = app.Scope();
        var service = scope.ServiceProvider.GetRequiredService<KnowledgeService>();
        await service.CreateAsync(Request(slug, lang, title, body, category, visibility), null);
        await service.SetStatusAsync(slug, lang, ArticleStatus.Published, null);
    }

    private static CreateArticleRequest Request(string slug, string lang, string title, string body, string category, string visibility) =>
        new(slug, category, "test-section", visibility, [], [new TranslationInput(lang, title, body, [])]);

    /// <summary>A signed-in supervisor (with two-factor done) whose client sends the CSRF header.</summary>
    public static async Task<HttpClient> SupervisorAsync(WalletDeskFactory app) =>
        await (await app.SignInAsync(await app.CreateStaffAsync(StaffRoles.Supervisor, withTotp: true))).WithCsrfAsync();

    public static async Task<HttpClient> AgentAsync(WalletDeskFactory app) =>
        await (await app.SignInAsync(await app.CreateStaffAsync(StaffRoles.Agent))).WithCsrfAsync();

    /// <summary>A wallet customer presenting a token from the wallet's backend.</summary>
    public static HttpClient Customer(WalletDeskFactory app)
    {
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "demo-wallet",
            Audience = "walletdesk",
            Claims = new Dictionary<string, object> { ["sub"] = "cust_kb_" + Guid.NewGuid().ToString("N")[..8] },
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(TestKeys.CustomerSigningKey)), SecurityAlgorithms.HmacSha256),
        });
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
