using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Attachments;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Attachments;

public sealed class UploadingAttachmentsTests(AttachmentsFixture fixture) : IClassFixture<AttachmentsFixture>
{
    public static TheoryData<string, string> AcceptedKinds => new()
    {
        { "png", "image/png" }, { "jpeg", "image/jpeg" }, { "gif", "image/gif" }, { "webp", "image/webp" }, { "pdf", "application/pdf" }, { "txt", "text/plain; charset=utf-8" },
    };

    private static byte[] Sample(string kind) => kind switch
    {
        "png" => SampleFiles.Png(),
        "jpeg" => SampleFiles.Jpeg(),
        "gif" => SampleFiles.Gif(),
        "webp" => SampleFiles.WebP(),
        "pdf" => SampleFiles.Pdf(),
        _ => SampleFiles.Text("Transfer TX-8F3K2Q, 20 Nov, 12.50 CNY\n"),
    };

    [Theory, MemberData(nameof(AcceptedKinds))]
    public async Task Customer_UploadsEachAcceptedKind_DownloadIsAnAttachmentWithSafeHeaders(string kind, string contentType)
    {
        foreach (var provider in TestPostgres.IsAvailable ? new[] { Providers.Sqlite, Providers.Postgres } : new[] { Providers.Sqlite })
        {
            var app = await fixture.For(provider);
            var customer = await app.CreateCustomerAsync();
            var ticketId = await customer.OpenTicketAsync();
            var bytes = Sample(kind);

            var created = await (await customer.Client.UploadAsync($"/api/me/tickets/{ticketId}/attachments", bytes, "Beleg für Überweisung." + kind))
                .ReadAsAsync<CustomerAttachmentResponse>(HttpStatusCode.Created);

            created.ContentType.ShouldBe(contentType);
            created.FromYou.ShouldBeTrue();
            var download = await customer.Client.GetAsync(created.DownloadUrl);
            await download.ShouldReturnAsync(HttpStatusCode.OK);
            (await download.Content.ReadAsByteArrayAsync()).ShouldBe(bytes);
            download.Content.Headers.ContentType!.ToString().ShouldBe(contentType);
            var disposition = download.Content.Headers.ContentDisposition.ShouldNotBeNull();
            disposition.DispositionType.ShouldBe("attachment");
            disposition.FileNameStar.ShouldBe("Beleg für Überweisung." + kind);
            disposition.FileName.ShouldNotBeNull().ShouldNotContain("ü");
            download.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
            download.Headers.GetValues("Content-Security-Policy").Single().ShouldStartWith("sandbox");
            download.Headers.CacheControl!.NoStore.ShouldBeTrue();

            var stored = await app.WithDbAsync(db => db.Attachments.SingleAsync(a => a.Id == created.Id));
            stored.Sha256.ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
            stored.StorageKey.ShouldNotContain("Beleg");
            var onDisk = Path.Combine(app.DataDir, "attachments", stored.StorageKey);
            File.Exists(onDisk).ShouldBeTrue();
            Path.GetFullPath(onDisk).ShouldStartWith(Path.Combine(app.DataDir, "attachments"));
        }
    }

