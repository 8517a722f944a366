using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Redaction;
using WalletDesk.Server.Data;

namespace WalletDesk.Server.Features.Assistant;

/// <summary>A suggested reply for an agent to edit; never sent to the customer by itself.</summary>
/// <param name="Text">The suggestion (outbound-redacted).</param>
/// <param name="Model">The model that wrote it.</param>
public sealed record ReplyDraft(string Text, string Model);

public sealed class DraftUnavailableException(string message) : Exception(message);

/// <summary>
/// Drafts reply suggestions for agents from an OpenAI-compatible chat-completions endpoint (a local model server, say).
/// Off unless configured. The prompt holds only the conversation's redacted text plus fixed instructions, redacted once
/// more before it leaves; the model has no tools and its answer is only a suggestion an agent edits and sends.
/// </summary>
public sealed class ReplyDrafts(HttpClient http, AppDbContext db, IOptions<AssistantOptions> options, ILogger<ReplyDrafts> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private DraftOptions Options => options.Value.Drafts;

    public bool Enabled => Options.Enabled;

    /// <returns>Null when the assistant has no record of the conversation.</returns>
    /// <exception cref="DraftUnavailableException">Drafts are off, or the endpoint failed.</exception>
    public async Task<ReplyDraft?> DraftAsync(long conversationId, string? agentHint, CancellationToken ct)
    {
        if (!Options.Enabled)
        {
            throw new DraftUnavailableException("Reply drafts are not enabled (Assistant:Drafts:Enabled).");
        }

        var conversation = await db.Set<AssistantConversation>().AsNoTracking().SingleOrDefaultAsync(c => c.ConversationId == conversationId, ct);
        if (conversation is null)
        {
            return null;
        }

        var turns = await db.Set<AssistantTurn>().AsNoTracking().Where(t => t.ConversationId == conversationId)
            .OrderByDescending(t => t.Seq).Take(Options.MaxMessages).ToListAsync(ct);
        turns.Reverse();
        var state = DialogueState.Parse(conversation.State);
        var context = new StringBuilder();
        context.Append("Language: ").Append(conversation.Language == "zh" ? "Simplified Chinese" : "English").Append('\n');
        context.Append("Assistant's notes: intent ").Append(state.LastIntent ?? "unknown").Append("; looked up: ").Append(string.Join("; ", state.Lookups))
            .Append("; tried: ").Append(string.Join("; ", state.Tried)).Append('\n');
        context.Append("Customer messages (redacted):\n");
        foreach (var t in turns)
        {
            context.Append("- ").Append(t.Text.Replace('\n', ' ')).Append('\n');
        }

        if (!string.IsNullOrWhiteSpace(agentHint))
        {
            context.Append("Agent's note for the draft: ").Append(agentHint.Trim()).Append('\n');
        }

        var request = new ChatRequest(Options.Model,
        [
            new ChatMessage("system",
                "You draft a short, polite reply for a wallet support agent to edit before sending. Use only facts in the notes. " +
                "Never ask for or mention passwords, one-time codes or full card numbers. Do not promise refunds or policy exceptions."),
            new ChatMessage("user", Redactor.Redact(context.ToString()).Text),
        ], 0.2, 400);

        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(EnsureSlash(Options.BaseUrl!)), "chat/completions"))
        {
            Content = JsonContent.Create(request, options: Json),
        };
        if (!string.IsNullOrEmpty(Options.ApiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Options.ApiKey);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(Options.TimeoutSeconds));
        try
        {
            using var response = await http.SendAsync(message, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("Draft endpoint answered {Status}", (int)response.StatusCode);
                throw new DraftUnavailableException($"The model endpoint answered {(int)response.StatusCode}.");
            }

            var body = await response.Content.ReadFromJsonAsync<ChatResponse>(Json, timeout.Token);
            var text = body?.Choices is { Count: > 0 } choices ? choices[0].Message?.Content : null;
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new DraftUnavailableException("The model endpoint returned no text.");
            }

            return new ReplyDraft(Redactor.RedactOutbound(text.Trim()).Text, body!.Model ?? Options.Model);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or NotSupportedException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogWarning("Draft endpoint failed: {Error}", ex.GetType().Name);
            throw new DraftUnavailableException("The model endpoint could not be reached or gave an unreadable answer.");
        }
    }

    private static string EnsureSlash(string url) => url.EndsWith('/') ? url : url + "/";

    private sealed record ChatRequest(string Model, IReadOnlyList<ChatMessage> Messages, double Temperature, [property: JsonPropertyName("max_tokens")] int MaxTokens);

    private sealed record ChatMessage(string Role, string Content);

    private sealed record ChatResponse(string? Model, IReadOnlyList<ChatChoice>? Choices);

    private sealed record ChatChoice(ChatMessage? Message);
}
