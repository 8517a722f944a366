using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Features.Customers;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Wallet.Http;
using WalletDesk.Server.Features.Wallet.Ledger;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Server.Features.Wallet;

public static class WalletModule
{
    public static IServiceCollection AddWallet(this IServiceCollection services)
    {
        services.AddOptions<WalletOptions>().BindConfiguration(WalletOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<LedgerService>();
        services.AddSingleton<ReferenceWalletGateway>();
        services.AddSingleton(sp => new HttpWalletGateway(sp.GetRequiredService<IOptions<WalletOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<HttpWalletGateway>>()));
        services.AddSingleton<IWalletGateway>(sp => sp.GetRequiredService<IOptions<WalletOptions>>().Value.IsHttp
            ? sp.GetRequiredService<HttpWalletGateway>()
            : sp.GetRequiredService<ReferenceWalletGateway>());
        services.AddSingleton<TransactionExplainer>();
        services.AddSingleton<WalletSupportService>();
        services.AddScoped<WalletDemoSeeder>();
        services.AddHostedService<SettlementJob>();
        return services;
    }

    public static IEndpointRouteBuilder MapWallet(this IEndpointRouteBuilder app)
    {
        WalletEndpoints.Map(app);
        return app;
    }
}

internal static class WalletEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var staff = app.MapGroup("/api/wallet").WithTags("Wallet").AddEndpointFilter(TranslateErrors);
        staff.MapGet("/customers/{customerId:guid}", GetWalletProfile).RequireStaff(StaffRoles.Agent, ApiScopes.WalletRead);
        staff.MapGet("/customers/{customerId:guid}/balances", GetBalances).RequireStaff(StaffRoles.Agent, ApiScopes.WalletRead);
        staff.MapGet("/customers/{customerId:guid}/transactions", ListTransactions).RequireStaff(StaffRoles.Agent, ApiScopes.WalletRead);
        staff.MapGet("/customers/{customerId:guid}/transactions/{idOrReference}", GetTransaction).RequireStaff(StaffRoles.Agent, ApiScopes.WalletRead);
        staff.MapGet("/customers/{customerId:guid}/security-events", ListSecurityEvents).RequireStaff(StaffRoles.Agent, ApiScopes.WalletRead);
        staff.MapGet("/customers/{customerId:guid}/timeline", ListTimeline).RequireStaff(StaffRoles.Agent, ApiScopes.WalletRead);
        staff.MapGet("/customers/{customerId:guid}/actions", ListActions).RequireStaff(StaffRoles.Agent, ApiScopes.WalletRead);
        staff.MapPost("/customers/{customerId:guid}/step-up", StartStepUp).RequireStaff(StaffRoles.Agent, ApiScopes.WalletAct);
        staff.MapPost("/customers/{customerId:guid}/actions", CreateAction).RequireStaff(StaffRoles.Agent, ApiScopes.WalletAct);
        staff.MapGet("/actions/{actionId:guid}", GetAction).RequireStaff(StaffRoles.Agent, ApiScopes.WalletRead);
        staff.MapPost("/actions/{actionId:guid}/refresh", RefreshAction).RequireStaff(StaffRoles.Agent, ApiScopes.WalletAct);
        staff.MapGet("/approvals", ListApprovals).RequireStaff(StaffRoles.Supervisor, ApiScopes.WalletAct);
        staff.MapPost("/approvals/{actionId:guid}/approve", ApproveAction).RequireStaff(StaffRoles.Supervisor, ApiScopes.WalletAct);
        staff.MapPost("/approvals/{actionId:guid}/reject", RejectAction).RequireStaff(StaffRoles.Supervisor, ApiScopes.WalletAct);

