using System.Buffers;
using System.Text;

namespace WalletDesk.Redaction;

// CVV, one-time codes, passwords and PINs are only recognisable by the words around them,
// so this pass finds keywords with one vectorised multi-string search and then reads the value next to each.
internal static class KeywordScanner
{
    private enum Kind
    {
        Cvv,
        CvvOrOtp,
        Otp,
        GenericCode,
        Password,
        Pin,
    }

    private static readonly (string Word, Kind Kind)[] Keywords = Sorted(
    [
        ("cvv", Kind.Cvv), ("cvv2", Kind.Cvv), ("cvc", Kind.Cvv), ("cvc2", Kind.Cvv), ("cid", Kind.Cvv), ("csc", Kind.Cvv),
        ("cvn", Kind.Cvv), ("card verification code", Kind.Cvv), ("card verification value", Kind.Cvv),
        ("card security code", Kind.Cvv), ("安全码", Kind.Cvv), ("背面三位数", Kind.Cvv), ("背面三位", Kind.Cvv),
        ("背面后三位", Kind.Cvv), ("卡背面三位数", Kind.Cvv), ("cvv码", Kind.Cvv),
        ("security code", Kind.CvvOrOtp), ("校验码", Kind.CvvOrOtp),
        ("otp", Kind.Otp), ("totp", Kind.Otp), ("one-time code", Kind.Otp), ("one time code", Kind.Otp),
        ("one-time password", Kind.Otp), ("one time password", Kind.Otp), ("one-time passcode", Kind.Otp),
        ("verification code", Kind.Otp), ("verify code", Kind.Otp), ("verification number", Kind.Otp),
        ("auth code", Kind.Otp), ("authentication code", Kind.Otp), ("2fa code", Kind.Otp), ("2fa", Kind.Otp),
        ("mfa code", Kind.Otp), ("passcode", Kind.Otp), ("sms code", Kind.Otp), ("text code", Kind.Otp),
        ("login code", Kind.Otp), ("验证码", Kind.Otp), ("动态码", Kind.Otp), ("动态密码", Kind.Otp), ("短信码", Kind.Otp),
        ("短信验证码", Kind.Otp), ("手机验证码", Kind.Otp), ("一次性密码", Kind.Otp),
        ("code", Kind.GenericCode),
        ("password", Kind.Password), ("passwd", Kind.Password), ("passphrase", Kind.Password), ("pwd", Kind.Password),
        ("pass word", Kind.Password), ("密码", Kind.Password), ("登录密码", Kind.Password), ("登陆密码", Kind.Password),
        ("口令", Kind.Password),
        ("pin", Kind.Pin), ("pin code", Kind.Pin), ("pin number", Kind.Pin), ("pin码", Kind.Pin), ("支付密码", Kind.Pin),
        ("交易密码", Kind.Pin), ("取款密码", Kind.Pin), ("提现密码", Kind.Pin),
    ]);

