using System.Security.Claims;
using WalletDesk.Server.Features.Identity;

namespace WalletDesk.Server.Features.Knowledge;

/// <summary>Who may read what: internal articles are for staff only (and tokens with <c>kb:read</c>).</summary>
public static class KnowledgeAccess
{
    public static bool CanSeeInternal(ClaimsPrincipal? user)
    {
        if (user is null || !user.IsStaff())
        {
            return false;
        }

        var role = user.FindFirstValue(WalletDeskClaims.Role) ?? "";
        return user.AuthMethodOf() switch
        {
            WalletDeskClaims.MethodApiToken => user.HasClaim(WalletDeskClaims.Scope, ApiScopes.KbRead),
            // Supervisors and admins count only once their second factor is done, as everywhere else.
            WalletDeskClaims.MethodCookie => !StaffRoles.RequiresTwoFactor(role) || user.FindFirstValue(WalletDeskClaims.MfaSatisfied) == "true",
            _ => false,
        };
    }
}

/// <summary>Display names for the fixed category keys and the known section keys, per language.</summary>
public static class KbCategories
{
    private static readonly (string Key, string En, string Zh)[] Categories =
    [
        ("getting-started", "Getting started", "新手入门"),
        ("adding-money", "Adding money", "充值"),
        ("payments", "Payments", "付款"),
        ("transfers", "Transfers", "转账"),
        ("refunds", "Refunds", "退款"),
        ("account-access", "Account access", "登录与账户"),
        ("security", "Security", "账户安全"),
        ("fees-limits", "Fees and limits", "费用与限额"),
        ("contact-support", "Contact support", "联系客服"),
    ];

    private static readonly Dictionary<string, string> SectionsZh = new(StringComparer.Ordinal)
    {
        ["account-management"] = "账户管理", ["agent-playbooks"] = "客服手册", ["channels"] = "联系渠道", ["complaints"] = "投诉",
        ["disputes"] = "争议交易", ["fees"] = "费用", ["limits"] = "限额", ["login"] = "登录", ["managing-transfers"] = "管理转账",
        ["merchant-payments"] = "商户付款", ["monitoring"] = "账户动态", ["payment-methods"] = "支付方式", ["protect-account"] = "保护账户",
        ["recovery"] = "账户找回", ["refund-status"] = "退款进度", ["refund-types"] = "退款类型", ["registration"] = "注册",
        ["scams"] = "防骗", ["settlement"] = "到账时间", ["suspicious-activity"] = "可疑交易", ["top-ups"] = "充值",
        ["transfer-status"] = "转账状态", ["verification"] = "身份认证", ["verification-codes"] = "验证码", ["withdrawals"] = "提现",
    };

    public static IEnumerable<string> Order => Categories.Select(c => c.Key);

    public static int Rank(string key) => Array.FindIndex(Categories, c => c.Key == key) is var i and >= 0 ? i : Categories.Length;

    public static string Name(string key, string lang)
    {
        foreach (var c in Categories)
        {
            if (c.Key == key)
            {
                return lang == KbLanguages.Chinese ? c.Zh : c.En;
            }
        }

        return Humanize(key);
    }

    public static string SectionName(string key, string lang) =>
        lang == KbLanguages.Chinese && SectionsZh.TryGetValue(key, out var zh) ? zh : Humanize(key);

    private static string Humanize(string key) => key.Length == 0 ? key : char.ToUpperInvariant(key[0]) + key[1..].Replace('-', ' ');
}

/// <summary>Help-center URLs.</summary>
public static class KnowledgeLinks
{
    /// <summary>The article page; with a search id, opening it is recorded as that search's click.</summary>
    public static string Article(string slug, Guid? searchId = null) =>
        searchId is { } id ? $"/help/articles/{Uri.EscapeDataString(slug)}?sid={id:N}" : $"/help/articles/{Uri.EscapeDataString(slug)}";
}
