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

    /// <summary>Redacts customer text with the identifiers <paramref name="rules"/> selects masked as well.</summary>
    /// <param name="text">The new message or field.</param>
    /// <param name="previousMessageTail">The end of the previous message from the same sender, or null.</param>
    /// <param name="rules">Which personal identifiers to mask besides card data and secrets.</param>
    public static RedactionResult Redact(string text, string? previousMessageTail, RedactionRules rules) =>
        Run(text, previousMessageTail, RedactionDirection.Inbound, rules);

    /// <summary>Redacts a reply from an agent or the bot, including any customer text it quotes. Same rules as inbound.</summary>
    /// <param name="text">The reply about to be sent.</param>
    public static RedactionResult RedactOutbound(string text) => Run(text, null, RedactionDirection.Outbound);

    /// <summary>Redacts a reply from an agent or the bot with the identifiers <paramref name="rules"/> selects masked as well.</summary>
    /// <param name="text">The reply about to be sent.</param>
    /// <param name="rules">Which personal identifiers to mask besides card data and secrets.</param>
    public static RedactionResult RedactOutbound(string text, RedactionRules rules) => Run(text, null, RedactionDirection.Outbound, rules);

    internal static void Collect(string text, Redactions acc, RedactionRules? rules = null)
    {
        rules ??= RedactionRules.Default;

        // Resident IDs first: their check character is stricter than Luhn, so an ID that happens to pass Luhn is
        // reported as what it is. Then card numbers: a keyword pass must never cut a card number in half.
        if (rules.ResidentIds)
        {
            ResidentIdScanner.Scan(text, acc);
            acc.EndPass();
        }

        PanScanner.Scan(text, acc);
        acc.EndPass();
        KeywordScanner.Scan(text, acc);
        acc.EndPass();
        if (rules.Passports)
        {
            ContactScanner.ScanPassports(text, acc);
            acc.EndPass();
        }

        if (rules.BankAccounts)
        {
            ContactScanner.ScanBankAccounts(text, acc);
            acc.EndPass();
        }

        if (rules.PhoneNumbers)
        {
            ContactScanner.ScanPhones(text, acc);
            acc.EndPass();
        }
    }

    private static RedactionResult Run(string text, string? previousTail, RedactionDirection direction, RedactionRules? rules = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var acc = new Redactions();
        PreviousMessageRedaction? previous = null;
        if (!string.IsNullOrEmpty(previousTail))
        {
            previous = SplitPan.Detect(previousTail, text, acc);
            acc.EndPass();
        }

        Collect(text, acc, rules);
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
