namespace WalletDesk.Server.Features.Assistant;

/// <summary>The right intent for a message the assistant misread.</summary>
/// <param name="Intent">One of the labels from <c>GET /api/assistant/intents</c>.</param>
public sealed record CorrectIntentRequest(string? Intent);

/// <summary>A training example.</summary>
/// <param name="Text">What a customer might write (redacted on arrival).</param>
/// <param name="Intent">Its intent.</param>
public sealed record AddExampleRequest(string? Text, string? Intent);

/// <summary>A new intent with its first examples.</summary>
/// <param name="Key">Label, e.g. <c>card_delivery</c>.</param>
/// <param name="Description">What customers mean by it.</param>
/// <param name="ArticleSlug">Help-center article the assistant answers with (else it searches).</param>
/// <param name="Group">Queue for handoffs: general, payments, security or accounts.</param>
/// <param name="Examples">At least three example messages.</param>
public sealed record AddIntentRequest(string? Key, string? Description, string? ArticleSlug, string? Group, IReadOnlyList<string>? Examples);

/// <summary>Text to classify.</summary>
/// <param name="Text">A customer message.</param>
public sealed record PredictRequest(string? Text);

/// <summary>What the active model makes of a message.</summary>
/// <param name="Intent">Accepted intent, or null when declined as out of scope.</param>
/// <param name="Confidence">Calibrated confidence of the best in-scope intent.</param>
/// <param name="DeclineReason">Why it was declined, if it was.</param>
/// <param name="Ranked">Best candidates.</param>
/// <param name="ModelVersion">The model that answered.</param>
public sealed record PredictResponse(string? Intent, double Confidence, string DeclineReason, IReadOnlyList<RankedIntent> Ranked, string ModelVersion);

/// <summary>A ranked candidate.</summary>
/// <param name="Intent">Label.</param>
/// <param name="Probability">Calibrated probability.</param>
public sealed record RankedIntent(string Intent, double Probability);

/// <summary>The assistant's intents.</summary>
/// <param name="Labels">Every label the assistant knows (trained or added since).</param>
/// <param name="Custom">Intents operators added.</param>
public sealed record IntentsResponse(IReadOnlyList<string> Labels, IReadOnlyList<IntentResponse> Custom);

/// <summary>An operator intent.</summary>
/// <param name="Key">Label.</param>
/// <param name="Description">Meaning.</param>
/// <param name="ArticleSlug">Article answered with.</param>
/// <param name="Group">Handoff queue.</param>
/// <param name="CreatedAt">When it was added.</param>
public sealed record IntentResponse(string Key, string Description, string? ArticleSlug, string Group, DateTimeOffset CreatedAt);

/// <summary>A training example added in the product.</summary>
/// <param name="Id">Append-only id.</param>
/// <param name="Text">Redacted text.</param>
/// <param name="Intent">Label.</param>
/// <param name="Source">operator or agent_correction.</param>
/// <param name="ConversationId">For corrections, the conversation.</param>
/// <param name="CreatedBy">Who added it.</param>
/// <param name="CreatedAt">When.</param>
public sealed record ExampleResponse(long Id, string Text, string Intent, string Source, long? ConversationId, string? CreatedBy, DateTimeOffset CreatedAt);

/// <summary>A model version.</summary>
/// <param name="Version">Id.</param>
/// <param name="Status">deployed or rejected.</param>
/// <param name="IsActive">Answering now.</param>
/// <param name="TrainingRows">Rows trained on.</param>
/// <param name="EvalOpenSetAccuracy">Open-set accuracy on the comparison folds.</param>
/// <param name="EvalAccuracy">Closed-set accuracy on the comparison folds.</param>
/// <param name="EvalMacroF1">Macro-F1 on the comparison folds.</param>
/// <param name="BaselineOpenSetAccuracy">The previous training set on the same folds.</param>
/// <param name="Decision">Why it was deployed or not.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="CreatedBy">Who started it.</param>
/// <param name="ActivatedAt">Last activation.</param>
public sealed record ModelVersionResponse(
    string Version, string Status, bool IsActive, int TrainingRows, double? EvalOpenSetAccuracy, double? EvalAccuracy, double? EvalMacroF1,
    double? BaselineOpenSetAccuracy, string Decision, DateTimeOffset CreatedAt, string? CreatedBy, DateTimeOffset? ActivatedAt);

/// <summary>The result of a retrain.</summary>
/// <param name="Deployed">The new version is now active.</param>
/// <param name="NewExamples">Examples added since the previously active version.</param>
/// <param name="Seconds">How long it took.</param>
/// <param name="Version">The version recorded.</param>
public sealed record RetrainResponse(bool Deployed, int NewExamples, double Seconds, ModelVersionResponse Version);

/// <summary>The assistant's view of one conversation, for agents.</summary>
/// <param name="ConversationId">The chat's ticket id.</param>
/// <param name="Language">en or zh.</param>
/// <param name="HandedOff">Passed to a human.</param>
/// <param name="HandoffReason">Why.</param>
/// <param name="Resolved">The customer confirmed it was solved.</param>
/// <param name="Turns">Each customer message with the predicted (and corrected) intent.</param>
public sealed record ConversationResponse(long ConversationId, string Language, bool HandedOff, string? HandoffReason, bool Resolved, IReadOnlyList<TurnResponse> Turns);

/// <summary>One customer message as the assistant understood it.</summary>
/// <param name="Seq">Sequence number in the conversation.</param>
/// <param name="Text">Redacted text.</param>
/// <param name="Intent">Predicted intent (null = not understood).</param>
/// <param name="Confidence">Calibrated confidence.</param>
/// <param name="Action">What the assistant did.</param>
/// <param name="CorrectedIntent">The agent's label, if corrected.</param>
/// <param name="CorrectedBy">Who corrected it.</param>
/// <param name="ModelVersion">Model that classified it.</param>
public sealed record TurnResponse(int Seq, string Text, string? Intent, double Confidence, string Action, string? CorrectedIntent, string? CorrectedBy, string ModelVersion);

/// <summary>Ask for a reply suggestion.</summary>
/// <param name="Hint">Optional note from the agent (e.g. "apologise for the delay").</param>
public sealed record DraftRequest(string? Hint);
