using WalletDesk.Assistant.Entities;

namespace WalletDesk.Assistant.Tests;

public class EntityExtractorTests
{
    // Sunday 22 November 2026, 10:00 in Shanghai (02:00 UTC).
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static IReadOnlyList<Entity> Extract(string text) => EntityExtractor.Extract(text, Now, Shanghai);

    private static T Single<T>(string text)
        where T : Entity => Extract(text).OfType<T>().ShouldHaveSingleItem($"entities: {string.Join("; ", Extract(text))}");

    [Theory]
    [InlineData("status of TX-8F3K2Q please", "TX-8F3K2Q")]
    [InlineData("ref T20261122-000123 failed", "T20261122-000123")]
    [InlineData("订单号2026112212345678还没到", "2026112212345678")]
    [InlineData("my reference is AB12CD34EF56", "AB12CD34EF56")]
    [InlineData("txn: pay_93jd83kd9", "PAY_93JD83KD9")]
    public void Extract_TransactionReference(string text, string reference)
    {
        Single<TransactionReferenceEntity>(text).Reference.ShouldBe(reference);
    }

    [Theory]
    [InlineData("I paid $50 for it", 5000, "USD")]
    [InlineData("charged 50 USD twice", 5000, "USD")]
    [InlineData("转了¥200给他", 20000, "CNY")]
    [InlineData("转了200元", 20000, "CNY")]
    [InlineData("RMB 1,200.50 was taken", 120050, "CNY")]
    [InlineData("五十元", 5000, "CNY")]
    [InlineData("扣了我两百五块钱", 25000, "CNY")]
    [InlineData("一千零五元", 100500, "CNY")]
    [InlineData("三块五毛", 350, "CNY")]
    [InlineData("€12.5 fee", 1250, "EUR")]
    [InlineData("20 bucks", 2000, "USD")]
    [InlineData("¥１２０", 12000, "CNY")]
    [InlineData("3000 JPY", 3000, "JPY")]
    [InlineData("HK$88", 8800, "HKD")]
    public void Extract_Money_InMinorUnits(string text, long minor, string currency)
    {
        var money = Single<MoneyEntity>(text);

        money.MinorUnits.ShouldBe(minor);
        money.Currency.ShouldBe(currency);
    }

    [Fact]
    public void Extract_Money_DollarSignFollowsOptions()
    {
        var options = new EntityExtractorOptions { DollarCurrency = "SGD", YenSignCurrency = "JPY" };

        var entities = EntityExtractor.Extract("$5 and ¥500", Now, Shanghai, options).OfType<MoneyEntity>().ToArray();

        entities.Select(e => (e.MinorUnits, e.Currency)).ShouldBe([(500L, "SGD"), (500L, "JPY")]);
    }

    [Fact]
    public void Extract_Money_PlainNumberIsNotMoney()
    {
        Extract("I tried 3 times").OfType<MoneyEntity>().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("it happened yesterday", 2026, 11, 21)]
    [InlineData("today at noon", 2026, 11, 22)]
    [InlineData("the day before yesterday", 2026, 11, 20)]
    [InlineData("2 days ago", 2026, 11, 20)]
    [InlineData("a week ago", 2026, 11, 15)]
    [InlineData("last Friday", 2026, 11, 20)]
    [InlineData("on Monday", 2026, 11, 16)]
    [InlineData("on 11/20", 2026, 11, 20)]
    [InlineData("on 12/25", 2025, 12, 25)]
    [InlineData("Nov 3rd", 2026, 11, 3)]
    [InlineData("3 November 2025", 2025, 11, 3)]
    [InlineData("2026-10-01", 2026, 10, 1)]
    [InlineData("昨天", 2026, 11, 21)]
    [InlineData("前天转的", 2026, 11, 20)]
    [InlineData("大前天", 2026, 11, 19)]
    [InlineData("上周五", 2026, 11, 13)]
    [InlineData("上星期一", 2026, 11, 9)]
    [InlineData("这周三", 2026, 11, 18)]
    [InlineData("11月20日", 2026, 11, 20)]
    [InlineData("2025年3月8号", 2025, 3, 8)]
    [InlineData("三天前", 2026, 11, 19)]
    [InlineData("18号那天", 2026, 11, 18)]
    public void Extract_Date_RelativeToReferenceInTimeZone(string text, int year, int month, int day)
    {
        Single<DateEntity>(text).Date.ShouldBe(new DateOnly(year, month, day));
    }

    [Fact]
    public void Extract_Date_UsesCustomerTimeZoneForToday()
    {
        // 02:00 UTC on the 22nd is still the 21st in New York.
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

        EntityExtractor.Extract("yesterday", Now, newYork).OfType<DateEntity>().Single().Date.ShouldBe(new DateOnly(2026, 11, 20));
    }

    [Theory]
    [InlineData("card ending 4242 was charged", "4242")]
    [InlineData("my visa ending in 1881", "1881")]
    [InlineData("last 4 digits 5555", "5555")]
    [InlineData("尾号4242的卡被扣款", "4242")]
    [InlineData("卡号后四位是 0019", "0019")]
    [InlineData("card **** **** **** 3005", "3005")]
    public void Extract_CardLast4(string text, string last4)
    {
        Single<CardLast4Entity>(text).Last4.ShouldBe(last4);
        Extract(text).OfType<MoneyEntity>().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("call me on +86 138 0013 8000", "+8613800138000")]
    [InlineData("my number is +1 415-555-0100", "+14155550100")]
    [InlineData("手机号13800138000收不到验证码", "+8613800138000")]
    [InlineData("+44 20 7946 0958", "+442079460958")]
    public void Extract_PhoneNumber_AsE164(string text, string e164)
    {
        Single<PhoneNumberEntity>(text).E164.ShouldBe(e164);
    }

    [Fact]
    public void Extract_MixedMessage_FindsEachEntityOnceInOrder()
    {
        const string text = "昨天尾号4242的卡被扣了¥200两次, ref TX-8F3K2Q, call +86 138 0013 8000";

        var entities = Extract(text);

        entities.Select(e => e.GetType().Name).ShouldBe(
            ["DateEntity", "CardLast4Entity", "MoneyEntity", "TransactionReferenceEntity", "PhoneNumberEntity"]);
        entities.ShouldAllBe(e => text.Substring(e.Start, e.Length) == e.Text);
    }

    [Fact]
    public void Extract_EmptyOrHugeInput_IsSafe()
    {
        Extract("").ShouldBeEmpty();
        Extract(string.Concat(Enumerable.Repeat("$5 ", 10_000))).Count.ShouldBeLessThan(1000);
    }
}
