using WalletDesk.Assistant.Intents;

namespace WalletDesk.Assistant.Tests;

public class TextNormalizerTests
{
    [Fact]
    public void Normalize_FullWidthLatinAndDigits_BecomeAsciiLowerCase()
    {
        TextNormalizer.Normalize("ＴＯＰ　ＵＰ １２３").ShouldBe("top up 123");
    }

    [Fact]
    public void Tokenize_MixedChineseAndEnglish_SplitsCjkPerCharacterAndFoldsDigits()
    {
        var tokens = TextNormalizer.Tokenize("我的top-up失败了 3次, don't");

        tokens.Select(t => t.Text).ShouldBe(["我", "的", "top", "up", "失", "败", "了", "#", "次", "dont"]);
        tokens[0].Kind.ShouldBe(TokenKind.Cjk);
        tokens[2].Kind.ShouldBe(TokenKind.Word);
    }

    [Fact]
    public void Tokenize_CurrencySymbol_IsKeptAsToken()
    {
        TextNormalizer.Tokenize("sent $50.25").Select(t => t.Text).ShouldBe(["sent", "$", "#"]);
    }

    [Fact]
    public void Tokenize_HugeInput_IsCapped()
    {
        var tokens = TextNormalizer.Tokenize(string.Concat(Enumerable.Repeat("refund please ", 5000)));

        tokens.Count.ShouldBeLessThanOrEqualTo(TextNormalizer.MaxTokens);
    }

    [Fact]
    public void Tokenize_LoneSurrogateAndLongWord_DoNotThrow()
    {
        var tokens = TextNormalizer.Tokenize("bad \uD800 surrogate " + new string('x', 500));

        tokens.Last().Text.Length.ShouldBe(TextNormalizer.MaxWordChars);
    }

    [Theory]
    [InlineData("transfers", "transfer")]
    [InlineData("transferred", "transfer")]
    [InlineData("transferring", "transfer")]
    [InlineData("charged", "charg")]
    [InlineData("charge", "charg")]
    [InlineData("fees", "fee")]
    [InlineData("status", "status")]
    [InlineData("card", "card")]
    public void Stem_CommonInflections_ShareAStem(string word, string stem)
    {
        TextNormalizer.Stem(word).ShouldBe(stem);
    }
}
