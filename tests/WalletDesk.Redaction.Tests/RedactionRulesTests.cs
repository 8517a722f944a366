namespace WalletDesk.Redaction.Tests;

public class RedactionRulesTests
{
    private static readonly RedactionRules All = new() { Passports = true, BankAccounts = true, PhoneNumbers = true };

    [Theory]
    [InlineData("passport E12345678 expired", "passport [removed: passport] expired", RedactionKind.Passport)]
    [InlineData("我的护照号码是EA1234567", "我的护照号码是[removed: passport]", RedactionKind.Passport)]
    [InlineData("Passport no.: 533380006, UK", "Passport no.: [removed: passport], UK", RedactionKind.Passport)]
    [InlineData("bank account number 6217 0000 1234 5678 901", "bank account number ****8901", RedactionKind.BankAccount)]
    [InlineData("收款账号：6228480402564890017", "收款账号：****0017", RedactionKind.BankAccount)]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00", "IBAN ****3000", RedactionKind.BankAccount)]
    [InlineData("call me on +86 138 0013 8000 please", "call me on ****8000 please", RedactionKind.Phone)]
    [InlineData("+1 (415) 555-0100", "****0100", RedactionKind.Phone)]
    [InlineData("手机13800138000，谢谢", "手机****8000，谢谢", RedactionKind.Phone)]
    [InlineData("手机 138-0013-8000", "手机 ****8000", RedactionKind.Phone)]
    public void Redact_IdentifierTurnedOn_IsMasked(string input, string expected, RedactionKind kind)
    {
        var result = Redactor.Redact(input, null, All);

        result.Text.ShouldBe(expected);
        result.Findings.ShouldAllBe(f => f.Kind == kind);
        Redactor.Redact(result.Text, null, All).Text.ShouldBe(result.Text);
    }

    [Theory]
    [InlineData("passport E12345678 expired")]
    [InlineData("bank account number 6217 0000 1234 5678 901")]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00")]
    [InlineData("call me on +86 138 0013 8000 please")]
    [InlineData("手机13800138000，谢谢")]
    public void Redact_DefaultRules_LeaveOptionalIdentifiers(string input)
    {
        Redactor.Redact(input).Text.ShouldBe(input);
        Redactor.Redact(input, null, RedactionRules.Default).Text.ShouldBe(input);
    }

    [Theory]
    [InlineData("order 20261122 shipped, 3 items, total 1,234.50")]
    [InlineData("Error E1234 in the app")]
    [InlineData("wallet account 12345 is locked")]
    [InlineData("交易号 T20261122-000123")]
    [InlineData("version 1.13800138000")]
    public void Redact_AllIdentifiersOn_LeavesOrdinaryNumbers(string input)
    {
        Redactor.Redact(input, null, All).Text.ShouldBe(input);
    }

    [Fact]
    public void Redact_OutboundWithRules_MasksTheSameIdentifiers()
    {
        var result = Redactor.RedactOutbound("We will call +86 138 0013 8000", All);

        result.Text.ShouldBe("We will call ****8000");
        result.Notice.ShouldBe(RedactionNotice.Outbound);
    }

    [Fact]
    public void Redact_CardNumberStillMasked_WhenIdentifiersOn()
    {
        Redactor.Redact("card 4111 1111 1111 1111, phone +86 138 0013 8000", null, All).Text
            .ShouldBe("card 411111******1111, phone ****8000");
    }
}
