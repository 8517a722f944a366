using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Localization;

namespace WalletDesk.Server.Localization;

/// <summary>
/// The words for the product's codes (statuses, priorities, channels, SLA clocks, transaction states, history kinds) in
/// the viewer's language: one catalog per language (<c>Words.resx</c>, <c>Words.zh-CN.resx</c>) read through
/// <see cref="IStringLocalizer{Words}"/>. The request's culture comes from <c>?lang=</c>, the <c>wd_lang</c> cookie, then
/// the browser's Accept-Language (en or zh-CN). A code with no word is shown as it is, never blank.
/// </summary>
public sealed class Words(IStringLocalizer<Words> localizer)
{
    public const string LanguageCookie = "wd_lang";

    public static readonly CultureInfo[] Cultures = [new("en"), new("zh-CN")];

    public static bool IsChinese => CultureInfo.CurrentUICulture.Name.StartsWith("zh", StringComparison.Ordinal);

    public string Status(string code) => Word("status", code);

    public string Priority(string code) => Word("priority", code);

    public string Channel(string code) => Word("channel", code);

    public string SlaMetric(object metric) => Word("sla", metric.ToString()!);

    public string SlaState(object state) => Word("sla", state.ToString()!);

    public string TransactionStatus(string code) => Word("tx", code);

    public string TransactionType(string code) => Word("txtype", code);

    public string AccountStatus(string code) => Word("account", code);

    public string EventKind(string code) => Word("event", code);

    /// <summary>A history value: a status, priority, wallet-action stage or SLA recipient when it is one, else as stored.</summary>
    public string Value(string? code) => code is null ? "" : Find("status", code) ?? Find("priority", code) ?? Find("stage", code) ?? Find("recipient", code) ?? Find("txtype", code) ?? code;

    public string SolvedBy(string? code) => code is null ? "" : Word("solved_by", code);

    private string Word(string group, string code) => Find(group, code) ?? code.Replace('_', ' ');

    private string? Find(string group, string code)
    {
        var found = localizer[$"{group}.{code}"];
        return found.ResourceNotFound ? null : found.Value;
    }
}

public static class LocalizationModule
{
    public static IServiceCollection AddWalletDeskLocalization(this IServiceCollection services)
    {
        services.AddLocalization();
        services.AddSingleton<Words>();
        return services;
    }

    /// <summary>Sets the request's culture (en or zh-CN) from ?lang=, the wd_lang cookie, then Accept-Language.</summary>
    public static WebApplication UseWalletDeskLocalization(this WebApplication app)
    {
        var options = new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture("en"),
            SupportedCultures = Words.Cultures,
            SupportedUICultures = Words.Cultures,
            FallBackToParentCultures = true,
            FallBackToParentUICultures = true,
        };
        options.RequestCultureProviders =
        [
            new QueryStringRequestCultureProvider { QueryStringKey = "lang", UIQueryStringKey = "lang" },
            new CookieRequestCultureProvider { CookieName = Words.LanguageCookie },
            new AcceptLanguageHeaderRequestCultureProvider(),
        ];
        app.UseRequestLocalization(options);
        return app;
    }
}
