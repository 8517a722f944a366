using System.Text;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Features.Attachments;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Tests.Attachments;

/// <summary>The name and content rules on their own (no server): what is accepted, what is refused and why.</summary>
public sealed class CheckingFileNamesAndContentTests
{
    private static readonly TicketIntake Intake = new(Options.Create(new RedactionOptions()));

    public static TheoryData<string, string> AcceptedNames => new()
    {
        { "receipt.png", "receipt.png" },
        { "Receipt.PNG", "Receipt.PNG" },
        { "statement.2026-11.pdf", "statement.2026-11.pdf" },
        { "../../../etc/passwd.txt", "passwd.txt" },
        { "..\\..\\windows\\notes.csv", "notes.csv" },
        { "C:\\Users\\me\\Desktop\\shot.jpg", "shot.jpg" },
        { "%2e%2e%2fsecret.txt", "secret.txt" },
        { "notes.txt::$DATA", "notes.txt" },
        { "scan.pdf. . .", "scan.pdf" },
        { "zero\u200Bwidth.png", "zerowidth.png" },
        { "ｓｃｒｅｅｎ．ｐｎｇ", "screen.png" },
    };

    [Theory, MemberData(nameof(AcceptedNames))]
    public void AcceptedName_IsNormalisedForDisplay(string raw, string expected)
    {
        var name = AttachmentFileNames.Clean(raw, Intake, out var problem);

        problem.ShouldBeNull();
        name.ShouldNotBeNull().Name.ShouldBe(expected);
    }

    public static TheoryData<string, string> RefusedNames => new()
    {
        { "page.html", "markup" },
        { "logo.svg", "svg can carry script" },
        { "data.xml", "xml" },
        { "setup.exe", "executable" },
        { "web.config", "server configuration" },
        { ".htaccess", "server configuration" },
        { "shell.aspx", "server page" },
        { "view.cshtml", "razor page" },
        { "lib.dll", "library" },
        { "bundle.zip", "archive" },
        { "invoice.pdf.exe", "double extension, executable last" },
        { "photo.php.png", "double extension, server script inside" },
        { "photo\u202Egnp.exe", "RTL override hides .exe" },
        { "evil.aspx.", "trailing dot" },
        { "evil.aspx  ", "trailing spaces" },
        { "evil.aspx::$DATA", "NTFS stream" },
        { "evil.aspx:.png", "NTFS stream with a harmless-looking tail" },
        { "ｓｈｅｌｌ．ａｓｐｘ", "full-width homoglyphs" },
        { "noextension", "no extension" },
        { "..", "dots only" },
        { "", "empty" },
    };

    [Theory, MemberData(nameof(RefusedNames))]
    public void RefusedName_SaysWhy(string raw, string because)
    {
        var name = AttachmentFileNames.Clean(raw, Intake, out var problem);

        name.ShouldBeNull(because);
        problem.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void CardNumberInName_IsRedacted_ExtensionKept()
    {
        var name = AttachmentFileNames.Clean("card 4111 1111 1111 1111 front.png", Intake, out _).ShouldNotBeNull();

        name.Name.Replace(" ", "", StringComparison.Ordinal).ShouldNotContain("4111111111111111");
        name.Name.ShouldContain("411111******1111");
        name.Name.ShouldEndWith(".png");
        name.Redactions.ShouldContain("pan");
    }

    public static TheoryData<string, byte[], string> AcceptedContent => new()
    {
        { "png", SampleFiles.Png(), AttachmentKinds.Png },
        { "jpeg", SampleFiles.Jpeg(), AttachmentKinds.Jpeg },
        { "gif", SampleFiles.Gif(), AttachmentKinds.Gif },
        { "webp", SampleFiles.WebP(), AttachmentKinds.WebP },
        { "pdf", SampleFiles.Pdf(), AttachmentKinds.Pdf },
        { "text", SampleFiles.Text("My transfer TX-8F3K2Q has not arrived.\nRef: 2026-11-20\n"), AttachmentKinds.Text },
        { "csv with bom", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("date,amount\n2026-11-20,12.50\n")], AttachmentKinds.Text },
        { "chinese text", SampleFiles.Text("我的转账还没到账，参考号 TX-8F3K2Q"), AttachmentKinds.Text },
    };

