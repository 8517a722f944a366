using System.Net;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Attachments;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Attachments;

/// <summary>The crash window "file moved into the store, row not yet written" leaves an orphan; the reconciler removes it once it is old enough.</summary>
public sealed class ReconcilingOrphanFilesTests(AttachmentsFixture fixture) : IClassFixture<AttachmentsFixture>
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Reconciler_DeletesOldOrphansAndAbandonedUploads_KeepsReferencedAndYoungFiles(string provider)
    {
        var app = await fixture.For(provider);
        var store = app.Services.GetRequiredService<AttachmentStore>();
        var reconciler = app.Services.GetRequiredService<AttachmentReconciler>();
        var customer = await app.CreateCustomerAsync();
        var ticketId = await customer.OpenTicketAsync();
        var kept = await (await customer.Client.UploadAsync($"/api/me/tickets/{ticketId}/attachments", SampleFiles.Png(), "kept.png", "image/png"))
            .ReadAsAsync<CustomerAttachmentResponse>(HttpStatusCode.Created);
        var keptKey = await app.WithDbAsync(db => db.Attachments.Where(a => a.Id == kept.Id).Select(a => a.StorageKey).SingleAsync());

        // A crash after the move and before the insert: a committed file no row names.
        var oldOrphan = store.Commit(await StageAsync(store, "crashed upload"));
        var oldTemp = await StageAsync(store, "half-written upload");
        app.Clock.Advance(TimeSpan.FromMinutes(61));
        var youngOrphan = store.Commit(await StageAsync(store, "upload in flight"));

        var result = await reconciler.ReconcileAsync();

        File.Exists(store.PathOf(oldOrphan)).ShouldBeFalse();
        File.Exists(oldTemp.TempPath).ShouldBeFalse();
        File.Exists(store.PathOf(youngOrphan)).ShouldBeTrue("younger than an hour: may still get its row");
        File.Exists(store.PathOf(keptKey)).ShouldBeTrue("an attachment row points to it");
        result.OrphansDeleted.ShouldBeGreaterThanOrEqualTo(1);
        result.TempFilesDeleted.ShouldBeGreaterThanOrEqualTo(1);
        (await app.CustomerAgain(customer).Client.GetAsync(kept.DownloadUrl)).StatusCode.ShouldBe(HttpStatusCode.OK);

        app.Clock.Advance(TimeSpan.FromMinutes(61));
        await reconciler.ReconcileAsync();
        File.Exists(store.PathOf(youngOrphan)).ShouldBeFalse();
        File.Exists(store.PathOf(keptKey)).ShouldBeTrue();
    }

    [Fact]
    public async Task Reconciler_RunsAsAHostedService()
    {
        var app = await fixture.For(Providers.Sqlite);

        app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<AttachmentReconciler>().ShouldHaveSingleItem();
    }

    private static async Task<StagedFile> StageAsync(AttachmentStore store, string text)
    {
        using var source = new MemoryStream(SampleFiles.Text(text));
        return (await store.StageAsync(source, 1024, CancellationToken.None)).ShouldNotBeNull();
    }
}
