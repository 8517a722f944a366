namespace WalletDesk.Redaction.Tests;

public class SplitPanTests
{
    [Fact]
    public void Redact_PanSplitAcrossTwoMessages_MasksBothHalves()
    {
        const string previous = "my card number is 4111 1111";

        var result = Redactor.Redact("1111 1111 thanks", previous);

        result.Text.ShouldBe("****1111 thanks");
        var finding = result.Findings.ShouldHaveSingleItem();
        finding.Kind.ShouldBe(RedactionKind.Pan);
        finding.ContinuesPreviousMessage.ShouldBeTrue();
        finding.Pan!.Masked.ShouldBe("411111******1111");

        var prev = result.PreviousMessage.ShouldNotBeNull();
        previous.Substring(prev.Start, prev.Length).ShouldBe("4111 1111");
        prev.Replacement.ShouldBe("411111**");
        var fixedPrevious = string.Concat(previous.AsSpan(0, prev.Start), prev.Replacement, previous.AsSpan(prev.Start + prev.Length));
        (fixedPrevious + " " + result.Text).Replace(" ", string.Empty, StringComparison.Ordinal).ShouldNotContain("4111111111111111");
    }

    [Fact]
    public void Redact_ChineseSplitWithCvv_MasksContinuationAndCvv()
    {
        const string previous = "卡号是62220212";

        var result = Redactor.Redact("34567894 123", previous);

        result.PreviousMessage.ShouldNotBeNull().Replacement.ShouldBe("622202**");
        result.Text.ShouldBe("****7894 [removed: CVV]");
        result.Count(RedactionKind.Cvv).ShouldBe(1);
    }

    [Fact]
    public void Redact_PreviousTailWithTrailingWhitespace_StillJoins()
    {
        var result = Redactor.Redact("  0000 0004", "card: 5500 0000 \n");

        result.PreviousMessage.ShouldNotBeNull();
        result.Text.ShouldBe("  ****0004");
    }

    [Theory]
    [InlineData("my order is 12345678", "87654321 is my phone")] // joined digits fail Luhn
    [InlineData("see you at 10", "4111111111111111")]          // current message is a whole PAN on its own
    [InlineData("call +86 138", "0013 8000")]                   // phone split across messages
    [InlineData("thanks", "4111 1111")]                          // no digits at the end of the previous message
    public void Redact_NoSplitPan_ReportsNothingForPreviousMessage(string previous, string current)
    {
        Redactor.Redact(current, previous).PreviousMessage.ShouldBeNull();
    }

    [Fact]
    public void Redact_JoinedDigitsLuhnValidButFirstPartTooShort_DoesNotBlamePreviousMessage()
    {
        // "20" then a full PAN: the PAN is caught in the current message; the "20" stays.
        var result = Redactor.Redact("4111 1111 1111 1111", "paid 20");

        result.PreviousMessage.ShouldBeNull();
        result.Text.ShouldBe("411111******1111");
    }
}
