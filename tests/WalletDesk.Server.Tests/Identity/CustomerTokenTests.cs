using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Identity;

public sealed class CustomerTokenTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ValidToken_MapsToOneCustomer(string provider)
    {
        var app = await fixture.For(provider);
        var sub = "cust_" + Guid.NewGuid().ToString("N")[..8];
        var token = Mint(app, sub, name: "Mei Lin");

        var first = await (await Client(app, token).GetAsync("/api/me")).ReadAsAsync<CustomerMeResponse>();
        var second = await (await Client(app, Mint(app, sub)).GetAsync("/api/me")).ReadAsAsync<CustomerMeResponse>();

        first.ExternalId.ShouldBe(sub);
        first.DisplayName.ShouldBe("Mei Lin");
        second.Id.ShouldBe(first.Id);
    }

    public static TheoryData<string, string> BadTokens => new()
    {
        { "expired", "expired" },
        { "wrong audience", "audience" },
        { "wrong issuer", "issuer" },
        { "wrong key", "key" },
        { "lives too long", "lifetime" },
        { "no expiry", "noexp" },
        { "alg none", "none" },
        { "garbage", "garbage" },
    };

    [Theory, MemberData(nameof(BadTokens))]
    public async Task BadToken_Is401ProblemAndCreatesNothing(string because, string kind)
    {
        var app = await fixture.For(Providers.Sqlite);
        var sub = "bad_" + Guid.NewGuid().ToString("N")[..8];
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var token = kind switch
        {
            "expired" => Mint(app, sub, issuedAt: now.AddMinutes(-20), lifetime: TimeSpan.FromMinutes(10)),
            "audience" => Mint(app, sub, audience: "someone-else"),
            "issuer" => Mint(app, sub, issuer: "evil-wallet"),
            "key" => Mint(app, sub, key: "another-signing-key-that-is-long-enough-0123"),
            "lifetime" => Mint(app, sub, lifetime: TimeSpan.FromDays(2)),
            "noexp" => Unsigned(sub, withExpiry: false, signed: true),
            "none" => Unsigned(sub, withExpiry: true, signed: false),
            _ => "not.a.jwt",
        };

        var response = await Client(app, token).GetAsync("/api/me");

        await response.ShouldReturnAsync(HttpStatusCode.Unauthorized);
        (await app.WithDbAsync(db => Task.FromResult(db.Customers.Any(c => c.ExternalId == sub)))).ShouldBeFalse(because);
    }

    [Fact]
    public async Task StaffCookie_CannotUseCustomerEndpoint()
    {
        var app = await fixture.For(Providers.Sqlite);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var client = await app.SignInAsync(agent);
        (await client.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task CustomerToken_CannotReachStaffEndpoints()
    {
        var app = await fixture.For(Providers.Sqlite);
        var client = Client(app, Mint(app, "cust_x1"));
        (await client.GetAsync("/api/staff/me")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.GetAsync("/api/audit")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Es256Token_ValidatesWithConfiguredPublicKey()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clock = new TestClock(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
        var paths = new DataPaths(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["WALLETDESK_DATA_DIR"] = Path.Combine(Path.GetTempPath(), "wd-es256") }).Build());
        var validator = new CustomerTokenValidator(Options.Create(new CustomerTokenOptions { PublicKeyPem = ecdsa.ExportSubjectPublicKeyInfoPem() }), clock, paths);
        var now = clock.GetUtcNow().UtcDateTime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "demo-wallet",
            Audience = "walletdesk",
            Claims = new Dictionary<string, object> { ["sub"] = "cust_es" },
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(ecdsa), SecurityAlgorithms.EcdsaSha256),
        });

        var (identity, error) = await validator.ValidateAsync(token);

        error.ShouldBeNull();
        identity!.ExternalId.ShouldBe("cust_es");
        var (_, hsError) = await validator.ValidateAsync(Mint(clock, "cust_es", TestKeys.CustomerSigningKey, "walletdesk", "demo-wallet", now, TimeSpan.FromMinutes(5)));
        hsError.ShouldNotBeNull("an HS256 token must not pass when the operator configured ES256");
    }

    public static TheoryData<string, int, int> FutureIssueTimes => new()
    {
        // because, iat minus now (seconds), exp minus iat (seconds); no nbf, as a hand-made token would have
        { "iat a year ahead, short lifetime", 365 * 24 * 3600, 600 },
        { "iat a day ahead", 24 * 3600, 600 },
        { "iat just past the 30 s skew", 31, 600 },
        { "iat now, exp beyond the cap", 0, 3600 + 31 },
    };

    [Theory, MemberData(nameof(FutureIssueTimes))]
    public async Task TokenIssuedInTheFuture_Is401AndCreatesNothing(string because, int issuedAheadSeconds, int lifetimeSeconds)
    {
        var app = await fixture.For(Providers.Sqlite);
        var sub = "fut_" + Guid.NewGuid().ToString("N")[..8];
        var iat = app.Clock.GetUtcNow().ToUnixTimeSeconds() + issuedAheadSeconds;

        var response = await Client(app, SignedPayload($$"""{"sub":"{{sub}}","iss":"demo-wallet","aud":"walletdesk","iat":{{iat}},"exp":{{iat + lifetimeSeconds}}}""")).GetAsync("/api/me");

        await response.ShouldReturnAsync(HttpStatusCode.Unauthorized);
        (await app.WithDbAsync(db => Task.FromResult(db.Customers.Any(c => c.ExternalId == sub)))).ShouldBeFalse(because);
    }

    [Fact]
    public async Task TokenIssuedSlightlyAhead_WithinClockSkew_IsAccepted()
    {
        var app = await fixture.For(Providers.Sqlite);
        var sub = "skew_" + Guid.NewGuid().ToString("N")[..8];
        var iat = app.Clock.GetUtcNow().ToUnixTimeSeconds() + 20;

        var response = await Client(app, SignedPayload($$"""{"sub":"{{sub}}","iss":"demo-wallet","aud":"walletdesk","iat":{{iat}},"exp":{{iat + 600}}}""")).GetAsync("/api/me");

        (await response.ReadAsAsync<CustomerMeResponse>()).ExternalId.ShouldBe(sub);
    }

    private static HttpClient Client(WalletDeskFactory app, string token)
    {
        var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static string Mint(WalletDeskFactory app, string sub, string? name = null, string audience = "walletdesk", string issuer = "demo-wallet", string key = TestKeys.CustomerSigningKey, DateTime? issuedAt = null, TimeSpan? lifetime = null) =>
        Mint(app.Clock, sub, key, audience, issuer, issuedAt ?? app.Clock.GetUtcNow().UtcDateTime, lifetime ?? TimeSpan.FromMinutes(10), name);

    private static string Mint(TimeProvider clock, string sub, string key, string audience, string issuer, DateTime issuedAt, TimeSpan lifetime, string? name = null)
    {
        _ = clock;
        var claims = new Dictionary<string, object> { ["sub"] = sub };
        if (name is not null)
        {
            claims["name"] = name;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = issuedAt + lifetime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }

    private static string SignedPayload(string payloadJson)
    {
        static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var signingInput = $"{B64("""{"alg":"HS256","typ":"JWT"}""")}.{B64(payloadJson)}";
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestKeys.CustomerSigningKey), Encoding.ASCII.GetBytes(signingInput));
        return $"{signingInput}.{Base64UrlEncoder.Encode(signature)}";
    }

    private static string Unsigned(string sub, bool withExpiry, bool signed)
    {
        static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var header = B64(signed ? """{"alg":"HS256","typ":"JWT"}""" : """{"alg":"none","typ":"JWT"}""");
        var exp = withExpiry ? ",\"exp\":4102444800" : "";
        var payload = B64($$"""{"sub":"{{sub}}","iss":"demo-wallet","aud":"walletdesk","iat":1795000000{{exp}}}""");
        if (!signed)
        {
            return $"{header}.{payload}.";
        }

        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestKeys.CustomerSigningKey), Encoding.ASCII.GetBytes($"{header}.{payload}"));
        return $"{header}.{payload}.{Base64UrlEncoder.Encode(signature)}";
    }
}
