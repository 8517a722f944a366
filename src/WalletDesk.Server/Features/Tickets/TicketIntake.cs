using WalletDesk.Redaction;

namespace WalletDesk.Server.Features.Tickets;

/// <summary>Text after intake: validated, normalised and redacted, with what was removed.</summary>
public sealed record CleanText(string Text, IReadOnlyList<RedactionKind> Removed, RedactionNotice? Notice)
{
    public string RemovedLabel => string.Join(' ', Removed.Select(k => k.ToString().ToLowerInvariant()).Distinct());
}

/// <summary>
/// The one gate every channel's text passes before it is stored, indexed, logged, broadcast or sent:
/// control characters dropped, line endings normalised, card numbers / CVV / one-time codes / passwords removed.
/// </summary>
public static class TicketIntake
{
    public const int MaxSubjectLength = 300;
    public const int MaxBodyLength = 20000;

    public static CleanText Inbound(string text, string? previousMessageTail = null) => Clean(text, previousMessageTail, outbound: false);

    /// <summary>Agent and bot replies: the same rules, so a quoted card number never leaves either (H2).</summary>
    public static CleanText Outbound(string text) => Clean(text, null, outbound: true);

    public static PreviousMessageRedaction? SplitAcrossMessages(string text, string previousMessageTail) =>
        Redactor.Redact(Normalise(text), previousMessageTail).PreviousMessage;

    private static CleanText Clean(string text, string? previousTail, bool outbound)
    {
        var normalised = Normalise(text);
        var result = outbound ? Redactor.RedactOutbound(normalised) : Redactor.Redact(normalised, previousTail);
        return new CleanText(result.Text, result.Findings.Select(f => f.Kind).Distinct().ToList(), result.Notice);
    }

    private static string Normalise(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        foreach (var c in text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'))
        {
            // Keep newlines and tabs; drop other control characters (NUL and friends) that break renderers and logs.
            if (c is '\n' or '\t' || !char.IsControl(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString().Trim();
    }
}
