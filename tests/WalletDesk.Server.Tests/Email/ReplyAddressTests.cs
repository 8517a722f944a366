using Microsoft.Extensions.Options;
using WalletDesk.Server.Features.Email;

namespace WalletDesk.Server.Tests.Email;

public sealed class ReplyAddressTests
{
    private sealed class Fixed(EmailInboundOptions value) : IOptionsMonitor<EmailInboundOptions>
    {
        public EmailInboundOptions CurrentValue => value;

        public EmailInboundOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<EmailInboundOptions, string?> listener) => null;
    }

    private static ReplyAddress With(string key) => new(new Fixed(new EmailInboundOptions { Address = "support@walletdesk.test", ReplyTokenKey = key }));

    private static readonly string Key = EmailChannelFixture.ReplyKey;

    [Fact]
    public void For_Ticket_IsAFullLengthSignatureThatReadsBack()
    {
        var address = With(Key).For(123)!;
        address.ShouldStartWith("support+t123.");
        address.ShouldEndWith("@walletdesk.test");
        address.Split('.')[1].Split('@')[0].Length.ShouldBe(52, "HMAC-SHA256 in full, base32");
        With(Key).TicketOf(address).ShouldBe(123);
        With(Key).TicketOf(address.ToUpperInvariant()).ShouldBe(123, "mail systems may change the case");
    }

    [Fact]
    public void TicketOf_ForgedTruncatedOrForeign_IsNull()
    {
        var address = With(Key).For(123)!;
        var other = Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());
        With(other).TicketOf(address).ShouldBeNull("another installation's key");
        With(Key).TicketOf(address.Replace("+t123.", "+t124.", StringComparison.Ordinal)).ShouldBeNull();
        With(Key).TicketOf(address.Replace(".", ".x", StringComparison.Ordinal)).ShouldBeNull();
        With(Key).TicketOf(address[..^25] + "@walletdesk.test").ShouldBeNull();
        With(Key).TicketOf(address.Replace("@walletdesk.test", "@evil.example", StringComparison.Ordinal)).ShouldBeNull();
        With(Key).TicketOf("support+t123.@walletdesk.test").ShouldBeNull();
        With(Key).TicketOf("support+t-1." + address.Split('.')[1]).ShouldBeNull();
        With(Key).TicketOf("support@walletdesk.test").ShouldBeNull();
        With(Key).TicketOf(null).ShouldBeNull();
    }
}
