using MimeKit;
using MimeKit.Cryptography;

namespace WalletDesk.Server.Features.Email;

public static class SenderVerdicts
{
    /// <summary>DMARC passed, or SPF/DKIM passed for the From domain.</summary>
    public const string Pass = "pass";

    /// <summary>DMARC failed, or SPF/DKIM failed with nothing passing: the From may be forged.</summary>
    public const string Fail = "fail";

    /// <summary>No usable Authentication-Results.</summary>
    public const string None = "none";
}

/// <summary>What the receiving server said about the sender, for the agent: a verdict and a one-line summary.</summary>
public sealed record SenderAuth(string Verdict, string Summary)
{
    public bool Failed => Verdict == SenderVerdicts.Fail;
}

/// <summary>
/// Reads Authentication-Results (RFC 8601) written by our receiving server: SPF, DKIM and DMARC results for the From
/// domain. Headers from other servers are not believed when <see cref="EmailInboundOptions.TrustedAuthServIds"/> is
/// set; otherwise only the topmost header (the one our own server added last) counts. Informs the agent; it never
/// authorises anything (email alone never does).
/// </summary>
public static class SenderCheck
{
    public static SenderAuth Evaluate(MimeMessage message, string fromAddress, IReadOnlyCollection<string> trustedAuthServIds)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(trustedAuthServIds);
        var all = EmailParser.AuthenticationResultsOf(message).ToList();
        var chosen = trustedAuthServIds.Count > 0
            ? all.FirstOrDefault(r => trustedAuthServIds.Any(id => id.Equals(r.AuthenticationServiceIdentifier, StringComparison.OrdinalIgnoreCase)))
            : all.FirstOrDefault();
        if (chosen is null)
        {
            return new SenderAuth(SenderVerdicts.None, "no Authentication-Results from our server");
        }

        var domain = fromAddress[(fromAddress.LastIndexOf('@') + 1)..].ToLowerInvariant();
        string? spf = null, dkim = null, dmarc = null;
        var spfAligned = false;
        var dkimAligned = false;
        foreach (var result in chosen.Results)
        {
            var value = result.Result?.ToLowerInvariant();
            switch (result.Method?.ToLowerInvariant())
            {
                case "spf":
                    spf ??= value;
                    if (value == "pass")
                    {
                        spf = "pass";
                        spfAligned |= Aligned(Property(result, "smtp", "mailfrom"), domain);
                    }

                    break;
                case "dkim":
                    if (value == "pass")
                    {
                        dkim = "pass";
                        dkimAligned |= Aligned(Property(result, "header", "d") ?? Property(result, "header", "i"), domain);
                    }
                    else
                    {
                        dkim ??= value;
                    }

                    break;
                case "dmarc":
                    dmarc ??= value;
                    break;
            }
        }

        var summary = $"spf={spf ?? "none"} dkim={dkim ?? "none"} dmarc={dmarc ?? "none"} ({Clip(chosen.AuthenticationServiceIdentifier ?? "?")})";
        var verdict = dmarc switch
        {
            "pass" => SenderVerdicts.Pass,
            "fail" => SenderVerdicts.Fail,
            _ when (spf == "pass" && spfAligned) || (dkim == "pass" && dkimAligned) => SenderVerdicts.Pass,
            _ when spf is "fail" or "softfail" || dkim is "fail" => SenderVerdicts.Fail,
            _ => SenderVerdicts.None,
        };
        return new SenderAuth(verdict, summary);
    }

    private static string? Property(AuthenticationMethodResult result, string type, string name) =>
        result.Properties.FirstOrDefault(p => p.PropertyType.Equals(type, StringComparison.OrdinalIgnoreCase) && p.Property.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value;

    /// <summary>Relaxed alignment: the same domain or one a subdomain of the other.</summary>
    private static bool Aligned(string? value, string fromDomain)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var domain = value[(value.LastIndexOf('@') + 1)..].Trim().ToLowerInvariant();
        return domain == fromDomain || domain.EndsWith("." + fromDomain, StringComparison.Ordinal) || fromDomain.EndsWith("." + domain, StringComparison.Ordinal);
    }

    private static string Clip(string value) => value.Length <= 80 ? value : value[..80];
}
