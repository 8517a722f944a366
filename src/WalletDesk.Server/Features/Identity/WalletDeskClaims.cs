using System.Security.Claims;

namespace WalletDesk.Server.Features.Identity;

/// <summary>Claim names WalletDesk puts on its principals.</summary>
public static class WalletDeskClaims
{
    public const string Subject = "sub";
    public const string Name = "name";

    /// <summary>A staff member's display name: what customers see (the user name is for sign-in and the audit trail only).</summary>
    public const string DisplayName = "display_name";
    public const string Role = "role";
    public const string SessionId = "sid";
    public const string MfaSatisfied = "mfa";
    public const string AuthMethod = "amr";
    public const string Scope = "scope";
    public const string CustomerId = "customer_id";
    public const string ExternalId = "external_id";

    public const string MethodCookie = "cookie";
    public const string MethodApiToken = "api-token";
    public const string MethodCustomerToken = "customer-token";

    public static string? AuthMethodOf(this ClaimsPrincipal principal) => principal.FindFirstValue(AuthMethod);

    public static bool IsStaff(this ClaimsPrincipal principal) =>
        principal.AuthMethodOf() is MethodCookie or MethodApiToken && principal.FindFirstValue(Role) is not null;

    public static Guid? StaffId(this ClaimsPrincipal principal) =>
        principal.IsStaff() && Guid.TryParse(principal.FindFirstValue(Subject), out var id) ? id : null;

    /// <summary>The name to show customers for a staff member: the display name, never the user name (when it is known).</summary>
    public static string? StaffDisplayName(this ClaimsPrincipal principal) => principal.FindFirstValue(DisplayName) ?? principal.FindFirstValue(Name);

    public static Guid? CustomerIdOf(this ClaimsPrincipal principal) =>
        principal.AuthMethodOf() == MethodCustomerToken && Guid.TryParse(principal.FindFirstValue(CustomerId), out var id) ? id : null;

    public static StaffActor ToActor(this ClaimsPrincipal principal, HttpContext? http) => new(
        principal.StaffId() ?? Guid.Empty,
        principal.FindFirstValue(Name) ?? "unknown",
        principal.FindFirstValue(Role) ?? "",
        http?.Connection.RemoteIpAddress?.ToString());

    public static ClaimsPrincipal ForCustomer(WalletDesk.Server.Features.Customers.Customer customer, string scheme) => new(new ClaimsIdentity(
        [
            new Claim(Subject, customer.ExternalId),
            new Claim(ExternalId, customer.ExternalId),
            new Claim(CustomerId, customer.Id.ToString()),
            new Claim(Name, customer.DisplayName),
            new Claim(AuthMethod, MethodCustomerToken),
        ],
        scheme,
        Name,
        Role));

    public static ClaimsPrincipal ForStaff(StaffUser user, StaffSession session) => new(new ClaimsIdentity(
        [
            new Claim(Subject, user.Id.ToString()),
            new Claim(Name, user.UserName),
            new Claim(DisplayName, user.DisplayName),
            new Claim(Role, user.Role),
            new Claim(SessionId, session.Id),
            new Claim(MfaSatisfied, session.MfaSatisfied ? "true" : "false"),
            new Claim(AuthMethod, MethodCookie),
        ],
        IdentitySchemes.Console,
        Name,
        Role));
}

/// <summary>Authentication scheme names.</summary>
public static class IdentitySchemes
{
    public const string Default = "WalletDesk";
    public const string Console = "Console";
    public const string TwoFactorPending = "Console.TwoFactor";
    public const string ApiToken = "ApiToken";
    public const string CustomerToken = "CustomerToken";

    /// <summary>Anonymous web-chat visitors (server-issued, chat hub only).</summary>
    public const string ChatVisitor = "ChatVisitor";

    /// <summary>The customer portal's cookie, issued in exchange for a customer token.</summary>
    public const string CustomerPortal = "CustomerPortal";
}
