namespace WalletDesk.Redaction.Tests;

public class OutboundTests
{
    [Fact]
    public void RedactOutbound_ReplyQuotingCustomerEmailWithPan_StripsPanFromQuote()
    {
        const string reply = """
            Hi Alice, we have refunded the charge.

            On 22 Nov 2026, Alice <alice@example.com> wrote:
            > My card 4111 1111 1111 1111 exp 12/27 123 was charged twice.
            > 卡号 6222021234567894
            """;

        var result = Redactor.RedactOutbound(reply);

        result.Direction.ShouldBe(RedactionDirection.Outbound);
        result.Text.ShouldContain("> My card 411111******1111 exp 12/27 [removed: CVV] was charged twice.");
        result.Text.ShouldContain("> 卡号 622202******7894");
        result.Text.ShouldNotContain("4111 1111 1111 1111");
        result.Count(RedactionKind.Pan).ShouldBe(2);
        result.Notice.ShouldBe(RedactionNotice.Outbound);
    }

    [Fact]
    public void RedactOutbound_AgentTypesPanAndOtp_IsRedactedLikeInbound()
    {
        const string reply = "Please confirm card 5500-0000-0000-0004 and the code is 482913";

        var outbound = Redactor.RedactOutbound(reply);
        var inbound = Redactor.Redact(reply);

        outbound.Text.ShouldBe("Please confirm card 550000******0004 and the code is [removed: code]");
        outbound.Text.ShouldBe(inbound.Text);
    }

    [Fact]
    public void RedactOutbound_CleanReply_NoNotice() =>
        Redactor.RedactOutbound("Your refund of 49.99 USD was sent on 2026-11-22.").Notice.ShouldBeNull();
}
