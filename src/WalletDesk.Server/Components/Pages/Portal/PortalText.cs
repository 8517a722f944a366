using Microsoft.EntityFrameworkCore;

namespace WalletDesk.Server.Components;

/// <summary>Picks the portal's language: ?lang=, else the customer's profile, else the browser.</summary>
public static class PortalText
{
    public static bool IsChinese(HttpContext? http)
    {
        if (http is null)
        {
            return false;
        }

        if (http.Request.Query.TryGetValue("lang", out var lang))
        {
            return lang.ToString().StartsWith("zh", StringComparison.OrdinalIgnoreCase);
        }

        if (http.Items.TryGetValue("portal.locale", out var cached) && cached is string locale)
        {
            return locale == "zh";
        }

        var id = WalletDesk.Server.Features.Identity.WalletDeskClaims.CustomerIdOf(http.User);
        if (id is not null)
        {
            var db = http.RequestServices.GetRequiredService<WalletDesk.Server.Data.AppDbContext>();
            var found = db.Customers.AsNoTracking().Where(c => c.Id == id).Select(c => c.Locale).SingleOrDefault() ?? "en";
            http.Items["portal.locale"] = found;
            return found == "zh";
        }

        return http.Request.Headers.AcceptLanguage.ToString().StartsWith("zh", StringComparison.OrdinalIgnoreCase);
    }
}
