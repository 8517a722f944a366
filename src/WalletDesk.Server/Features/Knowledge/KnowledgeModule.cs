using Microsoft.Extensions.Options;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Knowledge.ImportExport;
using WalletDesk.Server.Features.Knowledge.Rendering;
using WalletDesk.Server.Features.Knowledge.Search;
using WalletDesk.Server.Infrastructure;

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
        services.AddOptions<KnowledgeOptions>().BindConfiguration(KnowledgeOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => o.AllowedImageHosts.All(KnowledgeOptions.IsHostName), "Knowledge:AllowedImageHosts holds plain host names only (images.example.com: no scheme, port, path or wildcard).")
            .Validate(o => KnowledgeSynonyms.Validate(o.Synonyms) is null, "Knowledge:Synonyms: each entry needs at least two comma-separated phrases of at most four words (see docs/knowledge.md).")
            .ValidateOnStart();
        services.AddSingleton<KnowledgeSynonyms>();
        // Article images on allowed hosts must also pass the CSP, or the sanitizer keeps images the browser then blocks.
        services.AddOptions<SecurityHeadersOptions>().Configure<IOptions<KnowledgeOptions>>((headers, kb) => headers.ImageHosts.AddRange(kb.Value.AllowedImageHosts));
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
