using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WalletDesk.Server.Data;

namespace WalletDesk.Server.Features.Identity;

/// <summary>The wallet customer a valid token names.</summary>
public sealed record CustomerTokenIdentity(string ExternalId, string? Name, string? Email, string? Phone, string? Locale);

/// <summary>Validates customer tokens minted by the wallet app's backend: signature, issuer, audience, expiry, lifetime.</summary>
public sealed class CustomerTokenValidator
{
    internal const string ExpiredMessage = "The customer token has expired.";
    internal const string NotCurrentMessage = "The customer token has expired or is not valid yet.";

    private readonly CustomerTokenOptions _options;
    private readonly TimeProvider _time;
    private readonly SecurityKey _key;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public CustomerTokenValidator(IOptions<CustomerTokenOptions> options, TimeProvider time, DataPaths paths)
    {
        _options = options.Value;
        _time = time;
        _key = ResolveKey(_options, paths);
    }

    /// <summary>The key in use, exposed for the demo token minter and tests.</summary>
    internal SecurityKey Key => _key;

    internal CustomerTokenOptions Options => _options;

    public async Task<(CustomerTokenIdentity? Identity, string? Error)> ValidateAsync(string token)
    {
        if (token.Length > 8192)
        {
            return (null, "The customer token is too long.");
        }

        var now = _time.GetUtcNow().UtcDateTime;
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = _options.Issuer,
            ValidAudience = _options.Audience,
            IssuerSigningKey = _key,
            ValidAlgorithms = _key is SymmetricSecurityKey ? [SecurityAlgorithms.HmacSha256] : [SecurityAlgorithms.EcdsaSha256],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(_options.ClockSkewSeconds),
            LifetimeValidator = (notBefore, expires, _, p) =>
                expires is { } exp && exp.ToUniversalTime() > now - p.ClockSkew && (notBefore is null || notBefore.Value.ToUniversalTime() <= now + p.ClockSkew),
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            var reason = result.Exception switch
            {
                SecurityTokenExpiredException => ExpiredMessage,
                SecurityTokenInvalidAudienceException => "The customer token is for another audience.",
                SecurityTokenInvalidIssuerException => "The customer token has an unknown issuer.",
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The customer token's signature is not valid.",
                SecurityTokenInvalidLifetimeException => NotCurrentMessage,
                _ => "The customer token is not valid.",
            };
            return (null, reason);
        }

        // A lifetime measured from iat is only a bound when iat is honest: an issue time in the future would
        // stretch "exp - iat <= max" into a token that lives for as long as the minter likes. So iat may lie
        // ahead of our clock by the skew at most, which bounds exp by now + max + skew.
        var issuedAt = jwt.IssuedAt == DateTime.MinValue ? (DateTime?)null : jwt.IssuedAt;
        var skew = TimeSpan.FromSeconds(_options.ClockSkewSeconds);
        var maxLifetime = TimeSpan.FromMinutes(_options.MaxLifetimeMinutes);
        if (issuedAt is null || jwt.ValidTo - issuedAt.Value > maxLifetime)
        {
            return (null, $"Customer tokens must carry iat and live at most {_options.MaxLifetimeMinutes} minutes.");
        }

        if (issuedAt.Value > now + skew)
        {
            return (null, "The customer token's issue time lies in the future.");
        }

        var sub = jwt.Subject;
        if (string.IsNullOrWhiteSpace(sub) || sub.Length > 128)
        {
            return (null, "The customer token has no valid subject.");
        }

        string? Claim(string type) => jwt.TryGetPayloadValue<string>(type, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
        return (new CustomerTokenIdentity(sub, Claim("name"), Claim("email"), Claim("phone_number"), Claim("locale")), null);
    }

    /// <summary>Mints a token with the configured HS256 key (demo and tests only; real tokens come from the wallet's backend).</summary>
    public string MintForDemo(string externalId, string? name, TimeSpan lifetime, string? locale = null)
    {
        if (_key is not SymmetricSecurityKey)
        {
            throw new InvalidOperationException("Minting is only available with an HS256 key.");
        }

        var now = _time.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object> { ["sub"] = externalId };
        if (name is not null)
        {
            claims["name"] = name;
        }

        if (locale is not null)
        {
            claims["locale"] = locale;
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }

    private static SecurityKey ResolveKey(CustomerTokenOptions options, DataPaths paths)
    {
        if (!string.IsNullOrWhiteSpace(options.PublicKeyPem))
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(options.PublicKeyPem);
            return new ECDsaSecurityKey(ecdsa);
        }

        byte[] secret;
        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            secret = options.SigningKey.StartsWith("base64:", StringComparison.Ordinal)
                ? Convert.FromBase64String(options.SigningKey["base64:".Length..])
                : Encoding.UTF8.GetBytes(options.SigningKey);
        }
        else
        {
            var file = Path.Combine(paths.Root, "customer-token-demo.key");
            if (!File.Exists(file))
            {
                File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            }

            secret = Convert.FromBase64String(File.ReadAllText(file).Trim());
        }

        if (secret.Length < 32)
        {
            throw new InvalidOperationException("CustomerTokens:SigningKey must be at least 32 bytes.");
        }

        return new SymmetricSecurityKey(secret);
    }
}
