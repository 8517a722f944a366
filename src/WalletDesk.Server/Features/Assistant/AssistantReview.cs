using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Redaction;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Assistant;

public sealed class AssistantInputException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>The learning loop and the figures: agents correct intents, operators add examples and intents, supervisors see containment.</summary>
public sealed partial class AssistantReview(AppDbContext db, AssistantModels models, AuditService audit, TimeProvider time, IOptions<AssistantOptions> options)
{
    public static readonly IReadOnlyList<string> Groups = [TicketGroups.General, TicketGroups.Payments, TicketGroups.Security, TicketGroups.Accounts];

    public async Task<(AssistantConversation Conversation, List<AssistantTurn> Turns)?> ConversationAsync(long conversationId, CancellationToken ct)
    {
        var conversation = await db.Set<AssistantConversation>().AsNoTracking().SingleOrDefaultAsync(c => c.ConversationId == conversationId, ct);
        if (conversation is null)
        {
            return null;
        }

        var turns = await db.Set<AssistantTurn>().AsNoTracking().Where(t => t.ConversationId == conversationId).OrderBy(t => t.Seq).ToListAsync(ct);
        return (conversation, turns);
    }

    public async Task<List<AssistantTurn>> RecentTurnsAsync(int limit, CancellationToken ct) =>
        await db.Set<AssistantTurn>().AsNoTracking().OrderByDescending(t => t.Id).Take(Math.Clamp(limit, 1, 500)).ToListAsync(ct);

    /// <summary>An agent says the assistant got a message's intent wrong; the message becomes a training example with the right label.</summary>
    /// <returns>Null when there is no such message.</returns>
    public async Task<AssistantTurn?> CorrectAsync(long conversationId, int seq, string? intent, string actor, CancellationToken ct)
    {
        var label = await KnownLabelAsync(intent, ct);
        var turn = await db.Set<AssistantTurn>().SingleOrDefaultAsync(t => t.ConversationId == conversationId && t.Seq == seq, ct);
        if (turn is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        turn.CorrectedIntent = label;
        turn.CorrectedBy = actor;
        turn.CorrectedAt = now;
        var example = await db.Set<AssistantExample>().SingleOrDefaultAsync(e => e.ConversationId == conversationId && e.Seq == seq && e.Source == "agent_correction", ct);
        if (example is not null && example.Label != label)
        {
            // Examples are append-only (a model's training set is "every example up to id N"): retire by adding the new label.
            example = null;
        }

        if (example is null)
        {
            db.Set<AssistantExample>().Add(new AssistantExample
            {
                Text = Cap(Redactor.Redact(turn.Text).Text, 2000),
                Label = label,
                Source = "agent_correction",
                ConversationId = conversationId,
                Seq = seq,
                CreatedBy = actor,
                CreatedAt = now,
            });
        }

        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent("assistant.intent.corrected", AuditOutcomes.Success, "staff", ActorName: actor, ObjectType: "conversation",
            ObjectId: conversationId.ToString(System.Globalization.CultureInfo.InvariantCulture), Details: $"seq={seq}; predicted={turn.Intent ?? "declined"}; correct={label}"), ct);
        return turn;
    }

    public async Task<AssistantExample> AddExampleAsync(string? text, string? intent, string actor, CancellationToken ct)
    {
        var label = await KnownLabelAsync(intent, ct);
        if (string.IsNullOrWhiteSpace(text) || text.Length > 2000)
        {
            throw new AssistantInputException("text", "Give the customer's words (1–2000 characters).");
        }

        var example = new AssistantExample { Text = Redactor.Redact(text.Trim()).Text, Label = label, Source = "operator", CreatedBy = actor, CreatedAt = time.GetUtcNow() };
        db.Set<AssistantExample>().Add(example);
        await db.SaveChangesAsync(ct);
        return example;
    }

    public async Task<List<AssistantExample>> ExamplesAsync(int limit, CancellationToken ct) =>
        await db.Set<AssistantExample>().AsNoTracking().OrderByDescending(e => e.Id).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(ct);

