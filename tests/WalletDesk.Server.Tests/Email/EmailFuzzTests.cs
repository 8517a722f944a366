using System.Text;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Email;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Email;

/// <summary>Random edits of the corpus (fixed seed): the parser never crashes or hangs, and ingest never loses a message —
/// what it cannot read goes to the quarantine, byte for byte.</summary>
public sealed class EmailFuzzTests(EmailChannelFixture fixture) : IClassFixture<EmailChannelFixture>
{
    private const int Seed = 18;

    [Fact]
    public async Task Parse_ThousandsOfMutatedMessages_NeverCrashOrHang()
    {
        var corpus = EmailCorpusTests.Names.Select(n => File.ReadAllBytes(Path.Combine(EmailCorpusTests.CorpusFolder, n + ".eml"))).ToList();
        var random = new Random(Seed);
        var current = -1;
        int unreadable = 0, parsed = 0;
        var work = Task.Run(() =>
        {
            for (var i = 0; i < 4000; i++)
            {
                current = i;
                var raw = Mutate(corpus[random.Next(corpus.Count)], random);
                try
                {
                    var result = EmailParser.Parse(raw, EmailCorpusTests.OurAddress, []);
                    result.ContentHash.Length.ShouldBe(64);
                    parsed++;
                }
                catch (UnreadableEmailException)
                {
                    unreadable++;
                }
            }
        });

        // A watchdog, not a wait: a hang fails the test with the mutation it hung on instead of blocking the run.
        var finished = await Task.WhenAny(work, Task.Delay(TimeSpan.FromMinutes(3)));
        finished.ShouldBe(work, $"the parser hung on mutation {current} (seed {Seed})");
        await work;
        (parsed + unreadable).ShouldBe(4000);
        parsed.ShouldBeGreaterThan(unreadable, "most edits leave a readable message");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Ingest_MutatedMessages_AreStoredOrQuarantinedNeverLost(string provider)
    {
        var app = await fixture.For(provider);
        var ingest = app.Services.GetRequiredService<EmailIngest>();
        var corpus = EmailCorpusTests.Names.Select(n => File.ReadAllBytes(Path.Combine(EmailCorpusTests.CorpusFolder, n + ".eml"))).ToList();
        var random = new Random(Seed + 1);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 120; i++)
        {
            // A fresh sender per message, so the mutations do not all land on one customer's tickets.
            var source = Encoding.UTF8.GetString(corpus[random.Next(corpus.Count)])
                .Replace("alice@example.com", $"fuzz{i}-{Guid.NewGuid():N}@example.com", StringComparison.Ordinal);
            var raw = Mutate(Encoding.UTF8.GetBytes(source), random);
            var result = await ingest.IngestAsync(raw, "cli", null, default);
            outcomes[result.Outcome] = outcomes.GetValueOrDefault(result.Outcome) + 1;
            if (result.Outcome == IngestResult.Quarantined)
            {
                var kept = await app.WithDbAsync(db => db.EmailQuarantine.AsNoTracking().SingleAsync(q => q.Id == result.QuarantineId));
                kept.Raw.ShouldBe(raw, "the quarantine keeps the message whole");
                kept.Reason.ShouldNotBeNullOrWhiteSpace();
            }
            else
            {
                result.Outcome.ShouldBeOneOf(InboundOutcomes.TicketCreated, InboundOutcomes.Appended, InboundOutcomes.AutoReply, InboundOutcomes.Bounce, IngestResult.Duplicate);
            }
        }

        outcomes.GetValueOrDefault(InboundOutcomes.TicketCreated).ShouldBeGreaterThan(0, string.Join(", ", outcomes));
    }

    internal static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        var edits = random.Next(1, 9);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(10))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 200)));
                    break;
                case 2:
                    var length = Math.Min(bytes.Count - at, random.Next(1, 400));
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                case 3:
                    var junk = new byte[random.Next(1, 64)];
                    random.NextBytes(junk);
                    bytes.InsertRange(at, junk);
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 5:
                    bytes.InsertRange(at, Encoding.ASCII.GetBytes("\n--" + (random.Next(2) == 0 ? "alt1" : "mix1") + (random.Next(2) == 0 ? "--" : "") + "\n"));
                    break;
                case 6:
                    bytes.InsertRange(at, Encoding.ASCII.GetBytes("\nContent-Type: multipart/mixed; boundary=\"" + new string('x', random.Next(0, 90)) + "\"\n\n"));
                    break;
                case 7:
                    bytes.InsertRange(at, Encoding.ASCII.GetBytes("=?utf-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes("中文")) + (random.Next(2) == 0 ? "" : "?=")));
                    break;
                case 8:
                    bytes.InsertRange(at, Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("Content-Type: multipart/mixed; boundary=b\n\n--b\n", random.Next(1, 60)))));
                    break;
                default:
                    if (bytes[at] == (byte)'\n')
                    {
                        bytes.RemoveAt(at);
                    }
                    else
                    {
                        bytes.Insert(at, (byte)'\n');
                    }

                    break;
            }
        }

        return bytes.ToArray();
    }
}
