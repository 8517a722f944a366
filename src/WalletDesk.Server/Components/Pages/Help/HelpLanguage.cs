using WalletDesk.Server.Features.Knowledge;

namespace WalletDesk.Server.Components.Pages.Help;

/// <summary>
/// The help center's language: <c>?lang=</c> (remembered in a cookie), else the cookie, else Accept-Language.
/// Article links stay language-free (<c>/help/articles/slug</c>) and resolve to the reader's language.
/// </summary>
public static class HelpLanguage
{
    public const string CookieName = "wd.lang";

    public static string Resolve(HttpContext http)
    {
        if (http.Items[CookieName] is string resolved)
        {
            return resolved;
        }

        var lang = ResolveOnce(http);
        http.Items[CookieName] = lang;
        return lang;
    }

    private static string ResolveOnce(HttpContext http)
    {
        var fromQuery = http.Request.Query["lang"].ToString();
        if (KbLanguages.IsKnown(fromQuery))
        {
            if (http.Request.Cookies[CookieName] != fromQuery && !http.Response.HasStarted)
            {
                http.Response.Cookies.Append(CookieName, fromQuery, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Lax,
                    Secure = http.Request.IsHttps,
                    MaxAge = TimeSpan.FromDays(365),
                    IsEssential = true,
                });
            }

            return fromQuery;
        }

        var fromCookie = http.Request.Cookies[CookieName];
        if (KbLanguages.IsKnown(fromCookie))
        {
            return fromCookie!;
        }

        var accept = http.Request.Headers.AcceptLanguage.ToString();
        return accept.TrimStart().StartsWith("zh", StringComparison.OrdinalIgnoreCase) ? KbLanguages.Chinese : KbLanguages.English;
    }
}

/// <summary>The help center's interface text in both languages.</summary>
public static class HelpText
{
    private static readonly Dictionary<string, (string En, string Zh)> Texts = new(StringComparer.Ordinal)
    {
        ["help-center"] = ("Help center", "帮助中心"),
        ["search-placeholder"] = ("Search for answers, e.g. \"refund not received\"", "搜索问题，例如“退款没到账”"),
        ["search"] = ("Search", "搜索"),
        ["how-can-we-help"] = ("How can we help?", "有什么可以帮你？"),
        ["results-for"] = ("Results for", "搜索结果："),
        ["showing-results-for"] = ("Showing results for", "已显示以下内容的结果："),
        ["control-characters"] = ("Your search contains a control character (such as a tab or a line break). Please type plain text.", "搜索内容含有控制字符（如制表符或换行符），请输入普通文字。"),
        ["no-results"] = ("No articles match your search. Try other words, or contact us below.", "没有找到相关文章。换个说法试试，或通过下方方式联系我们。"),
        ["other-language-note"] = ("This article is not available in English yet, so it is shown in Chinese.", "这篇文章暂时没有中文版，以下显示英文版。"),
        ["other-language"] = ("Chinese", "英文"),
        ["internal"] = ("Internal — staff only", "内部文章 · 仅员工可见"),
        ["last-reviewed"] = ("Last reviewed", "最近审核"),
        ["related"] = ("Related articles", "相关文章"),
        ["was-this-helpful"] = ("Was this article helpful?", "这篇文章对你有帮助吗？"),
        ["yes"] = ("Yes", "有帮助"),
        ["no"] = ("No", "没帮助"),
        ["comment-label"] = ("Tell us more (optional). Please don't include card numbers, codes or passwords.", "补充说明（选填）。请勿填写卡号、验证码或密码。"),
        ["thanks"] = ("Thanks for your feedback.", "感谢你的反馈。"),
        ["still-need-help"] = ("Still need help?", "仍需帮助？"),
        ["contact-intro"] = ("Contact us on the channel that suits you. Times are for our first reply.", "选择适合你的渠道联系我们，以下为首次回复时间。"),
        ["not-found"] = ("We couldn't find that article.", "找不到这篇文章。"),
        ["not-found-detail"] = ("It may have moved or been removed. Try searching instead.", "它可能已被移动或删除，请尝试搜索。"),
        ["articles"] = ("articles", "篇文章"),
        ["language"] = ("Language", "语言"),
        ["breadcrumbs"] = ("Breadcrumbs", "导航"),
    };

    public static string T(string lang, string key) =>
        Texts.TryGetValue(key, out var text) ? (lang == KbLanguages.Chinese ? text.Zh : text.En) : key;

    /// <summary>Published first-reply times per channel (the contact-support article is the source).</summary>
    public static IReadOnlyList<(string Channel, string How, string Reply, string Hours)> Channels(string lang) => lang == KbLanguages.Chinese
        ?
        [
            ("在线客服", "App 内：我的 > 帮助与客服 > 在线咨询；网页：帮助中心的聊天按钮", "2 分钟内", "7×24 小时"),
            ("电子邮件", "support@walletdesk.example", "4 小时内", "7×24 小时"),
            ("电话回拨", "App 内：我的 > 帮助与客服 > 预约回电", "1 个工作小时内回电", "周一至周五 09:00–18:00"),
            ("网页表单", "帮助中心的“联系我们”", "8 个工作小时内", "周一至周五 09:00–18:00 处理"),
            ("安全与欺诈举报", "以上任一渠道；在线客服中选择“安全或欺诈”", "15 分钟内", "7×24 小时"),
        ]
        :
        [
            ("Live chat", "In the app: Me > Help & Support > Chat with us; on the web: the chat button in the help center", "within 2 minutes", "24/7"),
            ("Email", "support@walletdesk.example", "within 4 hours", "24/7"),
            ("Phone callback", "In the app: Me > Help & Support > Request a call", "within 1 business hour", "Mon–Fri 09:00–18:00"),
            ("Web form", "Contact us in the help center", "within 8 business hours", "answered Mon–Fri 09:00–18:00"),
            ("Security and fraud reports", "Any channel above; in chat choose Security or fraud", "within 15 minutes", "24/7"),
        ];
}
