namespace WalletDesk.Redaction;

/// <summary>
/// Removes card numbers, CVVs, one-time codes, passwords and PINs from text before it is stored, indexed,
/// logged, broadcast or sent anywhere. Thread-safe and allocation-free when nothing is found.
/// </summary>
/// <remarks>Rules, mask format and measured false-positive rates: <c>docs/redaction.md</c>.</remarks>
public static class Redactor
{
    /// <summary>Redacts text a customer sent (chat message, email subject or body, form field, file name, custom field).</summary>
    /// <param name="text">The text as received.</param>
    public static RedactionResult Redact(string text) => Run(text, null, RedactionDirection.Inbound);

    /// <summary>
    /// Redacts a chat message, also catching a card number whose first digits ended the previous message from the
    /// same sender. When that happens <see cref="RedactionResult.PreviousMessage"/> says which range of
    /// <paramref name="previousMessageTail"/> must be replaced as well.
    /// </summary>
    /// <param name="text">The new message.</param>
    /// <param name="previousMessageTail">The end of the previous message from the same sender (32 characters is plenty), or null.</param>
    public static RedactionResult Redact(string text, string? previousMessageTail) => Run(text, previousMessageTail, RedactionDirection.Inbound);

    /// <summary>Redacts a reply from an agent or the bot, including any customer text it quotes. Same rules as inbound.</summary>
    /// <param name="text">The reply about to be sent.</param>
    public static RedactionResult RedactOutbound(string text) => Run(text, null, RedactionDirection.Outbound);

    internal static void Collect(string text, Redactions acc)
    {
        // Card numbers first: a keyword pass must never cut a card number in half.
        PanScanner.Scan(text, acc);
        acc.EndPass();
        KeywordScanner.Scan(text, acc);
        acc.EndPass();
    }

    private static RedactionResult Run(string text, string? previousTail, RedactionDirection direction)
    {
        ArgumentNullException.ThrowIfNull(text);
        var acc = new Redactions();
        PreviousMessageRedaction? previous = null;
        if (!string.IsNullOrEmpty(previousTail))
        {
            previous = SplitPan.Detect(previousTail, text, acc);
            acc.EndPass();
        }

        Collect(text, acc);
        var (redacted, findings) = acc.Apply(text);
        return new RedactionResult
        {
            Text = redacted,
            Findings = findings,
            Direction = direction,
            PreviousMessage = previous,
        };
    }
}
