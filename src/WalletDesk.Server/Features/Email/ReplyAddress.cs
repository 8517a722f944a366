using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace WalletDesk.Server.Features.Email;

/// <summary>
/// The signed reply address of a ticket: <c>support+t{ticketId}.{signature}@domain</c>, the signature being the full
/// HMAC-SHA256 of the ticket id under <see cref="EmailInboundOptions.ReplyTokenKey"/>, in lower-case base32 (52
/// characters, so case-folding mail systems cannot break it). Only a valid signature threads a message onto a ticket;
/// In-Reply-To and References are hints (ADR 0021).
/// </summary>
public sealed class ReplyAddress(IOptionsMonitor<EmailInboundOptions> options)
{
    public bool IsConfigured => options.CurrentValue.IsConfigured;

    /// <summary>The reply address for <paramref name="ticketId"/>, or null when inbound email is not configured.</summary>
    public string? For(long ticketId)
    {
        var settings = options.CurrentValue;
        if (!settings.IsConfigured)
        {
            return null;
        }

        var (local, domain) = Split(settings.Address!.Trim());
        return $"{local}+t{ticketId.ToString(CultureInfo.InvariantCulture)}.{Sign(ticketId, settings)}@{domain}";
    }

    /// <summary>The ticket an address names when its signature is valid; null for anything else (other addresses, forged or truncated tokens).</summary>
    public long? TicketOf(string? address)
    {
        var settings = options.CurrentValue;
        if (!settings.IsConfigured || string.IsNullOrEmpty(address) || address.Length > EmailLimits.Address)
        {
            return null;
        }

        var (ourLocal, ourDomain) = Split(settings.Address!.Trim());
        var at = address.LastIndexOf('@');
        if (at <= 0 || !address[(at + 1)..].Equals(ourDomain, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var local = address[..at];
        var prefix = ourLocal + "+t";
        if (!local.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var rest = local[prefix.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        if (dot is <= 0 or > 19 || !long.TryParse(rest.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var ticketId) || ticketId <= 0)
        {
            return null;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(ticketId, settings));
        var given = Encoding.ASCII.GetBytes(rest[(dot + 1)..].ToLowerInvariant());
        // FixedTimeEquals answers false at once for a different length; the length is public anyway.
        return CryptographicOperations.FixedTimeEquals(expected, given) ? ticketId : null;
    }

    private static string Sign(long ticketId, EmailInboundOptions settings)
    {
        var key = Convert.FromBase64String(settings.ReplyTokenKey!);
        var mac = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes("walletdesk-reply-v1:" + ticketId.ToString(CultureInfo.InvariantCulture)));
        return Infrastructure.Base32.Encode(mac).ToLowerInvariant();
    }

    internal static (string Local, string Domain) Split(string address)
    {
        var at = address.LastIndexOf('@');
        return (address[..at], address[(at + 1)..]);
    }
}
