using Microsoft.Extensions.Options;

namespace WalletDesk.Server.Features.Knowledge.Search;

/// <summary>
/// Query-time synonyms: groups of phrases that mean the same thing to a wallet customer ("top up", "add money",
/// "充值"). When every term of one phrase of a group is in a query, the group's other phrases are searched for too
/// (a multi-word phrase as an adjacent-terms phrase, so "money back" does not match every text with "back").
/// Built from <see cref="KnowledgeOptions.Synonyms"/> plus the wallet defaults below unless
/// <see cref="KnowledgeOptions.UseDefaultSynonyms"/> is off. Applied at query time only, so a change needs no
/// re-indexing (docs/adr/0006-kb-synonyms-in-configuration.md).
/// </summary>
public sealed class KnowledgeSynonyms
{
    /// <summary>Wallet vocabulary, both languages. Each line is one group of comma-separated phrases.</summary>
    public static readonly IReadOnlyList<string> Defaults =
    [
        "top up, top-up, add money, load money, reload wallet, recharge, 充值, 加值",
        "transfer, send money, money transfer, 转账, 汇款, 转钱",
        "refund, money back, reimbursement, 退款, 退钱, 退回",
        "locked, frozen, blocked, suspended, 冻结, 锁定, 封号, 被锁",
        "2fa, two-factor, two factor authentication, authenticator, 双重验证, 两步验证, 二次验证",
        "verification code, one-time code, otp, sms code, 验证码, 动态码",
        "fee, commission, service charge, 手续费, 费用, 收费",
        "limit, maximum, cap, 限额, 额度, 上限",
        "identity verification, kyc, verify identity, id check, 实名认证, 身份验证, 实名",
        "bank account, bank card, 银行卡, 银行账户",
        "password, passcode, 密码",
        "phishing, scam, fraud, fake message, 钓鱼, 诈骗, 骗子",
        "contact support, customer service, talk to a human, human agent, live agent, 客服, 人工, 转人工",
        "charged twice, double charge, duplicate payment, 重复扣款, 扣了两次",
        "not arrived, not received, 没到账, 未到账, 没收到",
        // Words Chinese-speaking customers use interchangeably (issue 14).
        "账号, 账户, 帐号, 帐户",
        "关闭, 关掉, 停用",
        "收款, 收钱",
        "二维码, 收款码",
        "删除, 清除, 删掉",
    ];

    /// <summary>At most this many extra search items per query, so a query cannot grow without bound.</summary>
    public const int MaxExpansions = 12;

    private readonly List<List<string[]>> _groups;

    public KnowledgeSynonyms(IOptions<KnowledgeOptions> options)
        : this((options.Value.UseDefaultSynonyms ? Defaults : []).Concat(options.Value.Synonyms))
    {
    }

    internal KnowledgeSynonyms(IEnumerable<string> groups)
    {
        _groups = groups.Select(ParseGroup).Where(g => g.Count >= 2).ToList();
    }

    public int GroupCount => _groups.Count;

    /// <summary>Checks operator-written groups; null when they are usable, else what is wrong with the first bad one.</summary>
    public static string? Validate(IEnumerable<string> groups)
    {
        var index = 0;
        foreach (var group in groups)
        {
            if (group is null || group.Length > 500)
            {
                return $"Knowledge:Synonyms:{index} must be at most 500 characters.";
            }

            var phrases = ParseGroup(group);
            if (phrases.Count < 2)
            {
                return $"Knowledge:Synonyms:{index} needs at least two comma-separated phrases that contain searchable words (\"{group}\").";
            }

            if (phrases.Any(p => p.Length > 4))
            {
                return $"Knowledge:Synonyms:{index}: a phrase may have at most four searchable words (\"{group}\").";
            }

            index++;
        }

        return index > 1000 ? "Knowledge:Synonyms may hold at most 1,000 groups." : null;
    }

    /// <summary>
    /// The search items to add to <paramref name="queryTerms"/> (analysed terms): each item is one term or, for a
    /// phrase, its terms joined by a space (searched as adjacent terms). Items already in the query are not repeated.
    /// </summary>
    /// <param name="queryTerms">The query's analysed terms.</param>
    /// <param name="joinedFormExists">Whether a joined form ("topup" for "top up") is in the index; if so it is searched too.</param>
    public IReadOnlyList<string> Expand(IReadOnlyCollection<string> queryTerms, Func<string, bool>? joinedFormExists = null)
    {
        var present = new HashSet<string>(queryTerms, StringComparer.Ordinal);
        var added = new List<string>();
        var seen = new HashSet<string>(queryTerms, StringComparer.Ordinal);
        // Expansions stay in the scripts the reader typed: a Chinese query gains Chinese phrases, an English one
        // English phrases (articles exist in both languages, and other-language matches only add noise).
        var cjk = queryTerms.Any(IsCjkTerm);
        var latin = queryTerms.Any(t => !IsCjkTerm(t));
        foreach (var group in _groups)
        {
            if (!group.Any(phrase => phrase.All(present.Contains)))
            {
                continue;
            }

            foreach (var phrase in group)
            {
                if (phrase.All(present.Contains) || !(IsCjkTerm(phrase[0]) ? cjk : latin))
                {
                    continue;
                }

                Add(string.Join(' ', phrase));
                if (phrase.Length == 2 && TextAnalyzer.IsLatinWord(phrase[0]) && TextAnalyzer.IsLatinWord(phrase[1])
                    && joinedFormExists is not null && PorterStemmer.Stem(phrase[0] + phrase[1]) is var joined && joinedFormExists(joined))
                {
                    Add(joined);
                }

                if (added.Count >= MaxExpansions)
                {
                    return added;
                }
            }
        }

        return added;

        void Add(string item)
        {
            if (added.Count < MaxExpansions && seen.Add(item))
            {
                added.Add(item);
            }
        }
    }

    private static bool IsCjkTerm(string term) => term.Length > 0 && TextAnalyzer.IsCjk(term[0]);

    /// <summary>True when <paramref name="term"/> is a word of a phrase in a group that <paramref name="item"/> (a phrase or its joined form) also belongs to.</summary>
    public bool AreSynonyms(string term, string item) =>
        _groups.Any(g => g.Any(p => p.Contains(term, StringComparer.Ordinal))
            && g.Any(p => string.Join(' ', p) == item || (p.Length == 2 && PorterStemmer.Stem(p[0] + p[1]) == item)));

    /// <summary>The phrases of a group as analysed terms. A joined hyphen form ("topup" from "top-up") is left out: the phrase is "top up".</summary>
    private static List<string[]> ParseGroup(string group) =>
        group.Split([',', '，', '、', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(PhraseTerms)
            .Where(terms => terms.Length > 0)
            .DistinctBy(terms => string.Join(' ', terms), StringComparer.Ordinal)
            .ToList();

    internal static string[] PhraseTerms(string phrase)
    {
        var normalized = TextAnalyzer.Normalize(phrase);
        return TextAnalyzer.Tokenize(normalized, unigrams: false)
            .Where(t => !normalized.AsSpan(t.Start, t.Length).Contains('-'))
            .Select(t => t.Term)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }
}