    public async Task<AssistantIntent> AddIntentAsync(string? key, string? description, string? articleSlug, string? group, IReadOnlyList<string>? examples, string actor, CancellationToken ct)
    {
        key = key?.Trim().ToLowerInvariant();
        if (key is null || !LabelPattern().IsMatch(key))
        {
            throw new AssistantInputException("key", "Use 2–64 lower-case letters, digits and underscores, starting with a letter.");
        }

        if ((await models.KnownLabelsAsync(ct)).Contains(key))
        {
            throw new AssistantInputException("key", $"The intent '{key}' already exists.");
        }

        if (string.IsNullOrWhiteSpace(description) || description.Length > 400)
        {
            throw new AssistantInputException("description", "Describe the intent in 1–400 characters.");
        }

        group = string.IsNullOrWhiteSpace(group) ? TicketGroups.General : group.Trim();
        if (!Groups.Contains(group))
        {
            throw new AssistantInputException("group", $"Group must be one of {string.Join(", ", Groups)}.");
        }

        if (articleSlug is { Length: > 128 })
        {
            throw new AssistantInputException("articleSlug", "The article slug is too long.");
        }

        var texts = (examples ?? []).Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.Trim()).ToList();
        if (texts.Count < 3 || texts.Any(t => t.Length > 2000))
        {
            throw new AssistantInputException("examples", "Give at least three example messages (each up to 2000 characters) so the model can learn the intent.");
        }

        var now = time.GetUtcNow();
        var intent = new AssistantIntent { Key = key, Description = description.Trim(), ArticleSlug = string.IsNullOrWhiteSpace(articleSlug) ? null : articleSlug.Trim(), Group = group, CreatedBy = actor, CreatedAt = now };
        db.Set<AssistantIntent>().Add(intent);
        foreach (var t in texts)
        {
            db.Set<AssistantExample>().Add(new AssistantExample { Text = Redactor.Redact(t).Text, Label = key, Source = "operator", CreatedBy = actor, CreatedAt = now });
        }

        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent("assistant.intent.created", AuditOutcomes.Success, "staff", ActorName: actor, ObjectType: "assistant-intent", ObjectId: key), ct);
        return intent;
    }

    public async Task<List<AssistantIntent>> CustomIntentsAsync(CancellationToken ct) =>
        await db.Set<AssistantIntent>().AsNoTracking().OrderBy(i => i.Key).ToListAsync(ct);

    /// <summary>
    /// Containment: conversations the assistant finished without a human, either confirmed by the customer or with no
    /// follow-up for <see cref="AssistantOptions.ContainmentHours"/>. Conversations still inside that window are "open".
    /// </summary>
    public async Task<AssistantMetrics> MetricsAsync(int days, CancellationToken ct)
    {
        days = Math.Clamp(days, 1, 365);
        var now = time.GetUtcNow();
        var since = now.AddDays(-days);
        var quietSince = now.AddHours(-options.Value.ContainmentHours);
        var rows = await db.Set<AssistantConversation>().AsNoTracking().Where(c => c.CreatedAt >= since)
            .Select(c => new { c.ConversationId, c.HandedOff, c.HandoffReason, c.HandoffIntent, c.Resolved, c.LastMessageAt }).ToListAsync(ct);
        var ids = rows.Select(r => r.ConversationId).ToList();
        var turns = await db.Set<AssistantTurn>().AsNoTracking().Where(t => t.At >= since)
            .Select(t => new { t.ConversationId, t.Intent, t.CorrectedIntent }).ToListAsync(ct);

        var handedOff = rows.Count(r => r.HandedOff);
        var confirmed = rows.Count(r => !r.HandedOff && r.Resolved);
        var quiet = rows.Count(r => !r.HandedOff && !r.Resolved && r.LastMessageAt <= quietSince);
        var open = rows.Count - handedOff - confirmed - quiet;
        var decided = rows.Count - open;
        var reasons = rows.Where(r => r.HandedOff).GroupBy(r => r.HandoffReason ?? "unknown")
            .Select(g => new HandoffReasonCount(g.Key, g.Count())).OrderByDescending(r => r.Count).ThenBy(r => r.Reason, StringComparer.Ordinal).ToList();
        var conversationsByIntent = turns.Where(t => (t.CorrectedIntent ?? t.Intent) is not null)
            .GroupBy(t => (t.CorrectedIntent ?? t.Intent)!).ToDictionary(g => g.Key, g => g.Select(t => t.ConversationId).Distinct().Count(), StringComparer.Ordinal);
        var intents = rows.Where(r => r.HandedOff && r.HandoffIntent is not null).GroupBy(r => r.HandoffIntent!)
            .Select(g =>
            {
                var seen = Math.Max(g.Count(), conversationsByIntent.GetValueOrDefault(g.Key));
                return new IntentHandoffs(g.Key, g.Count(), seen, (double)g.Count() / seen);
            })
            .OrderByDescending(i => i.Handoffs).ThenByDescending(i => i.Rate).ThenBy(i => i.Intent, StringComparer.Ordinal).Take(10).ToList();
        var corrected = turns.Count(t => t.CorrectedIntent is not null);
        return new AssistantMetrics(
            days, rows.Count, confirmed, quiet, handedOff, open,
            decided == 0 ? 0 : (double)(confirmed + quiet) / decided,
            rows.Count == 0 ? 0 : (double)handedOff / rows.Count,
            reasons, intents, turns.Count, corrected, ids.Count == 0 ? null : models.Current?.Version);
    }

    private async Task<string> KnownLabelAsync(string? intent, CancellationToken ct)
    {
        var label = intent?.Trim();
        if (string.IsNullOrEmpty(label) || !(await models.KnownLabelsAsync(ct)).Contains(label))
        {
            throw new AssistantInputException("intent", "Pick one of the assistant's intents (GET /api/assistant/intents).");
        }

        return label;
    }

    private static string Cap(string value, int max) => value.Length <= max ? value : value[..max];

    [GeneratedRegex("^[a-z][a-z0-9_]{1,63}$")]
    private static partial Regex LabelPattern();
}