        // The customer is resolved from the token's claims only; no id in the request can point elsewhere.
        var me = app.MapGroup("/api/me/wallet").WithTags("Customer wallet").RequireAuthorization(StaffPolicies.Customer).AddEndpointFilter(TranslateErrors);
        me.MapGet("/", GetMyWallet);
        me.MapGet("/transactions", ListMyTransactions);
        me.MapGet("/transactions/{idOrReference}", GetMyTransaction);
        me.MapPost("/step-up/{challengeId}", CompleteMyStepUp);
        me.MapGet("/device-pushes", ReadMyDevicePushes);
    }

    // ---------------------------------------------------------------- staff reads (each audited)

    private static async Task<IResult> GetWalletProfile(Guid customerId, WalletSupportService support, IWalletGateway gateway, AuditService audit, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        var (customer, account) = await ResolveForStaffAsync(support, audit, user, http, customerId, "wallet.profile.read", ct);
        var balances = await gateway.GetBalancesAsync(account.AccountId, ct);
        return TypedResults.Ok(new WalletProfileResponse(customer.Id, customer.DisplayName, account.AccountId, account.Status, account.KycTier, account.KycState,
            account.MaskedPhone, account.TimeZone, account.OutboundHoldUntil, account.Devices, account.FundingSources, balances.Select(ToResponse).ToList()));
    }

    private static async Task<IResult> GetBalances(Guid customerId, WalletSupportService support, IWalletGateway gateway, AuditService audit, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        var (_, account) = await ResolveForStaffAsync(support, audit, user, http, customerId, "wallet.balances.read", ct);
        return TypedResults.Ok((await gateway.GetBalancesAsync(account.AccountId, ct)).Select(ToResponse).ToList());
    }

    private static async Task<IResult> ListTransactions(
        Guid customerId, WalletSupportService support, IWalletGateway gateway, TransactionExplainer explainer, AuditService audit, ClaimsPrincipal user, HttpContext http, CancellationToken ct,
        string? status = null, string? type = null, string? currency = null, DateTimeOffset? from = null, DateTimeOffset? to = null,
        long? minAmountMinor = null, long? maxAmountMinor = null, string? cursor = null, int limit = 50, string? lang = null)
    {
        if (ValidateQuery(status, type, currency, limit, lang) is { } invalid)
        {
            return invalid;
        }

        var (customer, account) = await ResolveForStaffAsync(support, audit, user, http, customerId, "wallet.transactions.read", ct);
        var page = await gateway.ListTransactionsAsync(account.AccountId, new WalletTransactionQuery(status, type, currency, from, to, minAmountMinor, maxAmountMinor, cursor, limit), ct);
        return TypedResults.Ok(new WalletTransactionPageResponse(page.Items.Select(t => ToResponse(t, explainer, lang ?? customer.Locale, account.TimeZone)).ToList(), page.NextCursor));
    }

    private static async Task<IResult> GetTransaction(Guid customerId, string idOrReference, WalletSupportService support, IWalletGateway gateway, TransactionExplainer explainer,
        AuditService audit, ClaimsPrincipal user, HttpContext http, CancellationToken ct, string? lang = null)
    {
        var (customer, account) = await ResolveForStaffAsync(support, audit, user, http, customerId, "wallet.transaction.read", ct, idOrReference);
        var tx = await gateway.GetTransactionAsync(account.AccountId, idOrReference, ct);
        return tx is null ? Problems.NotFound("The transaction") : TypedResults.Ok(ToResponse(tx, explainer, lang ?? customer.Locale, account.TimeZone));
    }

    private static async Task<IResult> ListSecurityEvents(Guid customerId, WalletSupportService support, IWalletGateway gateway, AuditService audit, ClaimsPrincipal user, HttpContext http, CancellationToken ct, int limit = 50)
    {
        if (limit is < 1 or > 200)
        {
            return Problems.Validation("limit", "limit must be between 1 and 200.");
        }

        var (_, account) = await ResolveForStaffAsync(support, audit, user, http, customerId, "wallet.security-events.read", ct);
        return TypedResults.Ok(await gateway.ListSecurityEventsAsync(account.AccountId, limit, ct));
    }

    private static async Task<IResult> ListTimeline(Guid customerId, AppDbContext db, CancellationToken ct)
    {
        if (!await db.Customers.AnyAsync(c => c.Id == customerId, ct))
        {
            return Problems.NotFound("The customer");
        }

        var entries = await db.CustomerTimeline.AsNoTracking().Where(e => e.CustomerId == customerId).OrderByDescending(e => e.At).Take(200)
            .Select(e => new TimelineEntryResponse(e.At, e.Kind, e.Text, e.ActorName)).ToListAsync(ct);
        return TypedResults.Ok(entries);
    }

    private static async Task<IResult> ListActions(Guid customerId, AppDbContext db, CancellationToken ct)
    {
        if (!await db.Customers.AnyAsync(c => c.Id == customerId, ct))
        {
            return Problems.NotFound("The customer");
        }

        var actions = await db.WalletSupportActions.AsNoTracking().Where(a => a.CustomerId == customerId).OrderByDescending(a => a.RequestedAt).Take(200).ToListAsync(ct);
        return TypedResults.Ok(actions.Select(WalletActionResponse.From).ToList());
    }

    private static async Task<IResult> GetAction(Guid actionId, WalletSupportService support, CancellationToken ct) =>
        await support.FindAsync(actionId, ct) is { } action ? TypedResults.Ok(WalletActionResponse.From(action)) : Problems.NotFound("The action");

    private static async Task<IResult> ListApprovals(AppDbContext db, CancellationToken ct)
    {
        var pending = await db.WalletSupportActions.AsNoTracking().Where(a => a.Status == SupportActionStatuses.PendingApproval).OrderBy(a => a.RequestedAt).Take(200).ToListAsync(ct);
        return TypedResults.Ok(pending.Select(WalletActionResponse.From).ToList());
    }

    // ---------------------------------------------------------------- staff actions

    private static async Task<IResult> StartStepUp(Guid customerId, StartStepUpRequest? request, WalletSupportService support, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        var purpose = request?.Purpose?.Trim() ?? "unlock";
        if (purpose is not ("unlock" or "account_control"))
        {
            return Problems.Validation("purpose", "purpose must be 'unlock' or 'account_control'.");
        }

        var challenge = await support.StartStepUpAsync(user.ToActor(http), customerId, purpose, ct);
        return TypedResults.Ok(new StepUpResponse(challenge.ChallengeId, challenge.Purpose, challenge.ExpiresAt, challenge.PassedAt));
    }

    private static async Task<IResult> CreateAction(Guid customerId, CreateWalletActionRequest request, WalletSupportService support, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        var action = await support.RequestAsync(user.ToActor(http), customerId, new SupportActionInput(request.Kind, request.IdempotencyKey, request.Transaction, request.AmountMinor, request.Reason, request.TicketId), ct);
        return ActionResult(action);
    }

    private static async Task<IResult> RefreshAction(Guid actionId, WalletSupportService support, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        ActionResult(await support.RefreshAsync(user.ToActor(http), actionId, ct));

    private static async Task<IResult> ApproveAction(Guid actionId, WalletSupportService support, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        ActionResult(await support.ApproveAsync(user.ToActor(http), actionId, ct));

    private static async Task<IResult> RejectAction(Guid actionId, RejectWalletActionRequest? request, WalletSupportService support, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        ActionResult(await support.RejectAsync(user.ToActor(http), actionId, request?.Reason, ct));

    private static IResult ActionResult(SupportAction action) => action.Status is SupportActionStatuses.Completed or SupportActionStatuses.Failed or SupportActionStatuses.Rejected
        ? TypedResults.Ok(WalletActionResponse.From(action))
        : TypedResults.Accepted($"/api/wallet/actions/{action.Id}", WalletActionResponse.From(action));

    // ---------------------------------------------------------------- customer's own wallet

    private static async Task<IResult> GetMyWallet(ClaimsPrincipal user, AppDbContext db, IWalletGateway gateway, CancellationToken ct)
    {
        if (await OwnAccountAsync(user, db, gateway, ct) is not { } own)
        {
            return Problems.NotFound("The wallet");
        }

        var balances = await gateway.GetBalancesAsync(own.Account.AccountId, ct);
        return TypedResults.Ok(new MyWalletResponse(own.Account.Status, balances.Select(ToResponse).ToList()));
    }

    private static async Task<IResult> ListMyTransactions(ClaimsPrincipal user, AppDbContext db, IWalletGateway gateway, TransactionExplainer explainer, CancellationToken ct,
        string? status = null, string? type = null, string? currency = null, DateTimeOffset? from = null, DateTimeOffset? to = null, string? cursor = null, int limit = 20, string? lang = null)
    {
        if (ValidateQuery(status, type, currency, limit, lang) is { } invalid)
        {
            return invalid;
        }

        if (await OwnAccountAsync(user, db, gateway, ct) is not { } own)
        {
            return Problems.NotFound("The wallet");
        }

        var page = await gateway.ListTransactionsAsync(own.Account.AccountId, new WalletTransactionQuery(status, type, currency, from, to, null, null, cursor, limit), ct);
        return TypedResults.Ok(new WalletTransactionPageResponse(page.Items.Select(t => ToResponse(t, explainer, lang ?? own.Customer.Locale, own.Account.TimeZone)).ToList(), page.NextCursor));
    }

    private static async Task<IResult> GetMyTransaction(string idOrReference, ClaimsPrincipal user, AppDbContext db, IWalletGateway gateway, TransactionExplainer explainer, CancellationToken ct, string? lang = null)
    {
        var own = await OwnAccountAsync(user, db, gateway, ct);
        var tx = own is null ? null : await gateway.GetTransactionAsync(own.Value.Account.AccountId, idOrReference, ct);
        return tx is null ? Problems.NotFound("The transaction") : TypedResults.Ok(ToResponse(tx, explainer, lang ?? own!.Value.Customer.Locale, own!.Value.Account.TimeZone));
    }

    private static async Task<IResult> CompleteMyStepUp(string challengeId, CompleteStepUpRequest request, ClaimsPrincipal user, AppDbContext db, IWalletGateway gateway, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Code) || request.Code.Trim().Length is < 4 or > 10)
        {
            return Problems.Validation("code", "Enter the code shown on your registered device.");
        }

        if (await OwnAccountAsync(user, db, gateway, ct) is not { } own)
        {
            return Problems.NotFound("The challenge");
        }

        var outcome = await gateway.CompleteStepUpAsync(own.Account.AccountId, challengeId, request.Code, ct);
        return outcome switch
        {
            StepUpOutcome.Passed => TypedResults.Ok(new StepUpResultResponse("passed")),
            StepUpOutcome.NotFound => Problems.NotFound("The challenge"),
            StepUpOutcome.WrongCode => TypedResults.Problem(title: "Wrong code", detail: "That code is not right; check your device and try again.", statusCode: StatusCodes.Status422UnprocessableEntity),
            StepUpOutcome.Expired => TypedResults.Problem(title: "Code expired", detail: "The code has expired; ask support for a new one.", statusCode: StatusCodes.Status422UnprocessableEntity),
            _ => TypedResults.Problem(title: "Too many attempts", detail: "Too many wrong codes; ask support for a new one.", statusCode: StatusCodes.Status429TooManyRequests),
        };
    }

    /// <summary>Reference wallet only: what the customer's registered device received (the demo's stand-in for push notifications).</summary>
    private static async Task<IResult> ReadMyDevicePushes(ClaimsPrincipal user, AppDbContext db, IWalletGateway gateway, CancellationToken ct)
    {
        if (gateway is not ReferenceWalletGateway reference || await OwnAccountAsync(user, db, gateway, ct) is not { } own)
        {
            return Problems.NotFound("The device inbox");
        }

        return TypedResults.Ok(await reference.ReadDevicePushesAsync(own.Account.AccountId, ct));
    }

    // ---------------------------------------------------------------- helpers

    private static async Task<(Customer Customer, WalletAccount Account)?> OwnAccountAsync(ClaimsPrincipal user, AppDbContext db, IWalletGateway gateway, CancellationToken ct)
    {
        var customerId = user.CustomerIdOf();
        var customer = customerId is null ? null : await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == customerId, ct);
        var account = customer is null ? null : await gateway.FindAccountAsync(customer.ExternalId, ct);
        return account is null ? null : (customer!, account);
    }

    private static async Task<(Customer Customer, WalletAccount Account)> ResolveForStaffAsync(
        WalletSupportService support, AuditService audit, ClaimsPrincipal user, HttpContext http, Guid customerId, string action, CancellationToken ct, string? detail = null)
    {
        var actor = user.ToActor(http);
        try
        {
            var resolved = await support.ResolveAsync(customerId, ct);
            await audit.AppendAsync(new AuditEvent(action, AuditOutcomes.Success, "staff", actor.Id.ToString(), actor.Name, "customer", customerId.ToString(), actor.SourceIp, detail), ct);
            return resolved;
        }
        catch (SupportActionException ex) when (ex.Status == StatusCodes.Status404NotFound)
        {
            await audit.AppendAsync(new AuditEvent(action, AuditOutcomes.Failure, "staff", actor.Id.ToString(), actor.Name, "customer", customerId.ToString(), actor.SourceIp, "not found"), ct);
            throw;
        }
    }

    private static IResult? ValidateQuery(string? status, string? type, string? currency, int limit, string? lang)
    {
        var errors = new Dictionary<string, string[]>();
        if (status is not null && !TransactionStatuses.All.Contains(status))
        {
            errors["status"] = [$"status must be one of: {string.Join(", ", TransactionStatuses.All.Order(StringComparer.Ordinal))}."];
        }

        if (type is not null && !TransactionTypes.All.Contains(type))
        {
            errors["type"] = [$"type must be one of: {string.Join(", ", TransactionTypes.All.Order(StringComparer.Ordinal))}."];
        }

        if (currency is not null && !Money.IsCurrency(currency))
        {
            errors["currency"] = ["currency must be an ISO 4217 code such as CNY or USD."];
        }

        if (limit is < 1 or > 200)
        {
            errors["limit"] = ["limit must be between 1 and 200."];
        }

        if (lang is not null && lang is not ("en" or "zh"))
        {
            errors["lang"] = ["lang must be 'en' or 'zh'."];
        }

        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors, title: "The request has invalid fields.");
    }

    private static WalletBalanceResponse ToResponse(WalletBalance b) => new(b.Currency, b.AvailableMinor, b.PendingOutMinor, Money.Format(b.AvailableMinor, b.Currency));

    private static WalletTransactionResponse ToResponse(WalletTransaction t, TransactionExplainer explainer, string locale, string timeZone) => new(
        t.TransactionId, t.Reference, t.Type, t.Direction, t.AmountMinor, t.Currency, Money.Format(t.AmountMinor, t.Currency), t.Status, t.ReasonCode, t.Counterparty,
        t.FundingSource, t.CreatedAt, t.UpdatedAt, t.ExpectedSettlementAt, t.RefundedMinor, t.OriginalTransactionId, t.DisputeOpen, explainer.Explain(t, locale, timeZone));

    private static async ValueTask<object?> TranslateErrors(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (SupportActionException ex)
        {
            return ex.Status switch
            {
                StatusCodes.Status400BadRequest when ex.Field is not null => Problems.Validation(ex.Field, ex.Message),
                StatusCodes.Status404NotFound => Problems.NotFound(ex.Message.StartsWith("The transaction", StringComparison.Ordinal) ? "The transaction"
                    : ex.Message.StartsWith("The action", StringComparison.Ordinal) ? "The action" : "The customer"),
                _ => WithRetryAfter(context.HttpContext, ex.Status, TypedResults.Problem(title: ex.Title, detail: ex.Message, statusCode: ex.Status,
                    extensions: new Dictionary<string, object?> { ["code"] = ex.Code })),
            };
        }
        catch (WalletUnavailableException)
        {
            return WithRetryAfter(context.HttpContext, StatusCodes.Status503ServiceUnavailable, TypedResults.Problem(
                title: "The wallet is not answering", detail: "The wallet did not answer in time. Nothing was changed; try again in a minute.",
                statusCode: StatusCodes.Status503ServiceUnavailable, extensions: new Dictionary<string, object?> { ["code"] = "wallet_unavailable" }));
        }
        catch (LedgerRequestException)
        {
            return Problems.NotFound("The item");
        }
    }

    private static IResult WithRetryAfter(HttpContext http, int status, IResult result)
    {
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            http.Response.Headers.RetryAfter = "30";
        }

        return result;
    }
}
