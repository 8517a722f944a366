namespace WalletDesk.Redaction;

// Secrets that only matter in logs and traces: bearer tokens, JWTs, sensitive key=value pairs,
// Authorization headers and passwords in connection URLs.
internal static class CredentialScanner
{
    private static readonly string[] SensitiveKeyParts =
    [
        "token", "secret", "password", "passwd", "apikey", "api_key", "api-key", "authorization", "cookie", "session",
        "credential", "signature", "private_key", "privatekey", "accesskey", "access_key", "client_assertion", "otp", "cvv", "cvc",
    ];

    private static readonly string[] SensitiveKeys = ["pwd", "pass", "code", "key", "sig", "pin", "sid", "jwt", "auth", "pan"];

    // Header values run to the end of the line ("Authorization: Basic dXNlcjpwYXNz").
    private static readonly string[] WholeLineKeys = ["authorization", "proxy-authorization", "cookie", "set-cookie"];

    public static void Scan(string text, Redactions acc)
    {
        var span = text.AsSpan();
        ScanJwts(span, acc);
        acc.EndPass();
        ScanBearer(span, acc);
        acc.EndPass();
        ScanKeyValues(span, acc);
        acc.EndPass();
        ScanUrlPasswords(span, acc);
        acc.EndPass();
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' or '+' or '/' or '=';

    private static bool IsBase64Url(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    private static void ScanJwts(ReadOnlySpan<char> text, Redactions acc)
    {
        var pos = 0;
        while (pos < text.Length)
        {
            var rel = text[pos..].IndexOf("eyJ", StringComparison.Ordinal);
            if (rel < 0)
            {
                return;
            }

            var s = pos + rel;
            var e = s;
            var dots = 0;
            while (e < text.Length && (IsBase64Url(text[e]) || (text[e] == '.' && e + 1 < text.Length && IsBase64Url(text[e + 1]))))
            {
                dots += text[e] == '.' ? 1 : 0;
                e++;
            }

            if ((s == 0 || !IsBase64Url(text[s - 1])) && dots >= 1 && e - s >= 20)
            {
                acc.TryAdd(s, e, Markers.Token, RedactionKind.Credential);
            }

            pos = e > s ? e : s + 1;
        }
    }

    private static void ScanBearer(ReadOnlySpan<char> text, Redactions acc)
    {
        var pos = 0;
        while (pos < text.Length)
        {
            var rel = text[pos..].IndexOf("bearer", StringComparison.OrdinalIgnoreCase);
            if (rel < 0)
            {
                return;
            }

            var s = pos + rel;
            pos = s + 6;
            if (s > 0 && char.IsAsciiLetter(text[s - 1]))
            {
                continue;
            }

            var v = pos;
            while (v < text.Length && text[v] is ' ' or '\t')
            {
                v++;
            }

            var e = v;
            while (e < text.Length && IsTokenChar(text[e]))
            {
                e++;
            }

            if (v > pos && e - v >= 8)
            {
                acc.TryAdd(v, e, Markers.Token, RedactionKind.Credential);
                pos = e;
            }
        }
    }

    private static void ScanKeyValues(ReadOnlySpan<char> text, Redactions acc)
    {
        var pos = 0;
        while (pos < text.Length)
        {
            var rel = text[pos..].IndexOfAny('=', ':');
            if (rel < 0)
            {
                return;
            }

            var d = pos + rel;
            pos = d + 1;
            var ke = d;
            while (ke > 0 && text[ke - 1] is ' ' or '\t')
            {
                ke--;
            }

            var quotedKey = ke > 0 && text[ke - 1] is '"' or '\'';
            if (quotedKey)
            {
                ke--;
            }

            var ks = ke;
            while (ks > 0 && (char.IsAsciiLetterOrDigit(text[ks - 1]) || text[ks - 1] is '_' or '-' or '.'))
            {
                ks--;
            }

            if (ks == ke || !IsSensitiveKey(text[ks..ke]))
            {
                continue;
            }

            // "status code: 404", "error code=E42" are diagnostics, not one-time codes.
            if (text[ks..ke].Equals("code", StringComparison.OrdinalIgnoreCase) && KeywordScanner.HasQualifier(text, ks))
            {
                continue;
            }

            var v = d + 1;
            while (v < text.Length && text[v] is ' ' or '\t')
            {
                v++;
            }

            if (v >= text.Length || text[v..].StartsWith(Markers.Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            int vs;
            int ve;
            if (text[v] is '"' or '\'')
            {
                // Bounded so a flood of unterminated quotes cannot make the scan quadratic.
                var close = text[(v + 1)..Math.Min(text.Length, v + 4097)].IndexOf(text[v]);
                if (close < 0)
                {
                    continue;
                }

                vs = v + 1;
                ve = v + 1 + close;
            }
            else
            {
                vs = v;
                ve = v;
                var wholeLine = Contains(WholeLineKeys, text[ks..ke]);
                while (ve < text.Length && text[ve] is not ('\r' or '\n')
                    && (wholeLine || !(char.IsWhiteSpace(text[ve]) || text[ve] is '&' or ',' or ';' or '"' or '\'' or '}' or ']' or ')' or '<' or '>')))
                {
                    ve++;
                }
            }

            if (ve > vs)
            {
                acc.TryAdd(vs, ve, Markers.Credential, RedactionKind.Credential);
                pos = ve;
            }
        }
    }

    // smtp://user:p4ss@mail.example.com, postgres://app:secret@db/walletdesk
    private static void ScanUrlPasswords(ReadOnlySpan<char> text, Redactions acc)
    {
        var pos = 0;
        while (pos < text.Length)
        {
            var rel = text[pos..].IndexOf("://", StringComparison.Ordinal);
            if (rel < 0)
            {
                return;
            }

            var s = pos + rel + 3;
            var e = s;
            while (e < text.Length && !char.IsWhiteSpace(text[e]) && text[e] is not ('/' or '?' or '#' or '"' or '\''))
            {
                e++;
            }

            var at = text[s..e].LastIndexOf('@');
            if (at > 0)
            {
                var colon = text[s..(s + at)].IndexOf(':');
                if (colon >= 0 && colon + 1 < at)
                {
                    acc.TryAdd(s + colon + 1, s + at, Markers.Credential, RedactionKind.Credential);
                }
            }

            pos = e > s ? e : s;
        }
    }

    private static bool IsSensitiveKey(ReadOnlySpan<char> key)
    {
        if (Contains(SensitiveKeys, key))
        {
            return true;
        }

        foreach (var part in SensitiveKeyParts)
        {
            if (key.Contains(part, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
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