    // Two searches: case-insensitive search over ASCII-only needles vectorises well, CJK needles need no case folding.
    private static readonly SearchValues<string> AsciiSearch =
        SearchValues.Create(Keywords.Select(k => k.Word).Where(w => Ascii.IsValid(w)).ToArray(), StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> CjkSearch =
        SearchValues.Create(Keywords.Select(k => k.Word).Where(w => !Ascii.IsValid(w)).ToArray(), StringComparison.OrdinalIgnoreCase);

    // "error code 5001" and "zip code 94105" are not one-time codes.
    private static readonly string[] CodeQualifiers =
    [
        "error", "zip", "postal", "post", "postcode", "area", "country", "promo", "promotional", "coupon", "discount", "referral",
        "invite", "invitation", "product", "item", "status", "reason", "response", "exit", "http", "swift", "bic", "sort",
        "branch", "tracking", "currency", "bank", "qr", "source", "dial", "region", "city", "station", "airport", "tax",
        "sku", "store", "shop", "merchant", "event", "program", "gift", "voucher", "dress", "color", "colour", "bar",
        "mcc", "iso", "language", "return", "result", "fault", "failure", "decline", "declined", "bug", "sample", "example",
        "exception", "hash",
    ];

    private static readonly string[] DigitGapWords =
        ["is", "was", "are", "number", "no", "num", "code", "of", "my", "your", "the", "here", "its", "be", "will"];

    private static readonly string[] DigitGapWordsCjk = ["就是", "输入", "如下", "是", "为", "為", "号", "號", "码", "碼", "填"];

    private static readonly string[] BackWords = ["is", "was", "as", "your", "the", "my"];

    private static readonly string[] BackWordsCjk = ["您的", "你的", "是", "为", "的"];

    private static readonly string[] PasswordGapWords = ["is", "was", "to", "as", "be"];

    private static readonly HashSet<string> NotAPassword = new(StringComparer.OrdinalIgnoreCase)
    {
        "wrong", "incorrect", "correct", "right", "not", "invalid", "expired", "reset", "changed", "change", "locked",
        "blocked", "too", "the", "a", "an", "same", "missing", "empty", "required", "being", "still", "now", "also", "very",
        "what", "fine", "ok", "okay", "weak", "strong", "long", "short", "case", "sensitive", "and", "or", "for", "must",
        "should", "will", "was", "is", "has", "have", "doesn't", "does", "don't", "didn't", "isn't", "can't", "cannot",
        "forgotten", "forgot", "please", "here", "there", "below", "above", "this", "that", "it", "my", "your", "again",
        "hint", "manager", "protected", "field", "policy", "rules", "requirements", "incorrectly", "updated", "accepted",
        "rejected", "saved", "set", "sent", "known", "compromised", "stolen", "leaked", "working", "work", "never",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> NotAPasswordLookup =
        NotAPassword.GetAlternateLookup<ReadOnlySpan<char>>();

    public static void Scan(string text, Redactions acc)
    {
        var span = text.AsSpan();
        var pos = 0;
        var nextAscii = -1;
        var nextCjk = -1;
        while (pos < span.Length)
        {
            nextAscii = NextMatch(span, pos, nextAscii, AsciiSearch);
            nextCjk = NextMatch(span, pos, nextCjk, CjkSearch);
            var idx = nextAscii < 0 ? nextCjk : nextCjk < 0 ? nextAscii : Math.Min(nextAscii, nextCjk);
            if (idx == -2)
            {
                return;
            }

            if (!TryMatch(span, idx, out var length, out var kind))
            {
                pos = idx + 1;
                continue;
            }

            var end = idx + length;
            switch (kind)
            {
                case Kind.Password:
                case Kind.Pin:
                    ReadSecret(span, idx, end, kind == Kind.Pin ? RedactionKind.Pin : RedactionKind.Password, acc);
                    break;
                case Kind.GenericCode when HasQualifier(span, idx):
                    break;
                default:
                    if (!ReadCodeAfter(span, end, kind, acc))
                    {
                        ReadCodeBefore(span, idx, kind, acc);
                    }

                    break;
            }

            pos = end;
        }
    }

    // Reuses the previous hit while it is still ahead of pos; int.MaxValue-free: -2 means "no more matches".
    private static int NextMatch(ReadOnlySpan<char> text, int pos, int previous, SearchValues<string> search)
    {
        if (previous == -2 || previous >= pos)
        {
            return previous;
        }

        var rel = text[pos..].IndexOfAny(search);
        return rel < 0 ? -2 : pos + rel;
    }

    private static (string, Kind)[] Sorted((string, Kind)[] items) =>
        [.. items.OrderByDescending(i => i.Item1.Length)];

    private static bool TryMatch(ReadOnlySpan<char> text, int idx, out int length, out Kind kind)
    {
        foreach (var (word, k) in Keywords)
        {
            if (!text[idx..].StartsWith(word, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // ASCII keywords need word boundaries ("spin", "opinion", "passwords"); CJK ones do not.
            if (char.IsAsciiLetter(word[0]) && idx > 0 && char.IsAsciiLetter(text[idx - 1]))
            {
                continue;
            }

            var after = idx + word.Length;
            if (char.IsAsciiLetter(word[^1]) && after < text.Length && char.IsAsciiLetter(text[after]))
            {
                continue;
            }

            length = word.Length;
            kind = k;
            return true;
        }

        length = 0;
        kind = default;
        return false;
    }

    internal static bool HasQualifier(ReadOnlySpan<char> text, int idx)
    {
        var p = idx;
        while (p > 0 && text[p - 1] is ' ' or '-' or '_')
        {
            p--;
        }

        var w = p;
        while (w > 0 && char.IsAsciiLetter(text[w - 1]))
        {
            w--;
        }

        return w < p && Contains(CodeQualifiers, text[w..p]);
    }

    // A digit value is only taken when it ends cleanly: not glued to letters, not a decimal, not part of a mask.
    internal static bool EndsCleanly(ReadOnlySpan<char> text, int e)
    {
        if (e >= text.Length)
        {
            return true;
        }

        var c = text[e];
        if (char.IsAsciiLetterOrDigit(c) || Chars.IsDigit(c) || c is '*' or '/' or '•')
        {
            return false;
        }

        return !(c is '.' or ',' or ':' && e + 1 < text.Length && Chars.IsDigit(text[e + 1]));
    }

    private static bool ReadCodeAfter(ReadOnlySpan<char> text, int p, Kind kind, Redactions acc)
    {
        var start = p;
        while (p < text.Length && p - start <= 24)
        {
            var c = text[p];
            if (Chars.IsDigit(c))
            {
                return TakeCode(text, p, kind, acc);
            }

            if (Chars.IsSpace(c) || c is ':' or '：' or '=' or '#' or '-' or '.' or '(' or ')' or '（' or '）' or '"' or '\'' or '“' or '”' or '「' or '」' or '【' or '】' or ',' or '，')
            {
                p++;
                continue;
            }

            if (char.IsAsciiLetter(c))
            {
                var e = p;
                while (e < text.Length && char.IsAsciiLetter(text[e]))
                {
                    e++;
                }

                if (!Contains(DigitGapWords, text[p..e]))
                {
                    return false;
                }

                p = e;
                continue;
            }

            var cjk = MatchPrefix(DigitGapWordsCjk, text[p..]);
            if (cjk == 0)
            {
                return false;
            }

            p += cjk;
        }

        return false;
    }

    private static bool TakeCode(ReadOnlySpan<char> text, int p, Kind kind, Redactions acc)
    {
        var e = p;
        while (e < text.Length && Chars.IsDigit(text[e]))
        {
            e++;
        }

        var len = e - p;

        // "123 456" / "123-456": authenticator apps show six-digit codes in two halves.
        if (len == 3 && kind is Kind.Otp or Kind.GenericCode && e + 4 <= text.Length && text[e] is ' ' or '-'
            && Chars.IsDigit(text[e + 1]) && Chars.IsDigit(text[e + 2]) && Chars.IsDigit(text[e + 3]) && EndsCleanly(text, e + 4))
        {
            return acc.TryAdd(p, e + 4, Markers.OneTimeCode, RedactionKind.OneTimeCode);
        }

        if (!EndsCleanly(text, e))
        {
            return false;
        }

        var found = Classify(kind, len);
        return found is { } k && acc.TryAdd(p, e, Markers.For(k), k);
    }

    private static RedactionKind? Classify(Kind kind, int len) => kind switch
    {
        Kind.Cvv when len is 3 or 4 => RedactionKind.Cvv,
        Kind.CvvOrOtp when len is 3 or 4 => RedactionKind.Cvv,
        Kind.CvvOrOtp when len is >= 5 and <= 8 => RedactionKind.OneTimeCode,
        Kind.Otp or Kind.GenericCode when len is >= 4 and <= 8 => RedactionKind.OneTimeCode,
        _ => null,
    };

    // "482913 is your verification code", "123（安全码）": the value may come first, but only with "is"/"是"/a bracket between.
    private static void ReadCodeBefore(ReadOnlySpan<char> text, int q, Kind kind, Redactions acc)
    {
        var linked = false;
        for (var step = 0; step < 5; step++)
        {
            while (q > 0 && Chars.IsSpace(text[q - 1]))
            {
                q--;
            }

            if (q > 0 && text[q - 1] is '(' or '（' or '【' or '[')
            {
                linked = true;
                q--;
                continue;
            }

            var w = q;
            while (w > 0 && char.IsAsciiLetter(text[w - 1]))
            {
                w--;
            }

            if (w < q && Contains(BackWords, text[w..q]))
            {
                linked |= text[w..q].Equals("is", StringComparison.OrdinalIgnoreCase)
                    || text[w..q].Equals("was", StringComparison.OrdinalIgnoreCase)
                    || text[w..q].Equals("as", StringComparison.OrdinalIgnoreCase);
                q = w;
                continue;
            }

            var cjk = MatchSuffix(BackWordsCjk, text[..q]);
            if (cjk > 0)
            {
                linked |= text[q - 1] is '是' or '为';
                q -= cjk;
                continue;
            }

            break;
        }

        if (!linked)
        {
            return;
        }

        var s = q;
        while (s > 0 && Chars.IsDigit(text[s - 1]))
        {
            s--;
        }

        if (s == q)
        {
            return;
        }

        if (s > 0)
        {
            var before = text[s - 1];
            if (char.IsAsciiLetter(before) || before is '*' or '/' or '•' or '.' or ',' or '+'
                || (Chars.IsPanSeparator(before) && s >= 2 && Chars.IsDigit(text[s - 2])))
            {
                return;
            }
        }

        if (Classify(kind, q - s) is { } k)
        {
            acc.TryAdd(s, q, Markers.For(k), k);
        }
    }

    private static void ReadSecret(ReadOnlySpan<char> text, int keywordStart, int p, RedactionKind kind, Redactions acc)
    {
        // "Password123!" is a password containing the word, not the word followed by a password.
        // CJK keywords are exempt: "密码abc123" is normal.
        if (char.IsAsciiLetter(text[keywordStart]) && p < text.Length && char.IsLetterOrDigit(text[p]))
        {
            return;
        }

        var marker = false;
        var wordMarker = false;
        var start = p;
        while (p < text.Length && p - start <= 16)
        {
            var c = text[p];
            if (Chars.IsSpace(c))
            {
                p++;
                continue;
            }

            if (c is ':' or '：' or '=' or '是' or '为' or '為')
            {
                marker = true;
                p++;
                continue;
            }

            if (char.IsAsciiLetter(c))
            {
                var e = p;
                while (e < text.Length && char.IsAsciiLetter(text[e]))
                {
                    e++;
                }

                if (e < text.Length && !Chars.IsSpace(text[e]) || !Contains(PasswordGapWords, text[p..e]))
                {
                    break;
                }

                marker = true;
                wordMarker = true;
                p = e;
                continue;
            }

            break;
        }

        if (p >= text.Length)
        {
            return;
        }

        int valueStart;
        int valueEnd;
        var close = ClosingQuote(text[p]);
        var closeAt = close == '\0' ? -1 : text[(p + 1)..Math.Min(text.Length, p + 130)].IndexOf(close);
        if (closeAt > 0)
        {
            valueStart = p + 1;
            valueEnd = p + 1 + closeAt;
        }
        else
        {
            valueStart = p;
            valueEnd = p;
            while (valueEnd < text.Length && valueEnd - p < 128 && !char.IsWhiteSpace(text[valueEnd]) && !Chars.IsCjkBoundary(text[valueEnd]))
            {
                valueEnd++;
            }

            while (valueEnd > valueStart && text[valueEnd - 1] is '.' or ',' or ';' or ':' or ')' or ']' or '}' or '"' or '\'' or '”' or '’')
            {
                valueEnd--;
            }
        }

        var value = text[valueStart..valueEnd];
        if (value.IsEmpty || value.StartsWith(Markers.Prefix, StringComparison.Ordinal) || NotAPasswordLookup.Contains(value))
        {
            return;
        }

        // After "is"/"was"/"to" a plain word is usually prose ("your PIN is different from…"). Take it only when it
        // has a digit or symbol, or ends the clause ("my password is letmein.").
        if (wordMarker && closeAt <= 0 && IsPlainWord(value) && !EndsClause(text, valueEnd))
        {
            return;
        }

        // Without ":", "=", "is" or "是" the word is probably just mentioned ("password reset"); require something
        // that looks like a secret: at least 4 characters including a digit.
        if (!marker && (value.Length < 4 || value.IndexOfAny(Chars.Digits) < 0 || !char.IsLetterOrDigit(value[0])))
        {
            return;
        }

        acc.TryAdd(valueStart, valueEnd, Markers.For(kind), kind);
    }

    private static bool IsPlainWord(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!char.IsLetter(c) && c is not ('\'' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool EndsClause(ReadOnlySpan<char> text, int end)
    {
        var p = end;
        while (p < text.Length && text[p] is ' ' or '\t')
        {
            p++;
        }

        return p >= text.Length || text[p] is '.' or ',' or ';' or '!' or '?' or '\r' or '\n' or ')' or '。' or '，' or '；' or '！' or '？' || Chars.IsCjkBoundary(text[p]);
    }

    private static char ClosingQuote(char c) => c switch
    {
        '"' => '"',
        '\'' => '\'',
        '“' => '”',
        '‘' => '’',
        '「' => '」',
        '『' => '』',
        _ => '\0',
    };

    private static int MatchPrefix(string[] words, ReadOnlySpan<char> text)
    {
        foreach (var w in words)
        {
            if (text.StartsWith(w, StringComparison.Ordinal))
            {
                return w.Length;
            }
        }

        return 0;
    }

    private static int MatchSuffix(string[] words, ReadOnlySpan<char> text)
    {
        foreach (var w in words)
        {
            if (text.EndsWith(w, StringComparison.Ordinal))
            {
                return w.Length;
            }
        }

        return 0;
    }

    private static bool Contains(string[] words, ReadOnlySpan<char> word)
    {
        foreach (var w in words)
        {
            if (word.Equals(w, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
