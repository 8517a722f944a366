using WalletDesk.Server.Features.Knowledge.Search;

namespace WalletDesk.Server.Tests.Knowledge;

/// <summary>Query-time synonym expansion and the PostgreSQL candidate plan, without a database.</summary>
public sealed class SynonymsAndQueryPlanningTests
{
    private static readonly KnowledgeSynonyms Wallet = new(KnowledgeSynonyms.Defaults);

    private static List<string> Terms(string query) => TextAnalyzer.QueryTerms(TextAnalyzer.Normalize(query));

    [Fact]
    public void TopUp_ExpandsToTheOtherEnglishPhrases_AsPhrases_NotChinese()
    {
        var expansions = Wallet.Expand(Terms("top up failed"));

        expansions.ShouldContain("add monei");
        expansions.ShouldContain("recharg");
        expansions.ShouldNotContain("充值", "expansions stay in the scripts the reader typed");
        expansions.ShouldNotContain("monei", "a phrase is searched as a phrase, not as its words");
    }

    [Fact]
    public void ChineseWord_ExpandsToChinesePhrases()
    {
        var expansions = Wallet.Expand(Terms("我的转账没到账"));

        expansions.ShouldContain("汇款");
        expansions.ShouldNotContain("transfer");
    }

    [Fact]
    public void TwoWordPhrase_AlsoSearchesItsJoinedForm_WhenTheIndexHasIt()
    {
        Wallet.Expand(Terms("add money"), joined => joined == "topup").ShouldContain("topup");
        Wallet.Expand(Terms("add money"), _ => false).ShouldNotContain("topup");
    }

    [Fact]
    public void QueryWithoutAGroupWord_IsNotExpanded_AndExpansionIsCapped()
    {
        Wallet.Expand(Terms("parcel courier")).ShouldBeEmpty();
        Wallet.Expand(Terms("refund transfer locked 2fa fee limit password phishing")).Count.ShouldBe(KnowledgeSynonyms.MaxExpansions);
    }

    [Fact]
    public void OperatorGroups_AreValidated()
    {
        KnowledgeSynonyms.Validate(["e-wallet, digital wallet, 电子钱包"]).ShouldBeNull();
        KnowledgeSynonyms.Validate(["lonely"]).ShouldNotBeNull();
        KnowledgeSynonyms.Validate(["the, a"]).ShouldNotBeNull("stop words leave nothing to search");
        KnowledgeSynonyms.Validate(["one two three four five, x"]).ShouldNotBeNull();
        KnowledgeSynonyms.Validate(KnowledgeSynonyms.Defaults).ShouldBeNull();
    }

    [Fact]
    public void PostgresPlan_RanksEveryMatch_WhenFewRowsMatch_ElseOnlyTheRarestItems()
    {
        var vocab = new VocabularySet { Documents = 10_000 };
        vocab.DocumentFrequency["account"] = 7_000;
        vocab.DocumentFrequency["bank"] = 6_900;
        vocab.DocumentFrequency["chargeback"] = 120;
        vocab.DocumentFrequency["dispute"] = 150;
        vocab.DocumentFrequency["wombat"] = 3;
        vocab.DocumentFrequency["monei"] = 5_000;

        KnowledgeSearch.PlanPostgres(["wombat", "chargeback"], vocab).Rare.ShouldBeNull("123 rows: rank them all");
        KnowledgeSearch.PlanPostgres(["account", "chargeback", "dispute"], vocab).Rare.ShouldBe(["chargeback", "dispute"]);
        KnowledgeSearch.PlanPostgres(["account", "bank"], vocab).Rare.ShouldBeEmpty("only common words: title matches decide");
        KnowledgeSearch.PlanPostgres(["account", "bank monei"], vocab).Rare.ShouldBeEmpty();
        KnowledgeSearch.PlanPostgres(["转"], vocab).Rare.ShouldBeEmpty("a lone CJK character is in most unigram fields");
    }
}
