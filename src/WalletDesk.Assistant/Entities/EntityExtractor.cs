using System.Globalization;
using System.Text.RegularExpressions;

namespace WalletDesk.Assistant.Entities;

/// <summary>
/// Rule-based extraction of transaction references, amounts, dates, card last-4 digits and phone numbers
/// from English, Chinese and mixed text. Rules run from the most specific (phone numbers, card digits)
/// to the least (bare amounts); a span claimed by one rule is not reused by another, so "尾号4242" is a
/// card and never also an amount.
/// </summary>
public static partial class EntityExtractor
{
    private const int MaxChars = 2000;

    /// <summary>Extracts entities, ordered by position.</summary>
    /// <param name="text">Customer text.</param>
    /// <param name="referenceTime">"Now" for relative dates such as "yesterday" or "前天".</param>
    /// <param name="timeZone">The customer's time zone, which decides what "today" is.</param>
    /// <param name="options">Currency and date conventions; defaults when null.</param>
    public static IReadOnlyList<Entity> Extract(string text, DateTimeOffset referenceTime, TimeZoneInfo timeZone, EntityExtractorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(timeZone);
        options ??= new EntityExtractorOptions();
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var original = text.Length > MaxChars ? text[..MaxChars] : text;
        var s = FoldWidth(original);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(referenceTime, timeZone).DateTime);
        var found = new List<Entity>();
        var claimed = new bool[s.Length];

        bool Claim(int start, int length)
        {
            for (var i = start; i < start + length; i++)
            {
                if (claimed[i])
                {
                    return false;
                }
            }

            Array.Fill(claimed, true, start, length);
            return true;
        }

        void Add(Entity? entity)
        {
            if (entity is not null && Claim(entity.Start, entity.Length))
            {
                found.Add(entity);
            }
        }

        foreach (Match m in InternationalPhone().Matches(s))
        {
            Add(InternationalPhoneEntity(original, m));
        }

        foreach (Match m in ChineseMobile().Matches(s))
        {
            Add(new PhoneNumberEntity(original.Substring(m.Index, m.Length), m.Index, m.Length, "+86" + Digits(m.Value)));
        }

        foreach (var regex in new[] { CardLast4English(), CardLast4Chinese(), MaskedCard() })
        {
            foreach (Match m in regex.Matches(s))
            {
                Add(new CardLast4Entity(original.Substring(m.Index, m.Length), m.Index, m.Length, m.Groups["d"].Value));
            }
        }

        foreach (var regex in new[] { LabelledReference(), PrefixedReference(), DatedReference(), LongReference() })
        {
            foreach (Match m in regex.Matches(s))
            {
                var g = m.Groups["ref"];
                Add(new TransactionReferenceEntity(original.Substring(g.Index, g.Length), g.Index, g.Length, g.Value.ToUpperInvariant()));
            }
        }

        foreach (var (regex, resolve) in DateRules(options))
        {
            foreach (Match m in regex.Matches(s))
            {
                if (resolve(m, today) is { } date)
                {
                    Add(new DateEntity(original.Substring(m.Index, m.Length), m.Index, m.Length, date));
                }
            }
        }

        foreach (var regex in new[] { MoneyPrefix(), MoneySuffix(), MoneyChinese() })
        {
            foreach (Match m in regex.Matches(s))
            {
                Add(MoneyEntity(original, m, options));
            }
        }