    public static TheoryData<string, string, byte[], string?> Refused => new()
    {
        { "html by name", "page.html", SampleFiles.Text("<html><script>alert(1)</script></html>"), "text/html" },
        { "html renamed to txt", "page.txt", SampleFiles.Text("<html><script>alert(1)</script></html>"), "text/plain" },
        { "declared text/html", "notes.txt", SampleFiles.Text("just text"), "text/html" },
        { "svg by name", "logo.svg", SampleFiles.Text("<svg onload=alert(1)/>"), "image/svg+xml" },
        { "svg renamed to png", "logo.png", SampleFiles.Text("<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"), "image/png" },
        { "xml", "data.xml", SampleFiles.Text("<?xml version='1.0'?><a/>"), "application/xml" },
        { "polyglot gif/js", "cat.gif", SampleFiles.GifJavaScriptPolyglot(), "image/gif" },
        { "gif with script comment", "cat.gif", SampleFiles.Gif(Encoding.ASCII.GetBytes("*/=alert(1)//")), "image/gif" },
        { "png named jpg", "photo.jpg", SampleFiles.Png(), "image/jpeg" },
        { "executable", "setup.exe", [(byte)'M', (byte)'Z', 0x90, 0x00], "application/octet-stream" },
        { "executable named png", "setup.png", [(byte)'M', (byte)'Z', 0x90, 0x00], "image/png" },
        { "archive", "docs.zip", [(byte)'P', (byte)'K', 0x03, 0x04], "application/zip" },
        { "double extension", "invoice.pdf.exe", SampleFiles.Pdf(), "application/pdf" },
        { "inner dangerous extension", "photo.php.png", SampleFiles.Png(), "image/png" },
        { "rtl override", "photo\u202Egnp.exe", SampleFiles.Png(), "image/png" },
        { "trailing dot", "shell.aspx.", SampleFiles.Text("<%@ Page %>"), "text/plain" },
        { "ntfs stream", "shell.aspx::$DATA", SampleFiles.Text("x"), "text/plain" },
        { "web.config", "web.config", SampleFiles.Text("<configuration/>"), "text/plain" },
    };

