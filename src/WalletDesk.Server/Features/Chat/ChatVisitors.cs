using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Customers;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Chat;

/// <summary>
/// Anonymous web visitors: each gets a support profile (a <see cref="Customer"/> with no wallet) and a short-lived,
/// server-signed token that works only on the chat hub. The name they give is unverified and shown as such.
/// </summary>
public sealed class ChatVisitors(IDataProtectionProvider protection, AppDbContext db, TicketIntake intake, TimeProvider time, IOptions<ChatOptions> options)
{
    public const string TokenPrefix = "wd_vis_";
    public const string Method = "visitor";
    private const string Purpose = "WalletDesk.Chat.Visitor.v1";

    public static Guid? VisitorIdOf(ClaimsPrincipal user) =>
        user.AuthMethodOf() == Method && Guid.TryParse(user.FindFirstValue(WalletDeskClaims.CustomerId), out var id) ? id : null;

    public async Task<VisitorToken> CreateAsync(VisitorRequest request, CancellationToken ct)
    {
        var name = request.Name?.Trim();
        if (name is { Length: > 80 })
        {
            throw new ChatException("name", "Names are at most 80 characters.");
        }

        name = intake.Field(name, 80);
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7();
        db.Customers.Add(new Customer
        {
            Id = id,
            ExternalId = "visitor:" + id.ToString("N"),
            DisplayName = string.IsNullOrEmpty(name) ? "Visitor" : $"{name} (visitor)",
            Locale = request.Language?.StartsWith("zh", StringComparison.OrdinalIgnoreCase) == true ? "zh" : "en",
            CreatedAt = now,
        });
        await db.SaveChangesAsync(ct);
        var expires = now.AddMinutes(options.Value.VisitorTokenMinutes);
        // The expiry travels inside the protected payload and is checked against TimeProvider: the time-limited protector
        // checks the machine clock instead, which disagrees with the server's clock in tests (and under a faked one).
        var payload = $"{id:N}|{expires.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        var token = TokenPrefix + protection.CreateProtector(Purpose).Protect(payload);
        return new VisitorToken(token, expires, id);
    }

    /// <summary>Tokens issued before the expiry moved into the payload (time-limited protector): valid until they expire.</summary>
    private Guid? ValidateEarlierFormat(string token)
    {
        try
        {
            var payload = protection.CreateProtector(Purpose).ToTimeLimitedDataProtector().Unprotect(token[TokenPrefix.Length..], out var expires);
            return expires > time.GetUtcNow() && Guid.TryParseExact(payload, "N", out var id) ? id : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    /// <summary>The visitor's id when the token is genuine and unexpired.</summary>
    public Guid? Validate(string token)
    {
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var payload = protection.CreateProtector(Purpose).Unprotect(token[TokenPrefix.Length..]).Split('|');
            return payload.Length == 2
                && long.TryParse(payload[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                && DateTimeOffset.FromUnixTimeSeconds(seconds) > time.GetUtcNow()
                && Guid.TryParseExact(payload[0], "N", out var id) ? id : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return ValidateEarlierFormat(token);
        }
    }
}

internal sealed class ChatVisitorAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ChatVisitors visitors,
    AppDbContext db)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = BearerToken.From(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        // Visitor tokens open the chat hub only; everything else treats them as anonymous.
        if (!Request.Path.StartsWithSegments("/hubs/chat"))
        {
            return AuthenticateResult.Fail("Visitor tokens are valid only for live chat.");
        }

        var id = visitors.Validate(presented);
        var customer = id is null ? null : await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, Context.RequestAborted);
        if (customer is null)
        {
            Context.Items["auth-error"] = "The visitor token is not valid or has expired.";
            return AuthenticateResult.Fail("The visitor token is not valid or has expired.");
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(WalletDeskClaims.Subject, customer.ExternalId),
                new Claim(WalletDeskClaims.CustomerId, customer.Id.ToString()),
                new Claim(WalletDeskClaims.Name, customer.DisplayName),
                new Claim(WalletDeskClaims.AuthMethod, ChatVisitors.Method),
            ],
            Scheme.Name,
            WalletDeskClaims.Name,
            WalletDeskClaims.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }
}
