using System.Diagnostics;

namespace WalletDesk.Redaction;

/// <summary>Result of <see cref="RedactionBenchmark.Run"/>.</summary>
/// <param name="Messages">Messages in the corpus.</param>
/// <param name="MessagesPerSecond">Throughput of <see cref="Redactor.Redact(string)"/>.</param>
/// <param name="BaselineMessagesPerSecond">Throughput of one <see cref="string.Contains(string, StringComparison)"/> per message over the same corpus.</param>
/// <param name="RedactedMessages">How many corpus messages had something redacted (a sanity check that the work was done).</param>
public sealed record RedactionBenchmarkResult(int Messages, double MessagesPerSecond, double BaselineMessagesPerSecond, int RedactedMessages)
{
    /// <summary>How many times slower redaction is than the <c>string.Contains</c> baseline.</summary>
    public double SlowdownVersusBaseline => MessagesPerSecond > 0 ? BaselineMessagesPerSecond / MessagesPerSecond : double.PositiveInfinity;
}

/// <summary>A quick, dependency-free micro-benchmark for the CLI. Not a substitute for BenchmarkDotNet.</summary>
public static class RedactionBenchmark
{
    private static readonly string[] English =
    [
        "Hi, I was charged twice for order 88812345 on 2026-11-22, can you refund one of them?",
        "My wallet shows a pending transfer of 49.99 USD since yesterday at 12:30, reference TX-8F3K2Q.",
        "I cannot log in, the app says my account is locked. Please call me on +1 (415) 555-0100.",
        "The merchant says they refunded me but I still don't see it in my balance.",
        "Which documents do I need to verify my identity? I uploaded my passport already.",
    ];

    private static readonly string[] Chinese =
    [
        "你好，我昨天的转账一直显示处理中，流水号 T20261122-000123，请帮我查一下。",
        "我的账户被冻结了，手机号13800138000，什么时候可以解冻？",
        "商家说已经退款了，但是我的余额里没有看到，金额是 1,234.56 元。",
        "请问提现到银行卡需要多长时间？",
    ];

    private static readonly string[] Secrets =
    [
        "my card is 4111 1111 1111 1111 exp 12/27 cvv 123",
        "卡号6222021234567894，验证码482913",
        "my password is hunter2",
        "card 5500-0000-0000-0004",
    ];

    /// <summary>Redacts a deterministic mixed English/Chinese corpus of <paramref name="messages"/> chat messages.</summary>
    /// <param name="messages">Corpus size; 100,000 gives stable numbers in about a second.</param>
    public static RedactionBenchmarkResult Run(int messages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messages, 1);
        var corpus = BuildCorpus(messages);
        // Warm up by time, not count: tiered JIT promotes hot methods on a background thread after a delay.
        var warmup = Stopwatch.GetTimestamp();
        for (var i = 0; Stopwatch.GetElapsedTime(warmup).TotalMilliseconds < 300; i = (i + 1) % corpus.Length)
        {
            _ = Redactor.Redact(corpus[i]);
            _ = corpus[i].Contains("cvv", StringComparison.Ordinal);
        }

        var redacted = 0;
        var start = Stopwatch.GetTimestamp();
        foreach (var m in corpus)
        {
            if (Redactor.Redact(m).WasRedacted)
            {
                redacted++;
            }
        }

        var redactSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        var hits = 0;
        start = Stopwatch.GetTimestamp();
        for (var round = 0; round < 5; round++)
        {
            foreach (var m in corpus)
            {
                if (m.Contains("cvv", StringComparison.Ordinal))
                {
                    hits++;
                }
            }
        }

        var baselineSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds / 5;
        GC.KeepAlive(hits);
        return new RedactionBenchmarkResult(
            messages,
            messages / Math.Max(redactSeconds, 1e-9),
            messages / Math.Max(baselineSeconds, 1e-9),
            redacted);
    }

    private static string[] BuildCorpus(int messages)
    {
        // Fixed seed: the benchmark must measure the same work on every run. Not used for anything secret.
#pragma warning disable CA5394
        var random = new Random(20261122);
        var corpus = new string[messages];
        for (var i = 0; i < messages; i++)
        {
            var body = random.Next(2) == 0 ? English[random.Next(English.Length)] : Chinese[random.Next(Chinese.Length)];
            corpus[i] = random.Next(10) == 0 ? string.Concat(body, " ", Secrets[random.Next(Secrets.Length)]) : body;
        }
#pragma warning restore CA5394

        return corpus;
    }
}