    [Theory, MemberData(nameof(Refused))]
    public async Task RefusedUpload_Is415WithTheAcceptedTypes_AndLeavesNoFile(string label, string fileName, byte[] bytes, string? declared)
    {
        var app = await fixture.For(Providers.Sqlite);
        var customer = await app.CreateCustomerAsync();
        var ticketId = await customer.OpenTicketAsync();
        var before = app.StoredFiles().Count;

        var response = await customer.Client.UploadAsync($"/api/me/tickets/{ticketId}/attachments", bytes, fileName, declared);

        var body = await response.ShouldReturnAsync(HttpStatusCode.UnsupportedMediaType);
        body.ShouldContain("accepted", Case.Insensitive, label);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await app.WithDbAsync(db => db.Attachments.CountAsync(a => a.TicketId == ticketId))).ShouldBe(0, label);
        app.StoredFiles().Count.ShouldBe(before, label);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TooLargeFile_Is413StatingTheLimit_WithNothingLeftBehind(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreateCustomerAsync();
        var ticketId = await customer.OpenTicketAsync();
        var before = app.StoredFiles().Count;
        var big = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("transfer log line 0123456789\n", 4000))); // ~116 KB > 64 KiB

        foreach (var chunked in new[] { false, true })
        {
            var response = await customer.Client.UploadAsync($"/api/me/tickets/{ticketId}/attachments", big, "log.txt", "text/plain", chunked);

            var body = await response.ShouldReturnAsync(HttpStatusCode.RequestEntityTooLarge);
            body.ShouldContain("65,536");
            app.StoredFiles().Count.ShouldBe(before, $"chunked={chunked}");
        }

        // A body far over the endpoint's limit is refused from its declared length before anything is read.
        var huge = await customer.Client.UploadAsync($"/api/me/tickets/{ticketId}/attachments", new byte[600_000], "huge.txt", "text/plain");
        (await huge.ShouldReturnAsync(HttpStatusCode.RequestEntityTooLarge)).ShouldContain("at most");
        (await app.WithDbAsync(db => db.Attachments.CountAsync(a => a.TicketId == ticketId))).ShouldBe(0);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TicketQuota_StopsTheUploadThatWouldPassIt(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreateCustomerAsync();
        var ticketId = await customer.OpenTicketAsync();
        var file = Encoding.ASCII.GetBytes(new string('a', 60_000));

        (await customer.Client.UploadAsync($"/api/me/tickets/{ticketId}/attachments", file, "a.txt", "text/plain")).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await customer.Client.UploadAsync($"/api/me/tickets/{ticketId}/attachments", file, "b.txt", "text/plain")).StatusCode.ShouldBe(HttpStatusCode.Created);
        var third = await customer.Client.UploadAsync($"/api/me/tickets/{ticketId}/attachments", file, "c.txt", "text/plain");

        (await third.ShouldReturnAsync(HttpStatusCode.RequestEntityTooLarge)).ShouldContain("per ticket");
        (await app.WithDbAsync(db => db.Attachments.CountAsync(a => a.TicketId == ticketId))).ShouldBe(2);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TextWithCardNumberOrSeedPhrase_IsRefused_AndNotStored(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreateCustomerAsync();
        var ticketId = await customer.OpenTicketAsync();
        var before = app.StoredFiles().Count;

        var card = await customer.Client.UploadAsync($"/api/me/tickets/{ticketId}/attachments", SampleFiles.Text("my card is 4111 1111 1111 1111 exp 12/29\n"), "card.txt", "text/plain");
        (await card.ShouldReturnAsync(HttpStatusCode.UnprocessableEntity)).ShouldContain("card number");

        var seed = await customer.Client.UploadAsync($"/api/me/tickets/{ticketId}/attachments",
            SampleFiles.Text("my wallet backup\n1. witch\n2. collapse\n3. practice\n4. feed\n5. shame\n6. open\n7. despair\n8. creek\n9. road\n10. again\n11. ice\n12. least\n"), "backup.txt", "text/plain");
        (await seed.ShouldReturnAsync(HttpStatusCode.UnprocessableEntity)).ShouldContain("recovery phrase");

        (await app.WithDbAsync(db => db.Attachments.CountAsync(a => a.TicketId == ticketId))).ShouldBe(0);
        app.StoredFiles().Count.ShouldBe(before);
        foreach (var file in app.StoredFiles())
        {
            (await File.ReadAllTextAsync(file)).ShouldNotContain("4111 1111 1111 1111");
        }
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task CardNumberInFileName_IsRedacted_InTheRowAndTheDownloadHeader(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreateCustomerAsync();
        var ticketId = await customer.OpenTicketAsync();

        var created = await (await customer.Client.UploadAsync($"/api/me/tickets/{ticketId}/attachments", SampleFiles.Png(), "card 4111-1111-1111-1111 front.png", "image/png"))
            .ReadAsAsync<CustomerAttachmentResponse>(HttpStatusCode.Created);

        created.FileName.ShouldContain("411111******1111");
        var stored = await app.WithDbAsync(db => db.Attachments.SingleAsync(a => a.Id == created.Id));
        stored.FileName.Replace("-", "", StringComparison.Ordinal).ShouldNotContain("4111111111111111");
        stored.Redactions.ShouldContain("pan");
        var download = await customer.Client.GetAsync(created.DownloadUrl);
        download.Content.Headers.ContentDisposition!.ToString().Replace("-", "", StringComparison.Ordinal).ShouldNotContain("4111111111111111");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherCustomer_GetsNotFound_ForEveryRouteOfSomeoneElsesTicket(string provider)
    {
        var app = await fixture.For(provider);
        var alice = await app.CreateCustomerAsync();
        var mallory = await app.CreateCustomerAsync();
        var ticketId = await alice.OpenTicketAsync();
        var created = await (await alice.Client.UploadAsync($"/api/me/tickets/{ticketId}/attachments", SampleFiles.Png(), "statement.png", "image/png"))
            .ReadAsAsync<CustomerAttachmentResponse>(HttpStatusCode.Created);

        var download = await mallory.Client.GetAsync($"/api/attachments/{created.Id}");
        var unknown = await mallory.Client.GetAsync($"/api/attachments/{Guid.NewGuid()}");
        var foreignBody = WithoutTraceId(await download.ShouldReturnAsync(HttpStatusCode.NotFound));
        foreignBody.ShouldBe(WithoutTraceId(await unknown.ShouldReturnAsync(HttpStatusCode.NotFound)), "indistinguishable from a missing id");
        (await mallory.Client.GetAsync($"/api/me/tickets/{ticketId}/attachments")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var upload = await mallory.Client.UploadAsync($"/api/me/tickets/{ticketId}/attachments", SampleFiles.Png(), "x.png", "image/png");
        upload.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.WithDbAsync(db => db.Attachments.CountAsync(a => a.TicketId == ticketId))).ShouldBe(1);

        var anonymous = app.CreateBrowserClient();
        (await anonymous.GetAsync($"/api/attachments/{created.Id}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.UploadAsync($"/api/me/tickets/{ticketId}/attachments", SampleFiles.Png(), "x.png", "image/png")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Agent_UploadsInternalFile_CustomerNeitherSeesNorDownloadsIt_StaffDownloadIsAudited(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreateCustomerAsync();
        var ticketId = await customer.OpenTicketAsync();
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var console = await (await app.SignInAsync(agent)).WithCsrfAsync();

        var note = await (await console.UploadAsync($"/api/tickets/{ticketId}/attachments?internal=true", SampleFiles.Pdf(), "risk-review.pdf", "application/pdf"))
            .ReadAsAsync<AttachmentResponse>(HttpStatusCode.Created);
        var shared = await (await console.UploadAsync($"/api/tickets/{ticketId}/attachments", SampleFiles.Png(), "how-to.png", "image/png"))
            .ReadAsAsync<AttachmentResponse>(HttpStatusCode.Created);

        note.Visibility.ShouldBe("internal");
        note.Scan.ShouldBe(AttachmentScans.NotScanned);
        var mine = await (await customer.Client.GetAsync($"/api/me/tickets/{ticketId}/attachments")).ReadAsAsync<List<CustomerAttachmentResponse>>();
        mine.Select(a => a.Id).ShouldBe([shared.Id]);
        (await customer.Client.GetAsync($"/api/attachments/{note.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await customer.Client.GetAsync($"/api/attachments/{shared.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var staffList = await (await console.GetAsync($"/api/tickets/{ticketId}/attachments")).ReadAsAsync<List<AttachmentResponse>>();
        staffList.Count.ShouldBe(2);
        (await console.GetAsync($"/api/attachments/{note.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.Action == "attachment.download" && e.ObjectId == note.Id.ToString()))).ShouldBe(1);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AttachingToAMessage_OfAnotherTicket_IsNotFound(string provider)
    {
        var app = await fixture.For(provider);
        var customer = await app.CreateCustomerAsync();
        var first = await customer.OpenTicketAsync();
        var second = await customer.OpenTicketAsync();
        var messageOfFirst = await app.WithDbAsync(db => db.TicketMessages.Where(m => m.TicketId == first).Select(m => m.Id).FirstAsync());

        var wrong = await customer.Client.UploadAsync($"/api/me/tickets/{second}/attachments?messageId={messageOfFirst}", SampleFiles.Png(), "x.png", "image/png");
        var right = await customer.Client.UploadAsync($"/api/me/tickets/{first}/attachments?messageId={messageOfFirst}", SampleFiles.Png(), "x.png", "image/png");

        wrong.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await right.ReadAsAsync<CustomerAttachmentResponse>(HttpStatusCode.Created)).MessageId.ShouldBe(messageOfFirst);
    }

    [Fact]
    public async Task TraversalName_IsStoredUnderAServerName_InsideTheStore()
    {
        var app = await fixture.For(Providers.Sqlite);
        var customer = await app.CreateCustomerAsync();
        var ticketId = await customer.OpenTicketAsync();

        var created = await (await customer.Client.UploadAsync($"/api/me/tickets/{ticketId}/attachments", SampleFiles.Text("hello"), "../../../../tmp/evil.txt", "text/plain"))
            .ReadAsAsync<CustomerAttachmentResponse>(HttpStatusCode.Created);

        created.FileName.ShouldBe("evil.txt");
        var stored = await app.WithDbAsync(db => db.Attachments.SingleAsync(a => a.Id == created.Id));
        stored.StorageKey.ShouldMatch("^[0-9a-f]{2}/[0-9a-f]{32}$");
        File.Exists(Path.Combine(app.DataDir, "attachments", stored.StorageKey)).ShouldBeTrue();
        (await customer.Client.GetAsync("/api/attachments/..%2F..%2Fwalletdesk.db")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private static string WithoutTraceId(string body) => System.Text.RegularExpressions.Regex.Replace(body, "\"traceId\":\"[^\"]*\"", "");
}
