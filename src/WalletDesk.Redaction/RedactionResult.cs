namespace WalletDesk.Redaction;

/// <summary>What kind of secret a redaction removed.</summary>
public enum RedactionKind
{
    /// <summary>A Luhn-valid card number; replaced by a mask keeping the first 6 and last 4 digits.</summary>
    Pan,

    /// <summary>A card security code (CVV, CVC, CID); removed.</summary>
    Cvv,

    /// <summary>A one-time code (OTP, SMS or verification code); removed.</summary>
    OneTimeCode,

    /// <summary>A password the customer typed; removed.</summary>
    Password,

    /// <summary>A PIN or payment password; removed.</summary>
    Pin,

    /// <summary>A token, API key, session or authorization value (log scrubbing only); removed.</summary>
    Credential,

    /// <summary>A Chinese resident identity card number; the first 3 and last 4 characters stay.</summary>
    ResidentId,

    /// <summary>A passport number (when <see cref="RedactionRules.Passports"/> is on); removed.</summary>
    Passport,

    /// <summary>A bank account number or IBAN (when <see cref="RedactionRules.BankAccounts"/> is on); the last 4 digits stay.</summary>
    BankAccount,

    /// <summary>A phone number (when <see cref="RedactionRules.PhoneNumbers"/> is on); the last 4 digits stay.</summary>
    Phone,
}

/// <summary>Whether the text was written by a customer or is a reply from an agent or the bot.</summary>
public enum RedactionDirection
{
    /// <summary>Customer to WalletDesk: chat, email, forms, file names, custom fields.</summary>
    Inbound,

    /// <summary>Agent or bot to customer, including quoted history.</summary>
    Outbound,
}

/// <summary>The masked form of a card number. Never holds the full number.</summary>
/// <param name="Masked">First 6 digits, one <c>*</c> per hidden digit, last 4 digits, e.g. <c>411111******1111</c>.</param>
/// <param name="Bin">The first 6 digits.</param>
/// <param name="Last4">The last 4 digits.</param>
/// <param name="DigitCount">How many digits the card number had.</param>
public sealed record MaskedPan(string Masked, string Bin, string Last4, int DigitCount);

/// <summary>One secret found and removed.</summary>
/// <param name="Kind">What was removed.</param>
/// <param name="Start">Start of the replacement in <see cref="RedactionResult.Text"/>.</param>
/// <param name="Length">Length of the replacement in <see cref="RedactionResult.Text"/>.</param>
/// <param name="Pan">For <see cref="RedactionKind.Pan"/>, the masked number; otherwise null.</param>
/// <param name="ContinuesPreviousMessage">True when the card number began in the previous message.</param>
public sealed record RedactionFinding(
    RedactionKind Kind,
    int Start,
    int Length,
    MaskedPan? Pan = null,
    bool ContinuesPreviousMessage = false);

/// <summary>A notice the product shows next to a redacted message.</summary>
/// <param name="English">English text.</param>
/// <param name="SimplifiedChinese">Simplified Chinese text.</param>
public sealed record RedactionNotice(string English, string SimplifiedChinese)
{
    /// <summary>Shown to the customer when card details or codes were removed from their message.</summary>
    public static RedactionNotice CardDetails { get; } = new(
        "For your safety we removed card details from your message; please never send full card numbers, CVV or one-time codes.",
        "为了您的安全，我们已从您的消息中删除了银行卡信息；请勿发送完整卡号、CVV 安全码或一次性验证码。");

    /// <summary>Shown to the customer when only a password or PIN was removed.</summary>
    public static RedactionNotice Password { get; } = new(
        "For your safety we removed a password or PIN from your message; our staff will never ask for it, please do not send it.",
        "为了您的安全，我们已从您的消息中删除了密码或 PIN；我们的工作人员绝不会向您索取，请勿发送。");

    /// <summary>Shown to the customer when only identity or contact numbers (ID card, passport, account, phone) were masked.</summary>
    public static RedactionNotice PersonalDetails { get; } = new(
        "For your safety we masked identity or account numbers in your message; our staff can still help you without them.",
        "为了您的安全，我们已遮盖了您消息中的证件号码或账号；没有这些信息我们的工作人员也能为您提供帮助。");

    /// <summary>Shown to the agent when their reply (or the history it quotes) had secrets removed before sending.</summary>
    public static RedactionNotice Outbound { get; } = new(
        "Card numbers, security codes, one-time codes or passwords were removed from this reply before it was sent.",
        "此回复在发送前已删除卡号、安全码、一次性验证码或密码。");
}

/// <summary>The part of the previous message that must also be redacted because a card number spans both messages.</summary>
/// <param name="Start">Start of the range in the <c>previousMessageTail</c> string that was passed in.</param>
/// <param name="Length">Length of the range.</param>
/// <param name="Replacement">Text to put in place of the range (the leading part of the mask).</param>
public sealed record PreviousMessageRedaction(int Start, int Length, string Replacement);

/// <summary>The outcome of redacting one text.</summary>
public sealed record RedactionResult
{
    /// <summary>The text with secrets masked or removed. The same instance as the input when nothing was found.</summary>
    public required string Text { get; init; }

    /// <summary>Every secret found, in text order.</summary>
    public required IReadOnlyList<RedactionFinding> Findings { get; init; }

    /// <summary>Which way the text was travelling; decides which notice applies.</summary>
    public RedactionDirection Direction { get; init; }

    /// <summary>Set when a card number started in the previous message; the caller must redact that range too.</summary>
    public PreviousMessageRedaction? PreviousMessage { get; init; }

    /// <summary>True when anything was removed or masked.</summary>
    public bool WasRedacted => Findings.Count > 0;

    /// <summary>The notice to show, or null when nothing was redacted.</summary>
    public RedactionNotice? Notice
    {
        get
        {
            if (!WasRedacted)
            {
                return null;
            }

            if (Direction == RedactionDirection.Outbound)
            {
                return RedactionNotice.Outbound;
            }

            if (Findings.All(f => f.Kind is RedactionKind.Password or RedactionKind.Pin))
            {
                return RedactionNotice.Password;
            }

            return Findings.All(f => f.Kind is RedactionKind.ResidentId or RedactionKind.Passport or RedactionKind.BankAccount or RedactionKind.Phone)
                ? RedactionNotice.PersonalDetails
                : RedactionNotice.CardDetails;
        }
    }

    /// <summary>How many findings of <paramref name="kind"/> there are.</summary>
    public int Count(RedactionKind kind)
    {
        var n = 0;
        foreach (var f in Findings)
        {
            if (f.Kind == kind)
            {
                n++;
            }
        }

        return n;
    }
}