    [Theory, MemberData(nameof(AcceptedContent))]
    public async Task AcceptedContent_IsRecognisedFromItsBytes(string label, byte[] bytes, string kind)
    {
        var verdict = await InspectAsync(bytes);

        verdict.Problem.ShouldBeNull(label);
        verdict.Kind.ShouldBe(kind);
    }

    public static TheoryData<string, byte[]> RefusedContent => new()
    {
        { "html", SampleFiles.Text("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>") },
        { "html after whitespace", SampleFiles.Text("\n\n   <html><script>alert(1)</script>") },
        { "svg", SampleFiles.Text("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>") },
        { "xml", SampleFiles.Text("<?xml version=\"1.0\"?><a/>") },
        { "script inside text", SampleFiles.Text("hello\nsee <script src=//evil.example/x.js></script>") },
        { "shell script", SampleFiles.Text("#!/bin/sh\nrm -rf /\n") },
        { "windows executable", [(byte)'M', (byte)'Z', 0x90, 0x00, 0x03, 0x00, 0x00, 0x00] },
        { "elf executable", [0x7F, (byte)'E', (byte)'L', (byte)'F', 0x02, 0x01, 0x01, 0x00] },
        { "zip archive", [(byte)'P', (byte)'K', 0x03, 0x04, 0x14, 0x00, 0x00, 0x00] },
        { "gzip", [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00] },
        { "utf-16 text", Encoding.Unicode.GetBytes("\uFEFFhello") },
        { "binary junk", [0x00, 0x01, 0x02, 0x03, 0xFE, 0xFD] },
        { "gif/js polyglot", SampleFiles.GifJavaScriptPolyglot() },
        { "valid gif with script in a comment", SampleFiles.Gif(Encoding.ASCII.GetBytes("*/=alert(document.domain)//")) },
        { "png with html appended", [.. SampleFiles.Png(), .. Encoding.ASCII.GetBytes("<html><script>alert(1)</script>")] },
        { "png with zip appended", [.. SampleFiles.Png(), (byte)'P', (byte)'K', 0x03, 0x04] },
        { "jpeg with html after end marker", [.. SampleFiles.Jpeg(), .. Encoding.ASCII.GetBytes("<html>")] },
        { "truncated jpeg", SampleFiles.Jpeg()[..^2] },
        { "webp with data appended", [.. SampleFiles.WebP(), 0x41, 0x42] },
        { "pdf with javascript", SampleFiles.Pdf("1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj") },
        { "pdf with html after eof", [.. SampleFiles.Pdf(), .. Encoding.ASCII.GetBytes("<html><script>alert(1)</script></html>")] },
        { "pixel flood png", SampleFiles.Png(100_000, 100_000) },
        { "empty", [] },
    };

    [Theory, MemberData(nameof(RefusedContent))]
    public async Task RefusedContent_SaysWhy(string label, byte[] bytes)
    {
        var verdict = await InspectAsync(bytes);

        verdict.Kind.ShouldBeNull(label);
        verdict.Problem.ShouldNotBeNullOrWhiteSpace();
    }

    [Theory]
    [InlineData("abandon ability able about above absent absorb abstract absurd abuse access accident")]
    [InlineData("1. witch 2. collapse 3. practice 4. feed 5. shame 6. open 7. despair 8. creek 9. road 10. again 11. ice 12. least")]
    [InlineData("witch\ncollapse\npractice\nfeed\nshame\nopen\ndespair\ncreek\nroad\nagain\nice\nleast\n")]
    public void SeedPhrase_IsRecognised(string text) => SensitiveText.LooksLikeSeedPhrase(text).ShouldBeTrue();

    [Theory]
    [InlineData("I tried to send money to my sister but it did not arrive and the app shows pending since Monday.")]
    [InlineData("Hi, the shop page listed these words: please help refund payment failed twice today order merchant coffee shop downtown store. I tried to pay several times and each time the app showed an error after I pressed the button, so I gave up in the end.")]
    [InlineData("date,amount,reference\n2026-11-20,12.50,TX-8F3K2Q\n")]
    public void Prose_IsNotASeedPhrase(string text) => SensitiveText.LooksLikeSeedPhrase(text).ShouldBeFalse();

    private static async Task<ContentVerdict> InspectAsync(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), "walletdesk-tests", "content-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            return await AttachmentContent.InspectAsync(path, CancellationToken.None);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
