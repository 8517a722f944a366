using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;

namespace WalletDesk.Server.Features.Tickets;

/// <summary>An inbox filter. Unknown views, sorts and statuses are refused, never passed to SQL.</summary>
public sealed record TicketFilter(
    string? View = null,
    string? Status = null,
    string? Priority = null,
    string? Category = null,
    string? Group = null,
    Guid? AssigneeId = null,
    string? Tag = null,
    string? Query = null,
    string Sort = "updated",
    string? Cursor = null,
    int Limit = 50);

/// <summary>Inbox queries with keyset paging, so page 2,000 costs what page 1 costs.</summary>
public sealed class TicketQuery(AppDbContext db, TimeProvider time)
{
    public static readonly IReadOnlyList<string> Views = ["all", "mine", "unassigned", "breaching", "open", "solved_by_bot"];
    public static readonly IReadOnlyList<string> Sorts = ["updated", "created", "sla"];

    public async Task<TicketPageResponse> ListAsync(TicketFilter filter, Guid? me, CancellationToken ct)
    {
        Validate(filter);
        var q = db.Tickets.AsNoTracking();
        // Inlined as constants so the planner can use the partial "active" indexes (a parameter list cannot match them).
        var active = new[] { TicketStatuses.New, TicketStatuses.Open, TicketStatuses.PendingCustomer, TicketStatuses.OnHold };
        switch (filter.View ?? "all")
        {
            case "mine":
                q = q.Where(t => t.AssigneeId == me && EF.Constant(active).Contains(t.Status));
                break;
            case "unassigned":
                q = q.Where(t => t.AssigneeId == null && EF.Constant(active).Contains(t.Status));
                break;
            case "breaching":
                var soon = time.GetUtcNow().AddHours(1);
                q = q.Where(t => t.NextSlaDueAt != null && t.NextSlaDueAt <= soon && EF.Constant(active).Contains(t.Status));
                break;
            case "open":
                q = q.Where(t => EF.Constant(active).Contains(t.Status));
                break;
            case "solved_by_bot":
                // Conversations the assistant resolved: out of the open views, here for review (ADR 0014).
                q = q.Where(t => t.SolvedBy == TicketActors.Bot && (t.Status == TicketStatuses.Solved || t.Status == TicketStatuses.Closed));
                break;
        }

        if (filter.Status is { } status)
        {
            q = q.Where(t => t.Status == status);
        }

        if (filter.Priority is { } priority)
        {
            q = q.Where(t => t.Priority == priority);
        }

        if (filter.Category is { } category)
        {
            q = q.Where(t => t.Category == category);
        }

        if (filter.Group is { } group)
        {
            q = q.Where(t => t.Group == group);
        }

        if (filter.AssigneeId is { } assignee)
        {
            q = q.Where(t => t.AssigneeId == assignee);
        }

        if (!string.IsNullOrWhiteSpace(filter.Tag))
        {
            var pattern = " " + filter.Tag.Trim().ToLowerInvariant() + " ";
            q = q.Where(t => t.Tags.Contains(pattern));
        }

        if (!string.IsNullOrWhiteSpace(filter.Query))
        {
            q = await ApplySearchAsync(q, filter.Query.Trim(), ct);
        }

        var (cursorTime, cursorId) = DecodeCursor(filter.Cursor);
        IQueryable<Ticket> ordered = filter.Sort switch
        {
            "created" => (cursorId is null ? q : q.Where(t => t.CreatedAt <= cursorTime && (t.CreatedAt < cursorTime || t.Id < cursorId)))
                .OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id),
            "sla" => (cursorId is null ? q.Where(t => t.NextSlaDueAt != null) : q.Where(t => t.NextSlaDueAt != null && t.NextSlaDueAt >= cursorTime && (t.NextSlaDueAt > cursorTime || t.Id > cursorId)))
                .OrderBy(t => t.NextSlaDueAt).ThenBy(t => t.Id),
            _ => (cursorId is null ? q : q.Where(t => t.UpdatedAt <= cursorTime && (t.UpdatedAt < cursorTime || t.Id < cursorId)))
                .OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Id),
        };

        var rows = await ordered.Take(filter.Limit + 1).ToListAsync(ct);
        var items = rows.Take(filter.Limit).Select(ToSummary).ToList();
        string? next = null;
        if (rows.Count > filter.Limit)
        {
            var last = rows[filter.Limit - 1];
            var key = filter.Sort switch { "created" => last.CreatedAt, "sla" => last.NextSlaDueAt!.Value, _ => last.UpdatedAt };
            next = EncodeCursor(key, last.Id);
        }

        return new TicketPageResponse(items, next);
    }

    private async Task<IQueryable<Ticket>> ApplySearchAsync(IQueryable<Ticket> q, string text, CancellationToken ct)
    {
        // Exact keys first, each through an index: linked transaction references, the ticket number, the customer's wallet id or email.
        var linked = await db.TicketTransactionLinks.AsNoTracking().Where(l => l.TransactionReference == text).Select(l => l.TicketId).Take(200).ToListAsync(ct);
        var idText = text.TrimStart('#');
        if (long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && idText.Length <= 12)
        {
            linked.Add(id);
            return q.Where(t => linked.Contains(t.Id));
        }

        var customers = await db.Customers.AsNoTracking().Where(c => c.ExternalId == text || c.Email == text).Select(c => c.Id).Take(50).ToListAsync(ct);
        if (linked.Count > 0 || customers.Count > 0 || LooksLikeReference(text))
        {
            // A reference- or id-shaped query is answered from the exact keys alone instead of scanning every message.
            return q.Where(t => linked.Contains(t.Id) || customers.Contains(t.CustomerId));
        }

        var like = "%" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        return q.Where(t =>
            EF.Functions.Like(t.Subject, like, "\\")
            || db.Customers.Any(c => c.Id == t.CustomerId && EF.Functions.Like(c.DisplayName, like, "\\"))
            || db.TicketMessages.Any(m => m.TicketId == t.Id && EF.Functions.Like(m.Body, like, "\\")));
    }

    /// <summary>One token of letters and digits with a dash, underscore or digit in it (TX-8F3K2Q, T20261122-000123, cust_123).</summary>
    private static bool LooksLikeReference(string text) =>
        text.Length is >= 6 and <= 64 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
        && text.Any(char.IsAsciiDigit) && text.Any(c => c is '-' or '_' || char.IsAsciiLetterUpper(c));

    public static TicketSummaryResponse ToSummary(Ticket t) => new(
        t.Id, t.Subject, t.Status, t.Priority, t.Category, t.Channel, t.Group, t.AssigneeId, t.CustomerId,
        t.Tags.Split(' ', StringSplitOptions.RemoveEmptyEntries), t.CreatedAt, t.UpdatedAt, t.NextSlaDueAt, t.MessageCount);

    private static void Validate(TicketFilter filter)
    {
        if (filter.View is not null && !Views.Contains(filter.View))
        {
            throw new TicketValidationException("view", $"Unknown view '{filter.View}'. Use one of: {string.Join(", ", Views)}.");
        }

        if (!Sorts.Contains(filter.Sort))
        {
            throw new TicketValidationException("sort", $"Unknown sort '{filter.Sort}'. Use one of: {string.Join(", ", Sorts)}.");
        }

        if (filter.Status is not null && !TicketStatuses.IsKnown(filter.Status))
        {
            throw new TicketValidationException("status", $"Unknown status '{filter.Status}'.");
        }

        if (filter.Priority is not null && !TicketPriorities.All.Contains(filter.Priority))
        {
            throw new TicketValidationException("priority", $"Unknown priority '{filter.Priority}'.");
        }

        if (filter.Limit is < 1 or > 200)
        {
            throw new TicketValidationException("limit", "limit must be between 1 and 200.");
        }

        if (filter.Query is { Length: > 200 })
        {
            throw new TicketValidationException("q", "Search text is limited to 200 characters.");
        }
    }

    private static string EncodeCursor(DateTimeOffset at, long id) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes($"{at.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{id.ToString(CultureInfo.InvariantCulture)}"));

    private static (DateTimeOffset Time, long? Id) DecodeCursor(string? cursor)
    {
        if (cursor is null)
        {
            return (default, null);
        }

        try
        {
            var parts = Encoding.ASCII.GetString(Convert.FromBase64String(cursor)).Split(':');
            return (new DateTimeOffset(long.Parse(parts[0], CultureInfo.InvariantCulture), TimeSpan.Zero), long.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new TicketValidationException("cursor", "The cursor is not valid; start again from the first page.");
        }
    }
}