/// <summary>Assistant figures over a period.</summary>
/// <param name="Days">The period, ending now.</param>
/// <param name="Conversations">Conversations the assistant answered.</param>
/// <param name="ResolvedConfirmed">Resolved without a human, confirmed by the customer.</param>
/// <param name="ResolvedQuiet">Resolved without a human: no follow-up within the containment window.</param>
/// <param name="HandedOff">Handed to a human.</param>
/// <param name="Open">Still inside the containment window, neither confirmed nor handed off.</param>
/// <param name="ContainmentRate">(confirmed + quiet) / (conversations − open).</param>
/// <param name="HandoffRate">Handed off / conversations.</param>
/// <param name="HandoffReasons">Handoffs per reason.</param>
/// <param name="TopHandoffIntents">Intents that most often end with a human.</param>
/// <param name="Messages">Customer messages the assistant classified.</param>
/// <param name="CorrectedByAgents">Messages whose intent agents corrected.</param>
/// <param name="ActiveModel">The model version answering now.</param>
public sealed record AssistantMetrics(
    int Days, int Conversations, int ResolvedConfirmed, int ResolvedQuiet, int HandedOff, int Open, double ContainmentRate, double HandoffRate,
    IReadOnlyList<HandoffReasonCount> HandoffReasons, IReadOnlyList<IntentHandoffs> TopHandoffIntents, int Messages, int CorrectedByAgents, string? ActiveModel);

/// <summary>Handoffs for one reason.</summary>
/// <param name="Reason">asked, low_confidence, frustrated, security, amount, flow_failed or visitor.</param>
/// <param name="Count">How many.</param>
public sealed record HandoffReasonCount(string Reason, int Count);

/// <summary>How often conversations about an intent ended with a human.</summary>
/// <param name="Intent">The intent at handoff.</param>
/// <param name="Handoffs">Conversations handed off with this intent.</param>
/// <param name="Conversations">Conversations in which the intent was recognised.</param>
/// <param name="Rate">Handoffs / conversations.</param>
public sealed record IntentHandoffs(string Intent, int Handoffs, int Conversations, double Rate);
