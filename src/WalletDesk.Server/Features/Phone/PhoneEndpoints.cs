using System.Security.Claims;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Server.Features.Phone;

internal static class PhoneEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var webhookLimit = app.ServiceProvider.GetRequiredService<IOptions<PhoneOptions>>().Value.WebhookMaxBodyBytes;

        // The customer is taken from the token only; nothing in a request body can name another customer or a number.
        var mine = app.MapGroup("/api/me/callbacks").WithTags("Customer callbacks").RequireAuthorization(StaffPolicies.Customer).AddEndpointFilter(TranslateErrors);
        mine.MapPost("/", RequestCallback);
        mine.MapGet("/", ListMyCallbacks);
        mine.MapPost("/{callbackId:guid}/cancel", CancelCallback);

        var queue = app.MapGroup("/api/callbacks").WithTags("Callbacks").AddEndpointFilter(TranslateErrors);
        queue.MapGet("/", ListQueue).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsRead);
        queue.MapGet("/{callbackId:guid}", GetCallback).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsRead);
        queue.MapPost("/{callbackId:guid}/claim", ClaimCallback).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsWrite);
        queue.MapPost("/{callbackId:guid}/release", ReleaseCallback).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsWrite);
        queue.MapPost("/{callbackId:guid}/complete", CompleteCallback).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsWrite);

        var calls = app.MapGroup("/api/tickets/{id:long}/calls").WithTags("Calls").AddEndpointFilter(TranslateErrors);
        calls.MapPost("/", LogCall).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsWrite);
        calls.MapGet("/", ListCalls).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsRead);

        // Anonymous by design: the provider authenticates with the HMAC signature, checked before the body is parsed.
        app.MapPost("/api/telephony/events", ReceiveTelephonyEvent).WithTags("Telephony").AllowAnonymous()
            .RequireRateLimiting(RateLimits.Public).DisableAntiforgery().WithMetadata(new BodyLimit(webhookLimit)).AddEndpointFilter(TranslateErrors);
    }

    private static async Task<IResult> RequestCallback(RequestCallbackRequest request, CallbackService callbacks, ClaimsPrincipal user, CancellationToken ct)
    {
        var result = await callbacks.RequestAsync(user.CustomerIdOf()!.Value, user.FindFirstValue(WalletDeskClaims.Name),
            new NewCallback(request.WindowStart, request.WindowEnd, request.Topic, request.TicketId, request.ClientRequestId), ct);
        if (result is null)
        {
            return Problems.NotFound("The ticket");
        }

        var response = ToCustomer(result.Callback, result.Notice?.English);
        return result.Duplicate ? TypedResults.Ok(response) : TypedResults.Created($"/api/me/callbacks/{result.Callback.Id}", response);
    }

    private static async Task<IResult> ListMyCallbacks(CallbackService callbacks, ClaimsPrincipal user, CancellationToken ct) =>
        TypedResults.Ok((await callbacks.ListForCustomerAsync(user.CustomerIdOf()!.Value, ct)).Select(c => ToCustomer(c, null)).ToList());

    private static async Task<IResult> CancelCallback(Guid callbackId, CallbackService callbacks, ClaimsPrincipal user, CancellationToken ct) =>
        await callbacks.CancelAsync(user.CustomerIdOf()!.Value, callbackId, ct) is { } c ? TypedResults.Ok(ToCustomer(c, null)) : Problems.NotFound("The callback");

    private static async Task<IResult> ListQueue(CallbackService callbacks, ClaimsPrincipal user, CancellationToken ct, string? status = null, int limit = 100) =>
        TypedResults.Ok((await callbacks.ListQueueAsync(status, user.StaffId(), limit, ct)).Select(ToStaff).ToList());

    private static async Task<IResult> GetCallback(Guid callbackId, CallbackService callbacks, CancellationToken ct) =>
        await callbacks.FindAsync(callbackId, ct) is { } c ? TypedResults.Ok(ToStaff(c)) : Problems.NotFound("The callback");

    private static async Task<IResult> ClaimCallback(Guid callbackId, CallbackService callbacks, ClaimsPrincipal user, CancellationToken ct) =>
        await callbacks.ClaimAsync(callbackId, user.StaffId()!.Value, user.FindFirstValue(WalletDeskClaims.Name), ct) is { } c ? TypedResults.Ok(ToStaff(c)) : Problems.NotFound("The callback");

    private static async Task<IResult> ReleaseCallback(Guid callbackId, CallbackService callbacks, ClaimsPrincipal user, CancellationToken ct) =>
        await callbacks.ReleaseAsync(callbackId, user.StaffId()!.Value, ct) is { } c ? TypedResults.Ok(ToStaff(c)) : Problems.NotFound("The callback");

    private static async Task<IResult> CompleteCallback(Guid callbackId, CompleteCallbackRequest request, CallbackService callbacks, ClaimsPrincipal user, CancellationToken ct) =>
        await callbacks.CompleteAsync(callbackId, user.StaffId()!.Value, user.FindFirstValue(WalletDeskClaims.Name), request.Outcome, request.DurationSeconds, request.Notes, ct) is { } done
            ? TypedResults.Ok(new CompleteCallbackResponse(ToStaff(done.Callback), ToResponse(done.Call)))
            : Problems.NotFound("The callback");

    private static async Task<IResult> LogCall(long id, LogCallRequest request, CallLogService calls, ClaimsPrincipal user, CancellationToken ct) =>
        await calls.LogAsync(id, request.CallbackId, request.Direction, request.Outcome, request.DurationSeconds, request.Notes, request.StartedAt, user.StaffId()!.Value, user.FindFirstValue(WalletDeskClaims.Name), ct) is { } log
            ? TypedResults.Created($"/api/tickets/{id}/calls", ToResponse(log))
            : Problems.NotFound("The ticket");

    private static async Task<IResult> ListCalls(long id, CallLogService calls, CancellationToken ct) =>
        await calls.ListAsync(id, ct) is { } list ? TypedResults.Ok(list.Select(ToResponse).ToList()) : Problems.NotFound("The ticket");

    private static async Task<IResult> ReceiveTelephonyEvent(HttpContext http, TelephonyWebhook webhook, IOptions<PhoneOptions> options, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(options.Value.WebhookSecret))
        {
            return TypedResults.Problem(title: "Telephony webhook not configured", detail: "Set Phone:WebhookSecret to receive call events.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var body = await ReadBodyAsync(http.Request, options.Value.WebhookMaxBodyBytes, ct);
        if (body is null)
        {
            return TypedResults.Problem(title: "Request too large", detail: $"Call events are at most {options.Value.WebhookMaxBodyBytes:N0} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        // One answer for every signature failure (missing, malformed, wrong, expired): nothing to learn by probing.
        if (!webhook.IsAuthentic(http.Request.Headers[TelephonyWebhook.TimestampHeader], http.Request.Headers[TelephonyWebhook.SignatureHeader], body))
        {
            return TypedResults.Problem(title: "Invalid signature", detail: "The request signature is missing, invalid or outside the allowed time window.", statusCode: StatusCodes.Status401Unauthorized);
        }

        var result = await webhook.ApplyAsync(body, ct);
        return TypedResults.Ok(result);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int max, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static CustomerCallbackResponse ToCustomer(CallbackRequest c, string? notice) =>
        new(c.Id, c.TicketId, c.Status, c.Topic, c.MaskedPhone, c.WindowStart, c.WindowEnd, c.CreatedAt, notice);

    private static CallbackResponse ToStaff(CallbackRequest c) => new(
        c.Id, c.CustomerId, c.TicketId, c.Status, c.Topic, c.MaskedPhone, c.WalletAccountId, c.TimeZone, c.WindowStart, c.WindowEnd,
        c.ClaimedById, c.ClaimedByName, c.ClaimedAt, c.CompletedAt, c.Outcome, c.CreatedAt);

    private static CallLogResponse ToResponse(CallLog c) => new(
        c.Id, c.TicketId, c.CallbackId, c.Direction, c.Source, c.State, c.Outcome, c.StartedAt, c.EndedAt, c.DurationSeconds, c.MaskedNumber, c.Notes,
        c.Redactions.Split(' ', StringSplitOptions.RemoveEmptyEntries), c.AgentName, c.CreatedAt);

    private static async ValueTask<object?> TranslateErrors(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (PhoneValidationException ex)
        {
            return Problems.Validation(ex.Field, ex.Message);
        }
        catch (TicketValidationException ex)
        {
            return Problems.Validation(ex.Field, ex.Message);
        }
        catch (PhoneStateException ex)
        {
            return TypedResults.Problem(title: ex.Title, detail: ex.Message, statusCode: ex.Status);
        }
        catch (WalletUnavailableException)
        {
            context.HttpContext.Response.Headers.RetryAfter = "60";
            return TypedResults.Problem(title: "The wallet is not answering", detail: "We could not reach your wallet profile. Nothing was changed; try again in a minute.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private sealed class BodyLimit(long bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => bytes;
    }
}
