namespace WalletDesk.Redaction;

/// <summary>
/// Which personal identifiers are masked besides what is always removed (card numbers, CVV, one-time codes,
/// passwords, PINs). Resident ID numbers are checked strictly enough to be on by default; the others are off by
/// default because wallet account ids, order numbers and contact numbers look like them.
/// </summary>
public sealed record RedactionRules
{
    /// <summary>Resident IDs on, everything else off.</summary>
    public static RedactionRules Default { get; } = new();

    /// <summary>Chinese resident identity card numbers (18 characters, region, birth date, ISO 7064 MOD 11-2 check character). Default on.</summary>
    public bool ResidentIds { get; init; } = true;

    /// <summary>Passport numbers: Chinese passports (<c>E12345678</c>, <c>EA1234567</c>, <c>G12345678</c>) and any 6–9 character number after "passport" / "护照". Default off.</summary>
    public bool Passports { get; init; }

    /// <summary>Bank account numbers after "account number" / "bank account" / "账号" and the like, and mod-97-valid IBANs; the last 4 digits stay. Default off.</summary>
    public bool BankAccounts { get; init; }

    /// <summary>Phone numbers written with <c>+</c> and a country code, and Chinese mobile numbers; the last 4 digits stay. Default off.</summary>
    public bool PhoneNumbers { get; init; }
}