        return found.OrderBy(e => e.Start).ToArray();
    }

    /// <summary>Full-width ASCII (common from Chinese IMEs) to half-width, keeping every offset unchanged.</summary>
    private static string FoldWidth(string text) => string.Create(text.Length, text, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            span[i] = c switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
                '\u3000' => ' ',
                '\uFFE5' => '¥',
                _ => c,
            };
        }
    });

    private static string Digits(string s) => new(s.Where(char.IsAsciiDigit).ToArray());

    private static PhoneNumberEntity? InternationalPhoneEntity(string original, Match m)
    {
        // Drop trailing digit groups until the number fits E.164 (at most 15 digits): "+86 138 0013 8000 200元"
        // must not swallow the amount.
        var groups = m.Groups["g"].Captures.Select(c => (c.Index, c.Length)).ToList();
        var cc = m.Groups["cc"];
        while (groups.Count > 0)
        {
            var end = groups[^1].Index + groups[^1].Length;
            var digits = Digits(m.Value[..(end - m.Index)]);
            var national = digits.Length - cc.Length;
            var valid = cc.Value switch
            {
                "1" => national == 10,
                "86" => national is 11 or 10 or 9 or 8,
                _ => digits.Length is >= 8 and <= 15,
            };
            if (valid)
            {
                return new PhoneNumberEntity(original[m.Index..end], m.Index, end - m.Index, "+" + digits);
            }

            groups.RemoveAt(groups.Count - 1);
        }

        return null;
    }

    private static MoneyEntity? MoneyEntity(string original, Match m, EntityExtractorOptions options)
    {
        var currency = CurrencyOf(m.Groups["cur"].Value, options);
        if (currency is null)
        {
            return null;
        }

        decimal amount;
        var num = m.Groups["num"].Value;
        if (num.Length > 0)
        {
            if (!decimal.TryParse(num.Replace(",", "", StringComparison.Ordinal), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount))
            {
                return null;
            }
        }
        else if (!ChineseNumerals.TryParse(m.Groups["cn"].Value, out amount))
        {
            return null;
        }

        if (m.Groups["jiao"].Success)
        {
            // 三块五 / 3块5毛: the digit after 块 is tenths (角).
            var jiao = m.Groups["jiao"].Value;
            amount += (char.IsAsciiDigit(jiao[0]) ? jiao[0] - '0' : ChineseNumerals.TryParse(jiao, out var j) ? j : 0) / 10m;
        }

        var exponent = currency is "JPY" or "KRW" ? 0 : 2;
        var scaled = amount * (exponent == 0 ? 1 : 100);
        if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue)
        {
            return null;
        }

        return new MoneyEntity(original.Substring(m.Index, m.Length), m.Index, m.Length, (long)scaled, currency);
    }

    private static string? CurrencyOf(string token, EntityExtractorOptions options) => token.ToUpperInvariant() switch
    {
        "$" or "DOLLAR" or "DOLLARS" or "BUCK" or "BUCKS" => options.DollarCurrency,
        "US$" or "USD" or "美元" or "美金" => "USD",
        "HK$" or "HKD" or "港币" or "港元" or "港幣" => "HKD",
        "S$" or "SGD" => "SGD",
        "A$" or "AUD" => "AUD",
        "C$" or "CAD" => "CAD",
        "¥" => options.YenSignCurrency,
        "CNY" or "RMB" or "YUAN" or "元" or "块" or "块钱" or "塊" or "人民币" or "圆" => "CNY",
        "€" or "EUR" or "EURO" or "EUROS" or "欧元" => "EUR",
        "£" or "GBP" or "POUND" or "POUNDS" or "英镑" => "GBP",
        "JPY" or "日元" or "日币" => "JPY",
        _ => null,
    };

    private const string Number = @"(?<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)";

    [GeneratedRegex(@"(?<![A-Za-z0-9_$])(?<cur>US\$|HK\$|S\$|A\$|C\$|\$|€|£|¥|USD|CNY|RMB|EUR|GBP|JPY|HKD|SGD|AUD|CAD)\s?" + Number + @"(?![\d.,]*\d)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MoneyPrefix();

    [GeneratedRegex(@"(?<![A-Za-z0-9_.,])" + Number + @"\s?(?<cur>USD|CNY|RMB|EUR|GBP|JPY|HKD|SGD|AUD|CAD|dollars?|bucks?|euros?|pounds?|yuan|美元|美金|港币|港元|欧元|英镑|日元|人民币|块钱|块|元|圆)(?:(?<jiao>\d)(?:毛|角)?)?(?![a-z])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MoneySuffix();

    [GeneratedRegex(@"(?<cn>[零〇一二两三四五六七八九十百千万亿点]+)\s?(?<cur>美元|美金|港币|港元|欧元|英镑|日元|人民币|块钱|块|元)(?:(?<jiao>[一二三四五六七八九])(?:毛|角)?)?", RegexOptions.CultureInvariant)]
    private static partial Regex MoneyChinese();

    [GeneratedRegex(@"(?<![A-Za-z0-9_+])\+(?<cc>1|86|852|853|886|44|49|33|61|65|81|82|91|\d{2,3})(?:[\s\-.]?\(?(?<g>\d{1,4})\)?){2,6}(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex InternationalPhone();

    [GeneratedRegex(@"(?<![\d+])1[3-9]\d[\s\-]?\d{4}[\s\-]?\d{4}(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex ChineseMobile();

    [GeneratedRegex(@"(?:(?:card|visa|mastercard|master card|amex|debit card|credit card)\s*(?:number\s*)?(?:that\s+)?(?:ending|ends|ended)?|(?<![A-Za-z0-9_])ending|ends)\s*(?:in|with)?\s*[:#]?\s*(?:\*+\s*)?(?<d>\d{4})(?!\d)|last\s*(?:4|four)\s*(?:digits)?\s*(?:of\s+(?:my\s+)?card\s*)?(?:is|are|:)?\s*(?<d>\d{4})(?!\d)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CardLast4English();

    [GeneratedRegex(@"(?:尾号|尾數|尾数|后四位|末四位|後四位)\s*(?:是|为|為)?\s*[:：]?\s*(?<d>\d{4})(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex CardLast4Chinese();

    [GeneratedRegex(@"(?:[*xX•]{4}[\s\-]?){1,3}(?<d>\d{4})(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex MaskedCard();

    [GeneratedRegex(@"(?:订单号|交易号|流水号|单号|交易编号|参考号|(?<![A-Za-z0-9_])(?:ref(?:erence)?|order|transaction|txn|tx)(?:\s*(?:no\.?|number|id|#))?)\s*(?:是|为|:|：|#)?\s*(?<ref>(?=[A-Z0-9\-]*\d)[A-Z0-9][A-Z0-9\-]{5,39})(?![A-Za-z0-9_\-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LabelledReference();

    [GeneratedRegex(@"(?<![A-Za-z0-9_\-])(?<ref>(?:TX|TXN|TRX|REF|ORD|PAY|WD)[\-_]?(?=[A-Z0-9]*\d)[A-Z0-9]{4,24})(?![A-Za-z0-9_\-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PrefixedReference();

    [GeneratedRegex(@"(?<![A-Za-z0-9_\-])(?<ref>[A-Z]{0,3}\d{8}[\-_]\d{3,12})(?![A-Za-z0-9_\-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DatedReference();

    [GeneratedRegex(@"(?<![A-Za-z0-9_\-])(?<ref>(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{10,40})(?![A-Za-z0-9_\-])", RegexOptions.CultureInvariant)]
    private static partial Regex LongReference();
}
