using WalletDesk.Redaction;

namespace WalletDesk.Server.Features.Tickets;

/// <summary>
/// Which personal identifiers intake masks besides what it always removes (card numbers, CVV, one-time codes,
/// passwords, PINs). Section <c>Redaction</c>; unknown keys fail the start, so a misspelt switch is never silently off.
/// </summary>
public sealed class RedactionOptions
{
    public const string SectionName = "Redaction";

    /// <summary>Chinese resident identity card numbers (region, birth date and check character verified). Default on.</summary>
    public bool ResidentIds { get; set; } = true;

    /// <summary>Passport numbers. Default off: short letter-digit codes are often order or error codes.</summary>
    public bool Passports { get; set; }

    /// <summary>Bank account numbers after an account keyword, and IBANs (last 4 digits stay). Default off: wallet account ids look the same.</summary>
    public bool BankAccounts { get; set; }

    /// <summary>Phone numbers with <c>+</c> and Chinese mobile numbers in free text (last 4 digits stay). Default off: customers give them to be called back.</summary>
    public bool PhoneNumbers { get; set; }

    public RedactionRules ToRules() => new()
    {
        ResidentIds = ResidentIds,
        Passports = Passports,
        BankAccounts = BankAccounts,
        PhoneNumbers = PhoneNumbers,
    };
}
