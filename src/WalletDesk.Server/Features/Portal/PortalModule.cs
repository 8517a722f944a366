using Microsoft.AspNetCore.Authentication;
using WalletDesk.Server.Components;
using WalletDesk.Server.Features.Customers;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Server.Features.Portal;

/// <summary>
/// The customer portal's front door: the wallet app opens <c>/portal/session?token=…</c> in a web view; the token is
/// checked once and swapped for a short HttpOnly cookie, and the address bar loses the token at the next redirect.
/// </summary>
public static class PortalModule
{
    public static IEndpointRouteBuilder MapPortal(this IEndpointRouteBuilder app)
    {
        app.MapGet("/portal/session", StartSession).AllowAnonymous().RequireRateLimiting(RateLimits.Public).ExcludeFromDescription();
        app.MapPost("/portal/sign-out", SignOut).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/portal/tickets/{id:long}/attachments", UploadAttachment)
            .RequireAuthorization(StaffPolicies.Customer)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(WalletDesk.Server.Features.Attachments.AttachmentService.MultipartOverheadBytes + 25L * 1024 * 1024))
            .DisableAntiforgery()
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> StartSession(HttpContext http, CustomerTokenValidator validator, CustomerService customers, string? token, string? next)
    {
        var (identity, error) = token is null ? (null, "No token was given.") : await validator.ValidateAsync(token);
        if (identity is null)
        {
            // A code, never the validator's text: the signed-out page shows only messages we wrote (PortalNotices).
            var reason = token is null ? PortalNotices.SignedOut.Missing
                : error is CustomerTokenValidator.ExpiredMessage or CustomerTokenValidator.NotCurrentMessage ? PortalNotices.SignedOut.Expired
                : PortalNotices.SignedOut.Invalid;
            return TypedResults.Redirect("/portal/signed-out?reason=" + reason);
        }

        var customer = await customers.GetOrCreateFromTokenAsync(identity, http.RequestAborted);
        await http.SignInAsync(IdentitySchemes.CustomerPortal, WalletDeskClaims.ForCustomer(customer, IdentitySchemes.CustomerPortal));
        var target = next is not null && next.StartsWith("/portal", StringComparison.Ordinal) && !next.StartsWith("//", StringComparison.Ordinal) && !next.Contains('\\', StringComparison.Ordinal) ? next : "/portal";
        return TypedResults.Redirect(target);
    }

    /// <summary>The portal's upload form: checks the form's antiforgery token, stores the file through the attachment service, returns to the ticket.</summary>
    private static async Task<IResult> UploadAttachment(long id, HttpContext http, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery, WalletDesk.Server.Features.Attachments.AttachmentService attachments, CancellationToken ct)
    {
        // The body is read twice (antiforgery field, then the streamed file); buffering spills to disk beyond a small threshold.
        http.Request.EnableBuffering();
        var valid = await antiforgery.IsRequestValidAsync(http);
        http.Request.Body.Position = 0;
        if (!valid)
        {
            return TypedResults.Problem(title: "Invalid form", detail: "Reload the page and try again.", statusCode: StatusCodes.Status400BadRequest);
        }

        var customerId = http.User.CustomerIdOf()!.Value;
        try
        {
            var stored = await attachments.UploadAsync(http.Request, id, new WalletDesk.Server.Features.Attachments.Uploader(WalletDesk.Server.Features.Tickets.TicketActors.Customer, customerId.ToString(), null, customerId), false, null, ct);
            return stored is null ? TypedResults.NotFound() : TypedResults.Redirect($"/portal/tickets/{id}?uploaded=1");
        }
        catch (WalletDesk.Server.Features.Attachments.AttachmentRejectedException ex)
        {
            return TypedResults.Redirect($"/portal/tickets/{id}?uploadError={PortalNotices.UploadCodeFor(ex.Status, ex.LimitBytes)}");
        }
    }

    private static async Task<IResult> SignOut(HttpContext http, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return TypedResults.Problem(title: "Invalid form", detail: "Reload the page and try again.", statusCode: StatusCodes.Status400BadRequest);
        }

        await http.SignOutAsync(IdentitySchemes.CustomerPortal);
        return TypedResults.Redirect("/portal/signed-out");
    }
}
