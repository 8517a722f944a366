using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Audit;

namespace WalletDesk.Server.Features.Identity;

/// <summary>A token as shown once, at creation.</summary>
public sealed record CreatedApiToken(ApiToken Token, string PlainText);

public sealed class ApiTokenException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>Integration tokens: random, shown once, stored as SHA-256, scoped, revocable.</summary>
public sealed class ApiTokenService(AppDbContext db, AuditService audit, TimeProvider time)
{
    public const string TokenPrefix = "wd_pat_";

    public async Task<CreatedApiToken> CreateAsync(StaffActor creator, string? name, IReadOnlyCollection<string>? scopes, int? expiresInDays, CancellationToken cancellationToken = default)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100)
        {
            throw new ApiTokenException("name", "Give the token a name of 1 to 100 characters.");
        }

        if (scopes is null || scopes.Count == 0)
        {
            throw new ApiTokenException("scopes", "Choose at least one scope.");
        }

        foreach (var scope in scopes)
        {
            if (!ApiScopes.IsKnown(scope))
            {
                throw new ApiTokenException("scopes", $"Unknown scope '{scope}'. Known scopes: {string.Join(", ", ApiScopes.All)}.");
            }

            if (!ApiScopes.AllowedFor(scope, creator.Role))
            {
                throw new ApiTokenException("scopes", $"Your role cannot grant the scope '{scope}'.");
            }
        }

        if (expiresInDays is < 1 or > 730)
        {
            throw new ApiTokenException("expiresInDays", "Expiry must be between 1 and 730 days, or left empty for no expiry.");
        }

        var now = time.GetUtcNow();
        var plain = TokenPrefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            Id = Guid.CreateVersion7(),
            Name = name,
            Prefix = plain[..(TokenPrefix.Length + 4)],
            TokenHash = Hash(plain),
            Scopes = string.Join(' ', scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
            CreatedByUserId = creator.Id,
            CreatedAt = now,
            ExpiresAt = expiresInDays is { } days ? now.AddDays(days) : null,
        };
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        await audit.AppendAsync(new AuditEvent("api-token.created", AuditOutcomes.Success, "staff", creator.Id.ToString(), creator.Name, "api_token", token.Id.ToString(), creator.SourceIp, $"name={name}; scopes={token.Scopes}"), cancellationToken);
        return new CreatedApiToken(token, plain);
    }

    /// <summary>Revokes a token the actor owns (admins may revoke any). Returns false when there is nothing they may revoke.</summary>
    public async Task<bool> RevokeAsync(StaffActor actor, Guid tokenId, CancellationToken cancellationToken = default)
    {
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == tokenId, cancellationToken);
        if (token is null || (token.CreatedByUserId != actor.Id && actor.Role != StaffRoles.Admin))
        {
            return false;
        }

        if (token.RevokedAt is null)
        {
            token.RevokedAt = time.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            await audit.AppendAsync(new AuditEvent("api-token.revoked", AuditOutcomes.Success, "staff", actor.Id.ToString(), actor.Name, "api_token", token.Id.ToString(), actor.SourceIp, $"name={token.Name}"), cancellationToken);
        }

        return true;
    }

    public Task<List<ApiToken>> ListAsync(StaffActor actor, CancellationToken cancellationToken = default) =>
        db.ApiTokens.AsNoTracking()
            .Where(t => actor.Role == StaffRoles.Admin || t.CreatedByUserId == actor.Id)
            .OrderByDescending(t => t.CreatedAt)
            .ToListAsync(cancellationToken);

    /// <summary>Finds the live token and its owner for a presented bearer value.</summary>
    public async Task<(ApiToken Token, StaffUser Owner)?> ValidateAsync(string presented, CancellationToken cancellationToken = default)
    {
        if (!presented.StartsWith(TokenPrefix, StringComparison.Ordinal) || presented.Length > 100)
        {
            return null;
        }

        var hash = Hash(presented);
        var now = time.GetUtcNow();
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (token is null || token.RevokedAt is not null || token.ExpiresAt <= now)
        {
            return null;
        }

        var owner = await db.StaffUsers.AsNoTracking().SingleOrDefaultAsync(u => u.Id == token.CreatedByUserId, cancellationToken);
        if (owner is null || owner.IsDisabled)
        {
            return null;
        }

        if (token.LastUsedAt is null || now - token.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            token.LastUsedAt = now;
            await db.SaveChangesAsync(cancellationToken);
        }

        return (token, owner);
    }

    internal static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
