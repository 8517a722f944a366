using Microsoft.Extensions.Options;
using WalletDesk.Redaction;

namespace WalletDesk.Server.Features.Tickets;

/// <summary>Text after intake: validated, normalised and redacted, with what was removed.</summary>
public sealed record CleanText(string Text, IReadOnlyList<RedactionKind> Removed, RedactionNotice? Notice)
{
    public string RemovedLabel => string.Join(' ', Removed.Select(k => k.ToString().ToLowerInvariant()).Distinct());
}

/// <summary>
/// The one gate every text from outside passes before it is stored, indexed, logged, broadcast or sent: messages,
/// subjects and notes (<see cref="Inbound"/>), and one-line fields such as names, e-mail addresses, phone numbers, token
/// claims and file names (<see cref="Field"/>). Control characters dropped, line endings normalised, card numbers / CVV /
/// one-time codes / passwords removed, and the identifiers <see cref="RedactionOptions"/> selects masked.
/// </summary>
public sealed class TicketIntake(IOptions<RedactionOptions> options)
{
    public const int MaxSubjectLength = 300;
    public const int MaxBodyLength = 20000;

    private readonly RedactionRules _rules = options.Value.ToRules();

    // A field that holds a phone number or an e-mail address on purpose keeps it; everything else still applies.
    private readonly RedactionRules _contactRules = options.Value.ToRules() with { PhoneNumbers = false, BankAccounts = false };

    public CleanText Inbound(string text, string? previousMessageTail = null) => Clean(text, previousMessageTail, outbound: false);

    /// <summary>Agent and bot replies: the same rules, so a quoted card number never leaves either (H2).</summary>
    public CleanText Outbound(string text) => Clean(text, null, outbound: true);

    public PreviousMessageRedaction? SplitAcrossMessages(string text, string previousMessageTail) =>
        Redactor.Redact(Normalise(text), previousMessageTail, _rules).PreviousMessage;

    /// <summary>
    /// A one-line field from outside (a name, a token claim, a file name, a contact address): line breaks and tabs become
    /// spaces, then it is redacted like a message and clipped to <paramref name="maxLength"/> (after redaction, so a clip
    /// never leaves the front of a card number). Null or blank gives null.
    /// </summary>
    /// <param name="value">The value as received.</param>
    /// <param name="maxLength">The column's length.</param>
    /// <param name="contact">True for a field that is meant to hold a phone number or e-mail address.</param>
    public string? Field(string? value, int maxLength, bool contact = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var line = Normalise(value).Replace('\n', ' ').Replace('\t', ' ');
        var text = Redactor.Redact(line, null, contact ? _contactRules : _rules).Text.Trim();
        return text.Length == 0 ? null : text.Length <= maxLength ? text : text[..maxLength].TrimEnd();
    }

    private CleanText Clean(string text, string? previousTail, bool outbound)
    {
        var normalised = Normalise(text);
        var result = outbound ? Redactor.RedactOutbound(normalised, _rules) : Redactor.Redact(normalised, previousTail, _rules);
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
