namespace WalletDesk.Redaction.Tests;

public class FindingsAndNoticeTests
{
    [Fact]
    public void Redact_Pan_ReportsMaskBinAndLast4ButNeverTheFullNumber()
    {
        var result = Redactor.Redact("card 4111 1111 1111 1111 please");

        var finding = result.Findings.ShouldHaveSingleItem();
        finding.Kind.ShouldBe(RedactionKind.Pan);
        finding.Pan.ShouldNotBeNull();
        finding.Pan.Masked.ShouldBe("411111******1111");
        finding.Pan.Bin.ShouldBe("411111");
        finding.Pan.Last4.ShouldBe("1111");
        finding.Pan.DigitCount.ShouldBe(16);
        result.Text.Substring(finding.Start, finding.Length).ShouldBe("411111******1111");
        result.ToString().ShouldNotContain("4111111111111111");
    }

    [Fact]
    public void Redact_SeveralKinds_CountsEachKind()
    {
        var result = Redactor.Redact("card 4111111111111111 and 5500 0000 0000 0004, cvv 123, OTP 482913, PIN 1234");

        result.Count(RedactionKind.Pan).ShouldBe(2);
        result.Count(RedactionKind.Cvv).ShouldBe(1);
        result.Count(RedactionKind.OneTimeCode).ShouldBe(1);
        result.Count(RedactionKind.Pin).ShouldBe(1);
        result.Count(RedactionKind.Password).ShouldBe(0);
        result.Findings.Select(f => f.Start).ShouldBeInOrder(SortDirection.Ascending);
    }

    [Fact]
    public void Redact_CleanText_ReturnsSameInstanceAndNoNotice()
    {
        var text = "my refund for order 88812345 has not arrived";

        var result = Redactor.Redact(text);

        result.WasRedacted.ShouldBeFalse();
        result.Text.ShouldBeSameAs(text);
        result.Notice.ShouldBeNull();
        result.Findings.ShouldBeEmpty();
    }

    [Fact]
    public void Redact_CardDetails_GivesCardNoticeInEnglishAndChinese()
    {
        var notice = Redactor.Redact("4111111111111111").Notice.ShouldNotBeNull();

        notice.English.ShouldBe("For your safety we removed card details from your message; please never send full card numbers, CVV or one-time codes.");
        notice.SimplifiedChinese.ShouldContain("完整卡号");
        notice.SimplifiedChinese.ShouldContain("验证码");
    }

    [Fact]
    public void Redact_OnlyPassword_GivesPasswordNotice() =>
        Redactor.Redact("my password is hunter2").Notice.ShouldBe(RedactionNotice.Password);

    [Fact]
    public void Redact_Null_Throws() => Should.Throw<ArgumentNullException>(() => Redactor.Redact(null!));

    [Fact]
    public void Redact_EmptyString_IsNotRedacted() => Redactor.Redact(string.Empty).WasRedacted.ShouldBeFalse();

    [Fact]
    public void Redact_HugeDigitSoup_CompletesAndMasksNothingThatIsNotLuhnValid()
    {
        // A pathological message must not blow up the group buffer or take quadratic time.
        var text = string.Join(' ', Enumerable.Repeat("1234", 20_000));

        var result = Redactor.Redact(text);

        Generators.IsLuhn("1234123412341234").ShouldBeFalse();
        result.Text.ShouldBeSameAs(text);
    }

    [Fact]
    public void Redact_HostileMessageWithThousandsOfSecrets_RedactsEveryOne()
    {
        // Exercises the sorted replacement set with many interleaved findings from different passes.
        var text = string.Concat(Enumerable.Repeat("password: hunter2 card 4111111111111111 cvv 123 ", 5_000));

        var result = Redactor.Redact(text);

        result.Count(RedactionKind.Password).ShouldBe(5_000);
        result.Count(RedactionKind.Pan).ShouldBe(5_000);
        result.Count(RedactionKind.Cvv).ShouldBe(5_000);
        result.Text.ShouldNotContain("hunter2");
        result.Text.ShouldNotContain("4111111111111111");
    }
}
