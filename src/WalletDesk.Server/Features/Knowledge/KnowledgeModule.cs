using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Knowledge.ImportExport;
using WalletDesk.Server.Features.Knowledge.Rendering;
using WalletDesk.Server.Features.Knowledge.Search;

namespace WalletDesk.Server.Features.Knowledge;

/// <summary>
/// Knowledge base: bilingual articles with revisions, safe Markdown, full-text search that works in Chinese,
/// the help center at <c>/help</c> (pages in Components/Pages/Help), editor pages at <c>/console/kb</c>,
/// deflection and search analytics. Design: docs/knowledge.md.
/// </summary>
public static class KnowledgeModule
{
    /// <summary>
    /// The deliberate decision that an endpoint is open to everyone (customers, anonymous visitors, the widget):
    /// it authenticates whoever presents credentials so staff see more, and refuses no one.
    /// </summary>
    public const string PublicReaderPolicy = "kb.public-reader";

    public static IServiceCollection AddKnowledge(this IServiceCollection services)
    {
        services.AddOptions<KnowledgeOptions>().BindConfiguration(KnowledgeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<KnowledgeVocabulary>();
        services.AddSingleton<KnowledgeIndex>();
        services.AddSingleton<MarkdownRenderer>();
        services.AddScoped<KnowledgeSearch>();
        services.AddScoped<KnowledgeService>();
        services.AddScoped<KnowledgeReader>();
        services.AddScoped<KnowledgeAnalytics>();
        services.AddScoped<KnowledgeImporter>();
        services.AddAuthorizationBuilder()
            .AddPolicy(PublicReaderPolicy, p => p.AddAuthenticationSchemes(IdentitySchemes.Default).RequireAssertion(_ => true));
        return services;
    }

    public static IEndpointRouteBuilder MapKnowledge(this IEndpointRouteBuilder app)
    {
        KnowledgeEndpoints.Map(app);
        return app;
    }
}
