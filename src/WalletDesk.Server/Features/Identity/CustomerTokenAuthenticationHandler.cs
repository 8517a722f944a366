using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Features.Customers;

namespace WalletDesk.Server.Features.Identity;

internal sealed class CustomerTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    CustomerTokenValidator validator,
    CustomerService customers,
    WalletDesk.Server.Features.Audit.AuditService audit)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = BearerToken.From(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        var (identity, error) = await validator.ValidateAsync(presented);
        if (identity is null)
        {
            Context.Items["auth-error"] = error;
            // Rejected tokens are audited (the per-IP API rate limit bounds how fast this can grow).
            await audit.AppendAsync(new WalletDesk.Server.Features.Audit.AuditEvent(
                "customer.token.rejected", WalletDesk.Server.Features.Audit.AuditOutcomes.Denied, "anonymous",
                SourceIp: Context.Connection.RemoteIpAddress?.ToString(), Details: error), Context.RequestAborted);
            return AuthenticateResult.Fail(error ?? "The customer token is not valid.");
        }

        var customer = await customers.GetOrCreateFromTokenAsync(identity, Context.RequestAborted);
        var principal = WalletDeskClaims.ForCustomer(customer, Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Context.Items["auth-error"] ??= "A customer token is required.";
        return base.HandleChallengeAsync(properties);
    }
}
