using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace WalletDesk.Server.Features.Assistant;

/// <summary>Sentiment from a small bilingual lexicon (negative words, intensifiers, negated positives).</summary>
public sealed record Sentiment(int Score, bool Caps, IReadOnlyList<string> Cues)
{
    public string Label => Score <= -2 ? "very negative" : Score < 0 ? "negative" : Score > 0 ? "positive" : "neutral";
}

/// <summary>
/// Cheap, explainable signals in a customer's message: which language it is in, whether they ask for a person,
/// say yes or no, shout, or are upset. Rules rather than a model, because each one must be explainable to an agent
/// reading the handoff summary.
/// </summary>
public static partial class CustomerSignals
{
    private static readonly string[] NegativeEn =
    [
        "angry", "furious", "ridiculous", "useless", "terrible", "awful", "horrible", "worst", "scam", "unacceptable", "disgusting",
        "pathetic", "stupid", "hate", "annoyed", "frustrated", "fed up", "sick of", "waste of time", "joke", "incompetent", "robbed",
        "stealing", "thieves", "never again", "wtf", "damn", "hell", "nonsense", "rubbish", "garbage", "sucks", "bad service",
    ];

    private static readonly string[] NegativeZh =
    [
        "生气", "气死", "愤怒", "垃圾", "太差", "很差", "差劲", "烂", "骗子", "无语", "离谱", "受够", "恶心", "投诉", "坑", "搞什么",
        "没用", "太慢", "什么破", "不满意", "失望", "骗人", "浪费时间", "滚",
    ];

    private static readonly string[] PositiveEn = ["thanks", "thank you", "great", "perfect", "awesome", "helpful", "solved", "works now", "appreciate"];

    private static readonly string[] PositiveZh = ["谢谢", "感谢", "太好了", "解决了", "好的谢谢", "有帮助", "可以了"];

    private static readonly string[] YesEn = ["yes", "yeah", "yep", "yup", "sure", "ok", "okay", "please do", "do it", "go ahead", "correct", "right", "it did", "solved", "that helped", "y"];

    private static readonly string[] NoEn = ["no", "nope", "nah", "don't", "do not", "not really", "didn't", "did not", "not solved", "still", "n"];

    private static readonly string[] YesZh = ["是", "是的", "好", "好的", "对", "对的", "可以", "嗯", "行", "冻结", "需要", "解决了", "有用", "有帮助", "确认"];

    private static readonly string[] NoZh = ["不", "不是", "不用", "不要", "没有", "没", "否", "没解决", "还没", "不需要", "没用"];

    /// <summary>True when most letters are Chinese characters (mixed text with any CJK run of two or more counts).</summary>
    public static bool LooksChinese(string text)
    {
        var cjk = 0;
        var latin = 0;
        foreach (var c in text)
        {
            if (c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF')
            {
                cjk++;
            }
            else if (char.IsAsciiLetter(c))
            {
                latin++;
            }
        }

        return cjk >= 2 && cjk * 3 >= latin;
    }

    /// <summary>The customer asks for a person in words ("agent", "human", "转人工").</summary>
    public static bool AsksForHuman(string text) => HumanPattern().IsMatch(text);

    public static bool? YesOrNo(string text)
    {
        var t = Normalize(text).Trim(' ', '.', '!', '?', '。', '！', '？', '，', ',');
        if (t.Length == 0)
        {
            return null;
        }

        bool Matches(string[] words) => words.Any(w => t == w || (w.Length > 1 && (t.StartsWith(w + " ", StringComparison.Ordinal) || t.StartsWith(w + ",", StringComparison.Ordinal))));
        bool MatchesZh(string[] words) => words.Any(w => t == w || (t.Length <= 12 && t.StartsWith(w, StringComparison.Ordinal)));

        // Negatives first: "not really", "没解决" start like a yes in some languages' lists.
        if (Matches(NoEn) || MatchesZh(NoZh) || t.Contains("didn't help", StringComparison.Ordinal) || t.Contains("not solved", StringComparison.Ordinal))
        {
            return false;
        }

        if (Matches(YesEn) || MatchesZh(YesZh))
        {
            return true;
        }

        return null;
    }

    /// <summary>The customer says they finished something in the app ("done", "好了").</summary>
    public static bool SaysDone(string text)
    {
        var t = Normalize(text);
        return DonePattern().IsMatch(t) || t.Contains("好了", StringComparison.Ordinal) || t.Contains("完成", StringComparison.Ordinal)
            || t.Contains("确认了", StringComparison.Ordinal) || t.Contains("已确认", StringComparison.Ordinal) || t.Contains("验证了", StringComparison.Ordinal);
    }

    public static Sentiment Analyze(string text)
    {
        var t = Normalize(text);
        var cues = new List<string>();
        var score = 0;
        foreach (var w in NegativeEn)
        {
            if (ContainsWord(t, w))
            {
                score -= 1;
                cues.Add(w);
            }
        }

        foreach (var w in NegativeZh.Where(w => t.Contains(w, StringComparison.Ordinal)))
        {
            score -= 1;
            cues.Add(w);
        }

        foreach (var w in PositiveEn.Where(w => ContainsWord(t, w)))
        {
            score += 1;
        }

        score += PositiveZh.Count(w => t.Contains(w, StringComparison.Ordinal));
        var exclamations = text.Count(c => c is '!' or '！');
        if (exclamations >= 3)
        {
            score -= 1;
            cues.Add("!!!");
        }

        var caps = IsShouting(text);
        if (caps)
        {
            score -= 1;
            cues.Add("CAPS");
        }

        return new Sentiment(score, caps, cues);
    }

    /// <summary>Mostly capital letters in a message long enough to mean it (not "OK" or "TX-8F3K").</summary>
    public static bool IsShouting(string text)
    {
        // References and codes are upper case by nature; leave them out.
        var words = WordPattern().Matches(text).Select(m => m.Value).Where(w => !w.Any(char.IsDigit) && !w.Contains('-', StringComparison.Ordinal)).ToList();
        var letters = words.Sum(w => w.Count(char.IsAsciiLetter));
        var upper = words.Sum(w => w.Count(char.IsAsciiLetterUpper));
        return letters >= 10 && words.Count(w => w.Length > 1) >= 2 && upper >= letters * 0.7;
    }

    /// <summary>Lower case, width-folded, whitespace collapsed: the form used to spot a repeated message.</summary>
    public static string Normalize(string text)
    {
        var folded = text.Normalize(NormalizationForm.FormKC).ToLower(CultureInfo.InvariantCulture);
        return SpacePattern().Replace(folded, " ").Trim();
    }

    private static bool ContainsWord(string text, string word)
    {
        var i = text.IndexOf(word, StringComparison.Ordinal);
        while (i >= 0)
        {
            var before = i == 0 || !char.IsLetter(text[i - 1]);
            var end = i + word.Length;
            var after = end >= text.Length || !char.IsLetter(text[end]);
            if (before && after)
            {
                return true;
            }

            i = text.IndexOf(word, i + 1, StringComparison.Ordinal);
        }

        return false;
    }

    [GeneratedRegex(@"\b(agent|human|humans|real person|a person|representative|operator|someone real|live support|customer service)\b|转人工|人工客服|人工服务|找人工|真人|客服人员|接人工", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HumanPattern();

    [GeneratedRegex(@"\b(done|did it|confirmed|i confirmed|finished|completed|verified)\b", RegexOptions.CultureInvariant)]
    private static partial Regex DonePattern();

    [GeneratedRegex(@"[A-Za-z][A-Za-z0-9'\-]*")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex SpacePattern();
}
