namespace WalletDesk.Redaction.Tests;

public class LogScrubberTests
{
    private const string Jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    [Theory]
    [InlineData("Authorization: Bearer abcdef0123456789xyz", "Authorization: Bearer [removed: token]")]
    [InlineData("calling api with bearer abcdef0123456789xyz now", "calling api with bearer [removed: token] now")]
    [InlineData("token " + Jwt + " rejected", "token [removed: token] rejected")]
    [InlineData("GET /hubs/chat?id=7&access_token=" + Jwt + "&x=1", "GET /hubs/chat?id=7&access_token=[removed: token]&x=1")]
    [InlineData("GET /api/export?token=s3cr3tvalue&page=2", "GET /api/export?token=[removed: secret]&page=2")]
    [InlineData("POST body: username=bob&password=hunter2&remember=1", "POST body: username=bob&password=[removed: secret]&remember=1")]
    [InlineData("{\"api_key\": \"sk_live_abc123\", \"user\": \"bob\"}", "{\"api_key\": \"[removed: secret]\", \"user\": \"bob\"}")]
    [InlineData("Cookie: .AspNetCore.Session=CfDJ8abc; other=1", "Cookie: [removed: secret]")]
    [InlineData("Authorization: Basic dXNlcjpwYXNz", "Authorization: [removed: secret]")]
    [InlineData("login with code 123456 failed", "login with code [removed: code] failed")]
    [InlineData("totp=654321 rejected", "totp=[removed: secret] rejected")]
    [InlineData("TOTP 654321 rejected", "TOTP [removed: code] rejected")]
    [InlineData("smtp://mailer:Pa55word@smtp.example.com:587", "smtp://mailer:[removed: secret]@smtp.example.com:587")]
    [InlineData("refund failed for card 4111111111111111 cvv 123", "refund failed for card 411111******1111 cvv [removed: CVV]")]
    [InlineData("user typed password: hunter2", "user typed password: [removed: secret]")]
    public void Scrub_SecretInLogLine_IsRemoved(string line, string expected) => LogScrubber.Scrub(line).ShouldBe(expected);

    [Theory]
    [InlineData("Request finished HTTP/1.1 GET /api/tickets/42 - 200 - application/json 12.3ms")]
    [InlineData("Ticket 1234 assigned to agent 7 at 2026-11-22T13:45:01Z")]
    [InlineData("Connection id \"0HN8ABC\" started; https://walletdesk.example.com/api/health")]
    [InlineData("key rotation scheduled")]
    [InlineData("upstream returned status code: 404 after 3 retries")]
    [InlineData("wallet gateway error code=E4102")]
    public void Scrub_OrdinaryLogLine_IsUnchanged(string line) => LogScrubber.Scrub(line).ShouldBeSameAs(line);

    [Fact]
    public void Scrub_Null_ReturnsEmpty() => LogScrubber.Scrub(null).ShouldBe(string.Empty);

    [Fact]
    public void Scrub_ExceptionTextWithEverything_LeavesNoSecret()
    {
        var message = $"System.InvalidOperationException: charge failed card=4111-1111-1111-1111 exp 12/27 cvv=123 " +
            $"Authorization: Bearer {Jwt}\n   at WalletDesk.Server.Pay(String pan) password=hunter2 otp 482913";

        var scrubbed = LogScrubber.Scrub(message);

        foreach (var secret in new[] { "4111-1111-1111-1111", "cvv=123", Jwt, "eyJ", "hunter2", "482913" })
        {
            scrubbed.ShouldNotContain(secret);
        }

        scrubbed.ShouldContain("at WalletDesk.Server.Pay(String pan)");
    }
}
