using System.Text.Json;
using WalletDesk.Assistant;
using WalletDesk.Assistant.Entities;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Wallet;

namespace WalletDesk.Server.Features.Assistant;

/// <summary>What the assistant remembers between messages of one conversation (stored as JSON).</summary>
public sealed class DialogueState
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>What the assistant is waiting for: <see cref="Stages"/>.</summary>
    public string? Stage { get; set; }
    public string? StageIntent { get; set; }

    /// <summary>The classifier's confidence for <see cref="StageIntent"/>, on the message that gave it (never a later one's).</summary>
    public double StageConfidence { get; set; }

    /// <summary>Transaction ids (of this customer's own account) offered in a "which one?" question.</summary>
    public List<string> Candidates { get; set; } = [];
    public int LowConfidence { get; set; }
    public int Negative { get; set; }
    public List<string> Recent { get; set; } = [];
    public List<string> Words { get; set; } = [];
    public List<string> Lookups { get; set; } = [];
    public List<string> Tried { get; set; } = [];
    public List<string> Entities { get; set; } = [];
    public string? LastIntent { get; set; }

    /// <summary>The last intent that is a customer problem (not "talk to a human", a greeting, thanks or a complaint): it picks the queue.</summary>
    public string? Topic { get; set; }
    public double LastConfidence { get; set; }
    public string? StepUpChallengeId { get; set; }
    public int StepUpChecks { get; set; }
    public string? Sentiment { get; set; }
    public List<string> SentimentCues { get; set; } = [];

    public static DialogueState Parse(string json) => JsonSerializer.Deserialize<DialogueState>(json, Json) ?? new DialogueState();

    public string Serialize() => JsonSerializer.Serialize(this, Json);

    public static void Remember(List<string> list, string item, int max)
    {
        list.Add(item.Length > 300 ? item[..300] + "…" : item);
        if (list.Count > max)
        {
            list.RemoveRange(0, list.Count - max);
        }
    }
}

public static class Stages
{
    public const string ChooseTransaction = "choose_transaction";
    public const string ConfirmFreeze = "confirm_freeze";
    public const string ConfirmSolved = "confirm_solved";
    public const string AwaitStepUp = "await_step_up";
}

/// <summary>Machine-readable handoff reasons (see <see cref="AssistantHandoff.Reason"/>).</summary>
public static class HandoffReasons
{
    public const string Asked = "asked";
    public const string LowConfidence = "low_confidence";
    public const string Frustrated = "frustrated";
    public const string Security = "security";
    public const string Amount = "amount";
    public const string FlowFailed = "flow_failed";
    public const string Visitor = "visitor";
}

/// <summary>Everything about the message being answered.</summary>
internal sealed class Turn(AssistantInput input, string text, string wording, bool zh, DialogueState state)
{
    public AssistantInput Input { get; } = input;
    public string Text { get; } = text;

    /// <summary>The text without wallet references: what is classified (a reference is looked up, not understood).</summary>
    public string Wording { get; } = wording;

    public bool Zh { get; } = zh;
    public string Lang => Zh ? "zh" : "en";
    public DialogueState State { get; } = state;
    public IntentPrediction Prediction { get; set; } = new(null, 0, DeclineReason.EmptyInput, []);
    public IReadOnlyList<Entity> Entities { get; set; } = [];
    public Sentiment Sentiment { get; set; } = new(0, false, []);
    public WalletAccount? Account { get; set; }
    public bool WalletUnavailable { get; set; }
    public string ModelVersion { get; set; } = "";
    public List<AssistantReply> Replies { get; } = [];
    public AssistantHandoff? Handoff { get; set; }
    public bool Resolved { get; set; }
    public List<string> Actions { get; } = [];

    public string? Intent => Prediction.Intent;

    public string T(string en, string zh) => Zh ? zh : en;

    public void Say(string en, string zh, string? article = null, IReadOnlyList<string>? quick = null) => Replies.Add(new AssistantReply(T(en, zh), article, quick));

    public void Did(string action)
    {
        Actions.Add(action);
        DialogueState.Remember(State.Tried, action, 20);
    }

    public void Looked(string lookup)
    {
        Actions.Add("lookup: " + lookup);
        DialogueState.Remember(State.Lookups, lookup, 20);
    }
}
