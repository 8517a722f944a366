using System.Globalization;
using Xunit.Abstractions;

namespace WalletDesk.Redaction.Tests;

public class BenchmarkTests(ITestOutputHelper output)
{
    // Not a timing assertion (timings are machine-dependent); it checks the benchmark measures real work.
    [Fact]
    public void Run_SmallCorpus_ReportsThroughputAndRedactsTheSecretMessages()
    {
        var size = int.Parse(Environment.GetEnvironmentVariable("WALLETDESK_REDACTION_BENCH") ?? "2000", CultureInfo.InvariantCulture);
        var result = RedactionBenchmark.Run(size);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Messages} msgs: {result.MessagesPerSecond:N0} msg/s, baseline {result.BaselineMessagesPerSecond:N0} msg/s, {result.SlowdownVersusBaseline:N1}x slower"));

        result.Messages.ShouldBe(size);
        result.MessagesPerSecond.ShouldBeGreaterThan(0);
        result.BaselineMessagesPerSecond.ShouldBeGreaterThan(0);
        result.RedactedMessages.ShouldBeInRange(size / 20, size / 5); // about one message in ten carries a secret
    }
}
