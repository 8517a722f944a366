namespace WalletDesk.Assistant.Entities;

/// <summary>A value found in customer text. <see cref="Start"/> and <see cref="Length"/> index the original string.</summary>
/// <param name="Text">The matched text as the customer wrote it.</param>
/// <param name="Start">Offset of the match in the input.</param>
/// <param name="Length">Length of the match.</param>
public abstract record Entity(string Text, int Start, int Length);

/// <summary>A transaction, order or payment reference, upper-cased (e.g. <c>TX-8F3K2Q</c>).</summary>
/// <param name="Text">Matched text.</param>
/// <param name="Start">Offset.</param>
/// <param name="Length">Length.</param>
/// <param name="Reference">The reference, upper-cased.</param>
public sealed record TransactionReferenceEntity(string Text, int Start, int Length, string Reference) : Entity(Text, Start, Length);

/// <summary>An amount of money in integer minor units of an ISO 4217 currency (never floating point).</summary>
/// <param name="Text">Matched text.</param>
/// <param name="Start">Offset.</param>
/// <param name="Length">Length.</param>
/// <param name="MinorUnits">Amount in minor units (cents, fen; yen have none).</param>
/// <param name="Currency">ISO 4217 code, e.g. <c>USD</c>, <c>CNY</c>.</param>
public sealed record MoneyEntity(string Text, int Start, int Length, long MinorUnits, string Currency) : Entity(Text, Start, Length);

/// <summary>A calendar date, resolved against the reference time in the customer's time zone.</summary>
/// <param name="Text">Matched text.</param>
/// <param name="Start">Offset.</param>
/// <param name="Length">Length.</param>
/// <param name="Date">The local date meant.</param>
public sealed record DateEntity(string Text, int Start, int Length, DateOnly Date) : Entity(Text, Start, Length);

/// <summary>The last four digits of a payment card.</summary>
/// <param name="Text">Matched text.</param>
/// <param name="Start">Offset.</param>
/// <param name="Length">Length.</param>
/// <param name="Last4">The four digits.</param>
public sealed record CardLast4Entity(string Text, int Start, int Length, string Last4) : Entity(Text, Start, Length);

/// <summary>A phone number in E.164 form (e.g. <c>+8613800138000</c>).</summary>
/// <param name="Text">Matched text.</param>
/// <param name="Start">Offset.</param>
/// <param name="Length">Length.</param>
/// <param name="E164">The number as <c>+</c> and digits.</param>
public sealed record PhoneNumberEntity(string Text, int Start, int Length, string E164) : Entity(Text, Start, Length);

/// <summary>Conventions the extractor cannot infer from the text alone.</summary>
public sealed class EntityExtractorOptions
{
    /// <summary>Currency meant by a bare <c>$</c>, "dollars" or "bucks".</summary>
    public string DollarCurrency { get; init; } = "USD";

    /// <summary>Currency meant by <c>¥</c>: renminbi for WalletDesk's Chinese wallets (use <c>JPY</c> for Japanese ones).</summary>
    public string YenSignCurrency { get; init; } = "CNY";

    /// <summary>Whether <c>11/12</c> means 12 November (month first) rather than 11 December.</summary>
    public bool MonthFirst { get; init; } = true;
}
