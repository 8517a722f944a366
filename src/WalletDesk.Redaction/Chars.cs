using System.Buffers;

namespace WalletDesk.Redaction;

internal static class Chars
{
    // Full-width digits appear when Chinese IMEs are in full-width mode; they are still card digits.
    public static readonly SearchValues<char> Digits = SearchValues.Create("0123456789０１２３４５６７８９");

    public static bool IsDigit(char c) => (uint)(c - '0') <= 9 || (uint)(c - '\uFF10') <= 9;

    public static int DigitValue(char c) => (uint)(c - '0') <= 9 ? c - '0' : c - '\uFF10';

    public static char ToAsciiDigit(char c) => (char)('0' + DigitValue(c));

    // Exactly one of these may sit between two digit groups of a card number. Zero-width characters and the soft
    // hyphen are included because they survive copy-paste invisibly and would otherwise hide a card number.
    public static bool IsPanSeparator(char c) => c is ' ' or '\u00A0' or '\u2009' or '\u202F' or '\u3000'
        or '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' or '\u00AD'
        or '-' or '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2212' or '\uFF0D'
        or '.' or '\uFF0E';

    // Spacing people leave between digit groups when they type, paste or wrap a card number: any whitespace
    // (line breaks, doubled spaces, tabs) and the invisible characters above.
    public static bool IsPanSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\u00A0' or '\u2009' or '\u202F' or '\u3000'
        or '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' or '\u00AD' or '\u2028' or '\u2029';

    // A visible mark between digit groups: dashes, dots, slashes, commas (ASCII and full-width) and underscores.
    public static bool IsPanMark(char c) => c is '-' or '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2212' or '\uFF0D'
        or '.' or '\uFF0E' or '/' or '\uFF0F' or ',' or '\uFF0C' or '_';

    public static bool IsAsciiLetter(char c) => char.IsAsciiLetter(c);

    public static bool IsAsciiAlnum(char c) => char.IsAsciiLetterOrDigit(c);

    // CJK ideographs and CJK/full-width punctuation end a password value: "密码是abc123，谢谢".
    public static bool IsCjkBoundary(char c) =>
        c is >= '\u2E80' and <= '\u9FFF'
        || c is >= '\uF900' and <= '\uFAFF'
        || c is >= '\uFE30' and <= '\uFE4F'
        || c is >= '\uFF01' and <= '\uFF0F'
        || c is >= '\uFF1A' and <= '\uFF20'
        || c is >= '\uFF3B' and <= '\uFF40'
        || c is >= '\uFF5B' and <= '\uFF65';

    public static bool IsSpace(char c) => c is ' ' or '\t' or '\u00A0' or '\u3000' or '\u2009' or '\u202F';
}
