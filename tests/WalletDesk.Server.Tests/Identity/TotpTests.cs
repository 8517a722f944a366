using WalletDesk.Server.Features.Identity;

namespace WalletDesk.Server.Tests.Identity;

public sealed class TotpTests
{
    private static readonly byte[] RfcSecret = "12345678901234567890"u8.ToArray();

    // RFC 6238 appendix B (SHA-1), last six digits of the eight-digit values.
    [Theory]
    [InlineData(59L, "287082")]
    [InlineData(1111111109L, "081804")]
    [InlineData(1111111111L, "050471")]
    [InlineData(1234567890L, "005924")]
    [InlineData(2000000000L, "279037")]
    [InlineData(20000000000L, "353130")]
    public void Compute_MatchesRfc6238Vectors(long unixSeconds, string expected) =>
        Totp.Compute(RfcSecret, Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds))).ShouldBe(expected);

    [Fact]
    public void Base32_RoundTrips_AndMatchesKnownEncoding()
    {
        Totp.ToBase32(RfcSecret).ShouldBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        Totp.FromBase32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").ShouldBe(RfcSecret);
        Should.Throw<FormatException>(() => Totp.FromBase32("not base32!"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("abcdef")]
    [InlineData(null)]
    public void Match_RejectsMalformedCodes(string? code) =>
        Totp.Match(RfcSecret, code, DateTimeOffset.FromUnixTimeSeconds(59)).ShouldBeNull();

    [Fact]
    public void ProvisioningUri_IsWhatAuthenticatorAppsRead()
    {
        var uri = Totp.ProvisioningUri("WalletDesk", "ada admin", RfcSecret);
        uri.ShouldStartWith("otpauth://totp/WalletDesk:ada%20admin?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=WalletDesk");
    }
}
