using WalletDesk.Server.Features.Email;

namespace WalletDesk.Server.Tests.Email;

/// <summary>The corpus (Email/Corpus/*.eml): real-world-shaped mail and the ticket text each must become (the .expected.txt
/// beside it, with "#! key=value" lines for subject, sender, loops, files).</summary>
public sealed class EmailCorpusTests
{
    public const string OurAddress = "support@walletdesk.test";

    public static string CorpusFolder => Path.Combine(AppContext.BaseDirectory, "Email", "Corpus");

    public static IReadOnlyList<string> Names => Directory.GetFiles(CorpusFolder, "*.eml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList()!;

    public static TheoryData<string> Messages
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in Names)
            {
                data.Add(name);
            }

            return data;
        }
    }

    [Fact]
    public void Corpus_HasAtLeastFortyMessages_EachWithItsExpectedText()
    {
        Names.Count.ShouldBeGreaterThanOrEqualTo(40);
        Names.ShouldAllBe(n => File.Exists(Path.Combine(CorpusFolder, n + ".expected.txt")));
    }

    [Theory, MemberData(nameof(Messages))]
    public void Parse_CorpusMessage_GivesTheExpectedTicketText(string name)
    {
        var raw = File.ReadAllBytes(Path.Combine(CorpusFolder, name + ".eml"));
        var (meta, expected) = Expected(name);
        if (meta.ContainsKey("unreadable"))
        {
            Should.Throw<UnreadableEmailException>(() => EmailParser.Parse(raw, OurAddress, []));
            return;
        }

        var parsed = EmailParser.Parse(raw, OurAddress, []);
        parsed.Reply.ShouldBe(expected, $"{name}: folded text");
        parsed.Loop.ToString().ShouldBe(meta.GetValueOrDefault("loop", "None"), name);
        if (meta.TryGetValue("subject", out var subject))
        {
            parsed.Subject.ShouldBe(subject, name);
        }

        if (meta.TryGetValue("from", out var from))
        {
            parsed.FromAddress.ShouldBe(from, name);
        }

        if (meta.TryGetValue("from-name", out var fromName))
        {
            parsed.FromName.ShouldBe(fromName, name);
        }

        if (meta.TryGetValue("language", out var language))
        {
            parsed.Language.ShouldBe(language, name);
        }

        string.Join('|', parsed.Attachments.Select(a => a.FileName ?? "(unnamed)")).ShouldBe(meta.GetValueOrDefault("attachments", ""), name);
        string.Join('|', parsed.FailedRecipients).ShouldBe(meta.GetValueOrDefault("failed", ""), name);
        parsed.FullText.ShouldContain(expected.Split('\n')[0], Case.Sensitive, $"{name}: the original keeps what the reply shows");
    }

    [Fact]
    public void Parse_SameMessageWithMoreTraceHeaders_HashesAlike()
    {
        var raw = File.ReadAllBytes(Path.Combine(CorpusFolder, "01-plain-english.eml"));
        var relayed = System.Text.Encoding.ASCII.GetBytes("Received: from mx2.example (mx2.example [192.0.2.7]) by mx.walletdesk.test\nDelivered-To: support@walletdesk.test\n").Concat(raw).ToArray();
        var edited = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(raw).Replace("Thanks,", "Thanks again,", StringComparison.Ordinal));

        EmailParser.Parse(relayed, OurAddress, []).ContentHash.ShouldBe(EmailParser.Parse(raw, OurAddress, []).ContentHash);
        EmailParser.Parse(edited, OurAddress, []).ContentHash.ShouldNotBe(EmailParser.Parse(raw, OurAddress, []).ContentHash);
    }

    [Theory]
    [InlineData("mx.walletdesk.test; spf=pass smtp.mailfrom=alice@example.com; dkim=pass header.d=example.com; dmarc=pass header.from=example.com", "pass")]
    [InlineData("mx.walletdesk.test; spf=fail smtp.mailfrom=evil.example; dkim=none; dmarc=fail header.from=example.com", "fail")]
    [InlineData("mx.walletdesk.test; spf=softfail smtp.mailfrom=alice@example.com", "fail")]
    [InlineData("mx.walletdesk.test; dkim=pass header.d=other.example", "none")]
    [InlineData("mx.walletdesk.test; dkim=pass header.d=mail.example.com", "pass")]
    public void SenderCheck_AuthenticationResults_GiveTheVerdict(string results, string verdict)
    {
        var raw = System.Text.Encoding.UTF8.GetBytes($"Authentication-Results: {results}\nFrom: alice@example.com\nTo: support@walletdesk.test\nSubject: x\n\nhello\n");
        EmailParser.Parse(raw, OurAddress, []).Auth.Verdict.ShouldBe(verdict);
    }

    [Fact]
    public void SenderCheck_ForgedHeaderBelowOurs_IsNotBelieved()
    {
        // The sender wrote their own "pass" header; our server's (topmost, or the trusted authserv-id) says fail.
        var raw = System.Text.Encoding.UTF8.GetBytes(
            "Authentication-Results: mx.walletdesk.test; spf=fail smtp.mailfrom=evil.example; dmarc=fail header.from=example.com\n" +
            "Authentication-Results: mx.walletdesk.test; spf=pass smtp.mailfrom=alice@example.com; dmarc=pass header.from=example.com\n" +
            "From: alice@example.com\nTo: support@walletdesk.test\nSubject: x\n\nhello\n");
        EmailParser.Parse(raw, OurAddress, []).Auth.Verdict.ShouldBe(SenderVerdicts.Fail);

        var trustedElsewhere = System.Text.Encoding.UTF8.GetBytes(
            "Authentication-Results: attacker.example; dmarc=pass header.from=example.com\n" +
            "Authentication-Results: mx.walletdesk.test; dmarc=fail header.from=example.com\n" +
            "From: alice@example.com\nTo: support@walletdesk.test\nSubject: x\n\nhello\n");
        EmailParser.Parse(trustedElsewhere, OurAddress, ["mx.walletdesk.test"]).Auth.Verdict.ShouldBe(SenderVerdicts.Fail);
    }

    internal static (Dictionary<string, string> Meta, string Text) Expected(string name)
    {
        var lines = File.ReadAllText(Path.Combine(CorpusFolder, name + ".expected.txt")).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var meta = lines.TakeWhile(l => l.StartsWith("#! ", StringComparison.Ordinal))
            .Select(l => l[3..].Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        return (meta, string.Join('\n', lines.Skip(meta.Count)).Trim());
    }
}
