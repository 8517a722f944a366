namespace WalletDesk.Assistant.Intents;

/// <summary>One training or evaluation row: customer text and its intent label.</summary>
/// <param name="Text">The customer's message.</param>
/// <param name="Label">The intent label (<c>out_of_scope</c> for messages the assistant must decline).</param>
public sealed record LabeledExample(string Text, string Label);
