namespace WalletDesk.Redaction;

/// <summary>
/// Scrubs log messages, trace attributes and exception text: everything <see cref="Redactor"/> removes, plus bearer
/// tokens, JWTs, <c>Authorization</c>/<c>Cookie</c> header values, sensitive <c>key=value</c> / <c>"key": "value"</c>
/// pairs (token, api_key, password, secret, session, code, ...) and passwords in connection URLs.
/// </summary>
public static class LogScrubber
{
    /// <summary>Returns <paramref name="text"/> with secrets removed; the same instance when nothing was found.</summary>
    /// <param name="text">A rendered log message or attribute value; null becomes the empty string.</param>
    public static string Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        var acc = new Redactions();

        // Credentials first so that, say, a JWT is removed whole rather than having a digit run masked inside it.
        CredentialScanner.Scan(text, acc);
        Redactor.Collect(text, acc);
        return acc.Any ? acc.Apply(text).Text : text;
    }
}
