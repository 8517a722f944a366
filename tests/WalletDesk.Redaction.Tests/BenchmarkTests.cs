namespace WalletDesk.Redaction.Tests;

public class BenchmarkTests
{
    // Not a timing assertion (timings are machine-dependent); it checks the benchmark measures real work.
    [Fact]
    public void Run_SmallCorpus_ReportsThroughputAndRedactsTheSecretMessages()
    {
        var result = RedactionBenchmark.Run(2_000);

        result.Messages.ShouldBe(2_000);
        result.MessagesPerSecond.ShouldBeGreaterThan(0);
        result.BaselineMessagesPerSecond.ShouldBeGreaterThan(0);
        result.RedactedMessages.ShouldBeInRange(100, 400); // about one message in ten carries a secret
    }
}
