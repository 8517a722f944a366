using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Server.Features.Tickets;

internal static class TicketEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/ticket-categories", ListCategories).WithTags("Tickets").AllowAnonymous().RequireRateLimiting(RateLimits.Public);

        var staff = app.MapGroup("/api/tickets").WithTags("Tickets");
        staff.MapGet("/", ListTickets).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsRead);
        staff.MapPost("/", CreateStaffTicket).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsWrite);
        staff.MapGet("/{id:long}", GetTicket).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsRead);
        staff.MapPatch("/{id:long}", UpdateTicket).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsWrite);
        staff.MapPost("/{id:long}/messages", AddStaffMessage).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsWrite);
        staff.MapPost("/{id:long}/merge", MergeTicket).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsWrite);
        staff.MapPost("/{id:long}/split", SplitTicket).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsWrite);
        staff.MapPost("/{id:long}/transactions", LinkTransaction).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsWrite);
        staff.MapPost("/bulk", BulkUpdate).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsWrite);

        var macros = app.MapGroup("/api/macros").WithTags("Macros");
        macros.MapGet("/", ListMacros).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsRead);
        macros.MapPost("/", CreateMacro).RequireStaff(StaffRoles.Supervisor, ApiScopes.TicketsWrite);
        macros.MapPut("/{id:int}", UpdateMacro).RequireStaff(StaffRoles.Supervisor, ApiScopes.TicketsWrite);
        macros.MapDelete("/{id:int}", DeleteMacro).RequireStaff(StaffRoles.Supervisor, ApiScopes.TicketsWrite);
        staff.MapPost("/{id:long}/macros/{macroId:int}/render", RenderMacro).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsRead);

        var mine = app.MapGroup("/api/me/tickets").WithTags("Customer tickets").RequireAuthorization(StaffPolicies.Customer);
        mine.MapGet("/", ListMyTickets);
        mine.MapPost("/", CreateMyTicket);
        mine.MapGet("/{id:long}", GetMyTicket);
        mine.MapPost("/{id:long}/messages", AddMyMessage);
    }

    private static async Task<IResult> ListCategories(AppDbContext db, string? lang, CancellationToken ct)
    {
        var zh = lang?.StartsWith("zh", StringComparison.OrdinalIgnoreCase) == true;
        var categories = await db.TicketCategories.AsNoTracking().Where(c => c.IsActive).OrderBy(c => c.SortOrder).ToListAsync(ct);
        return TypedResults.Ok(categories.Select(c => new TicketCategoryResponse(c.Key, zh ? c.NameZh : c.NameEn, zh ? c.CustomerLabelZh : c.CustomerLabelEn, c.DefaultPriority)).ToList());
    }

    private static Task<IResult> ListTickets(
        TicketQuery query, ClaimsPrincipal user, CancellationToken ct,
        string? view = null, string? status = null, string? priority = null, string? category = null, string? group = null,
        Guid? assigneeId = null, string? tag = null, string? q = null, string sort = "updated", string? cursor = null, int limit = 50) =>
        Guard(async () => TypedResults.Ok(await query.ListAsync(new TicketFilter(view, status, priority, category, group, assigneeId, tag, q, sort, cursor, limit), user.StaffId(), ct)));

    private static async Task<IResult> GetTicket(long id, AppDbContext db, CancellationToken ct)
    {
        var ticket = await db.Tickets.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
        if (ticket is null)
        {
            return Problems.NotFound("The ticket");
        }

        var messages = await db.TicketMessages.AsNoTracking().Where(m => m.TicketId == id).OrderBy(m => m.Seq).ToListAsync(ct);
        var events = await db.TicketEvents.AsNoTracking().Where(e => e.TicketId == id).OrderBy(e => e.Id).ToListAsync(ct);
        var links = await db.TicketTransactionLinks.AsNoTracking().Where(l => l.TicketId == id).OrderBy(l => l.LinkedAt).Select(l => l.TransactionReference).ToListAsync(ct);
        return TypedResults.Ok(new TicketDetailResponse(
            TicketQuery.ToSummary(ticket),
            messages.Select(m => new TicketMessageResponse(m.Id, m.Seq, m.AuthorType, m.AuthorName, m.Visibility, m.Body, m.Channel, m.Redactions.Split(' ', StringSplitOptions.RemoveEmptyEntries), m.CreatedAt)).ToList(),
            events.Select(e => new TicketEventResponse(e.Id, e.At, e.Kind, e.ActorType, e.ActorName, e.FromValue, e.ToValue, e.Note)).ToList(),
            links,
            ticket.MergedIntoId,
            ticket.ParentId));
    }

    private static Task<IResult> CreateStaffTicket(CreateStaffTicketRequest request, TicketService tickets, AppDbContext db, ClaimsPrincipal user, CancellationToken ct) =>
        Guard(async () =>
        {
            if (!await db.Customers.AnyAsync(c => c.Id == request.CustomerId, ct))
            {
                return Problems.Validation("customerId", "No customer has that id.");
            }

            var result = await tickets.CreateAsync(request.CustomerId, new NewTicket(request.Subject, request.Body, request.Category, request.Channel ?? TicketChannels.Phone, request.Language, null, request.TransactionReferences), Agent(user), ct);
            return TypedResults.Created($"/api/tickets/{result.Ticket.Id}", ToWrite(result));
        });

    private static Task<IResult> UpdateTicket(long id, UpdateTicketRequest request, TicketService tickets, ClaimsPrincipal user, CancellationToken ct) =>
        Guard(async () =>
        {
            var updated = await tickets.UpdateAsync(id, new TicketChanges(request.Status, request.Priority, request.AssigneeId, request.Unassign, request.Group, request.Category, request.AddTags, request.RemoveTags), Agent(user), ct);
            return updated is null ? Problems.NotFound("The ticket") : TypedResults.Ok(TicketQuery.ToSummary(updated));
        });

    private static Task<IResult> AddStaffMessage(long id, AddMessageRequest request, TicketService tickets, ClaimsPrincipal user, CancellationToken ct) =>
        Guard(async () =>
        {
            var result = await tickets.AddAgentMessageAsync(id, request.Body, request.Internal, request.ClientMessageId, Agent(user), request.Status, ct);
            return result is null ? Problems.NotFound("The ticket") : TypedResults.Ok(ToWrite(result));
        });

    private static Task<IResult> MergeTicket(long id, MergeTicketRequest request, TicketService tickets, ClaimsPrincipal user, CancellationToken ct) =>
        Guard(async () =>
        {
            var target = await tickets.MergeAsync(id, request.TargetId, Agent(user), ct);
            return target is null ? Problems.NotFound("The ticket") : TypedResults.Ok(TicketQuery.ToSummary(target));
        });

    private static Task<IResult> SplitTicket(long id, SplitTicketRequest request, TicketService tickets, ClaimsPrincipal user, CancellationToken ct) =>
        Guard(async () =>
        {
            var split = await tickets.SplitAsync(id, request.MessageIds ?? [], request.Subject, Agent(user), ct);
            return split is null ? Problems.NotFound("The ticket") : TypedResults.Created($"/api/tickets/{split.Id}", TicketQuery.ToSummary(split));
        });

    private static Task<IResult> LinkTransaction(long id, LinkTransactionRequest request, TicketService tickets, ClaimsPrincipal user, CancellationToken ct) =>
        Guard(async () => await tickets.LinkTransactionAsync(id, request.Reference, Agent(user), ct) ? TypedResults.NoContent() : Problems.NotFound("The ticket"));

    private static Task<IResult> BulkUpdate(BulkUpdateRequest request, TicketService tickets, ClaimsPrincipal user, CancellationToken ct) =>
        Guard(async () =>
        {
            var count = await tickets.BulkUpdateAsync(request.TicketIds ?? [], new TicketChanges(request.Status, request.Priority, request.AssigneeId, request.Unassign, AddTags: request.AddTags), Agent(user), ct);
            return TypedResults.Ok(new { updated = count });
        });

    private static async Task<IResult> ListMacros(AppDbContext db, CancellationToken ct) =>
        TypedResults.Ok((await db.Macros.AsNoTracking().Where(m => m.IsActive).OrderBy(m => m.Name).ToListAsync(ct)).Select(ToResponse).ToList());

    private static async Task<IResult> CreateMacro(MacroRequest request, AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (ValidateMacro(request) is { } problem)
        {
            return problem;
        }

        var next = (await db.Macros.MaxAsync(m => (int?)m.Id, ct) ?? 0) + 1;
        var macro = new Macro { Id = next, Name = request.Name!.Trim(), BodyEn = request.BodyEn!, BodyZh = request.BodyZh!, SetStatus = request.SetStatus, AddTags = request.AddTags, UpdatedAt = time.GetUtcNow() };
        db.Macros.Add(macro);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/macros/{macro.Id}", ToResponse(macro));
    }

    private static async Task<IResult> UpdateMacro(int id, MacroRequest request, AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        var macro = await db.Macros.SingleOrDefaultAsync(m => m.Id == id && m.IsActive, ct);
        if (macro is null)
        {
            return Problems.NotFound("The macro");
        }

        if (ValidateMacro(request) is { } problem)
        {
            return problem;
        }

        (macro.Name, macro.BodyEn, macro.BodyZh, macro.SetStatus, macro.AddTags, macro.UpdatedAt) = (request.Name!.Trim(), request.BodyEn!, request.BodyZh!, request.SetStatus, request.AddTags, time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToResponse(macro));
    }

    private static async Task<IResult> DeleteMacro(int id, AppDbContext db, CancellationToken ct)
    {
        var macro = await db.Macros.SingleOrDefaultAsync(m => m.Id == id && m.IsActive, ct);
        if (macro is null)
        {
            return Problems.NotFound("The macro");
        }

        macro.IsActive = false;
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> RenderMacro(long id, int macroId, AppDbContext db, MacroRenderer renderer, TicketIntake intake, ClaimsPrincipal user, CancellationToken ct)
    {
        var ticket = await db.Tickets.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
        var macro = await db.Macros.AsNoTracking().SingleOrDefaultAsync(m => m.Id == macroId && m.IsActive, ct);
        if (ticket is null || macro is null)
        {
            return Problems.NotFound(ticket is null ? "The ticket" : "The macro");
        }

        var rendered = await renderer.RenderAsync(macro, ticket, user.StaffId(), ct);
        return TypedResults.Ok(new RenderedMacroResponse(
            intake.Outbound(rendered.Body).Text, macro.SetStatus, macro.AddTags?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [],
            rendered.Missing, rendered.Missing.Count == 0 ? null : MacroRenderer.MissingMessage(rendered.Missing, zh: false)));
    }

    private static IResult? ValidateMacro(MacroRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 120)
        {
            return Problems.Validation("name", "Give the macro a name of 1 to 120 characters.");
        }

        foreach (var (field, body) in new[] { ("bodyEn", request.BodyEn), ("bodyZh", request.BodyZh) })
        {
            if (string.IsNullOrWhiteSpace(body) || body.Length > 5000)
            {
                return Problems.Validation(field, "Write the reply (1 to 5,000 characters) in both languages.");
            }

            if (MacroRenderer.Validate(body) is { } error)
            {
                return Problems.Validation(field, error);
            }
        }

        if (request.SetStatus is not null && (!TicketStatuses.IsKnown(request.SetStatus) || request.SetStatus == TicketStatuses.New))
        {
            return Problems.Validation("setStatus", "Unknown status.");
        }

        return request.AddTags is { Length: > 200 } ? Problems.Validation("addTags", "Tags are limited to 200 characters.") : null;
    }

    private static MacroResponse ToResponse(Macro m) => new(m.Id, m.Name, m.BodyEn, m.BodyZh, m.SetStatus, m.AddTags);

    private static async Task<IResult> ListMyTickets(AppDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        var customerId = user.CustomerIdOf();
        var language = await LanguageOf(db, customerId, ct);
        var tickets = await db.Tickets.AsNoTracking().Where(t => t.CustomerId == customerId).OrderByDescending(t => t.UpdatedAt).Take(200).ToListAsync(ct);
        return TypedResults.Ok(tickets.Select(t => new CustomerTicketSummaryResponse(t.Id, t.Subject, t.Status, TicketTimeline.StatusText(t.Status, language), t.UpdatedAt)).ToList());
    }

    private static Task<IResult> CreateMyTicket(CreateCustomerTicketRequest request, TicketService tickets, ClaimsPrincipal user, CancellationToken ct) =>
        Guard(async () =>
        {
            var result = await tickets.CreateAsync(user.CustomerIdOf()!.Value, new NewTicket(request.Subject, request.Body, request.Category, TicketChannels.InApp, request.Language, request.ClientRequestId, request.TransactionReferences), Customer(user), ct);
            return result.WasDuplicate ? TypedResults.Ok(ToWrite(result)) : TypedResults.Created($"/api/me/tickets/{result.Ticket.Id}", ToWrite(result));
        });

    private static async Task<IResult> GetMyTicket(long id, AppDbContext db, ClaimsPrincipal user, IOptions<TicketOptions> options, CancellationToken ct)
    {
        var customerId = user.CustomerIdOf();
        // The owner check is part of the query: another customer's id is simply not found.
        var ticket = await db.Tickets.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id && t.CustomerId == customerId, ct);
        if (ticket is null)
        {
            return Problems.NotFound("The ticket");
        }

        var language = await LanguageOf(db, customerId, ct);
        var messages = await db.TicketMessages.AsNoTracking().Where(m => m.TicketId == id && m.Visibility == TicketService.Public).OrderBy(m => m.Seq).ToListAsync(ct);
        var events = await db.TicketEvents.AsNoTracking().Where(e => e.TicketId == id).OrderBy(e => e.Id).ToListAsync(ct);
        return TypedResults.Ok(new CustomerTicketResponse(
            ticket.Id,
            ticket.Subject,
            ticket.Status,
            TicketTimeline.StatusText(ticket.Status, language),
            PublishedResponseTimes.For(ticket.Channel, ticket.Priority, language),
            ticket.CreatedAt,
            ticket.UpdatedAt,
            messages.Select(m => new CustomerMessageResponse(m.Seq, m.AuthorType == TicketActors.Customer ? "you" : m.AuthorType, m.AuthorType == TicketActors.Customer ? null : m.AuthorName, m.Body, m.CreatedAt)).ToList(),
            TicketTimeline.For(events, language, options.Value.ReopenWindowDays)));
    }

    private static Task<IResult> AddMyMessage(long id, AddMessageRequest request, TicketService tickets, ClaimsPrincipal user, CancellationToken ct) =>
        Guard(async () =>
        {
            var result = await tickets.AddCustomerMessageAsync(user.CustomerIdOf()!.Value, id, request.Body, request.ClientMessageId, Customer(user), TicketChannels.InApp, ct);
            return result is null ? Problems.NotFound("The ticket") : TypedResults.Ok(ToWrite(result));
        });

    private static async Task<string> LanguageOf(AppDbContext db, Guid? customerId, CancellationToken ct) =>
        await db.Customers.AsNoTracking().Where(c => c.Id == customerId).Select(c => c.Locale).SingleOrDefaultAsync(ct) ?? "en";

    private static TicketWriteResponse ToWrite(TicketWriteResult r) =>
        new(r.Ticket.Id, r.Message.Id, r.Message.Seq, r.WasDuplicate, r.Notice is null ? null : (r.Ticket.Language == "zh" ? r.Notice.SimplifiedChinese : r.Notice.English), r.FollowUpOf);

    private static TicketActor Agent(ClaimsPrincipal user) => new(TicketActors.Agent, user.StaffId()?.ToString(), user.StaffDisplayName());

    private static TicketActor Customer(ClaimsPrincipal user) => new(TicketActors.Customer, user.CustomerIdOf()?.ToString(), user.FindFirstValue(WalletDeskClaims.Name));

    private static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (TicketValidationException ex)
        {
            return Problems.Validation(ex.Field, ex.Message);
        }
    }
}
