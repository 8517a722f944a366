using System.Net;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Audit;

public sealed class AuditChainTests
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Verify_IntactChain_Passes(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var audit = app.Services.GetRequiredService<AuditService>();
        for (var i = 0; i < 20; i++)
        {
            await audit.AppendAsync(new AuditEvent("test.event", AuditOutcomes.Success, "system", Details: $"n={i}"));
        }

        var result = await audit.VerifyAsync();

        result.IsIntact.ShouldBeTrue(result.Problem);
        result.EntriesChecked.ShouldBe(20);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Verify_EditedEntry_IsNamed(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var audit = await SeedAsync(app, 10);

        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("UPDATE audit_entries SET \"Details\" = 'n=999' WHERE \"Id\" = 4"));

        var result = await audit.VerifyAsync();
        result.IsIntact.ShouldBeFalse();
        result.FirstBadEntryId.ShouldBe(4);
        result.Problem!.ShouldContain("altered");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Verify_EditedEntryWithRecomputedHash_BreaksTheNextLink(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var audit = await SeedAsync(app, 10);
        var entry = await app.WithDbAsync(db => db.AuditEntries.AsNoTracking().SingleAsync(e => e.Id == 6));
        entry.Outcome = "failure";
        var forged = AuditService.ComputeHash(entry);

        await app.WithDbAsync(db => db.Database.ExecuteSqlAsync($"UPDATE audit_entries SET \"Outcome\" = 'failure', \"Hash\" = {forged} WHERE \"Id\" = 6"));

        var result = await audit.VerifyAsync();
        result.FirstBadEntryId.ShouldBe(7);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Verify_DeletedEntry_IsNamed(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var audit = await SeedAsync(app, 10);

        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("DELETE FROM audit_entries WHERE \"Id\" = 5"));

        var result = await audit.VerifyAsync();
        result.IsIntact.ShouldBeFalse();
        result.FirstBadEntryId.ShouldBe(5);
        result.Problem!.ShouldContain("missing");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Verify_NewestEntriesDeleted_IsDetectedThroughTheHead(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var audit = await SeedAsync(app, 10);

        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("DELETE FROM audit_entries WHERE \"Id\" >= 9"));

        var result = await audit.VerifyAsync();
        result.IsIntact.ShouldBeFalse();
        result.FirstBadEntryId.ShouldBe(9);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ConcurrentAppends_FormOneUnbrokenChain(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider);
        var audit = app.Services.GetRequiredService<AuditService>();

        await Parallel.ForAsync(0, 60, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await audit.AppendAsync(new AuditEvent("test.parallel", AuditOutcomes.Success, "system", Details: $"n={i}"), ct));

        var result = await audit.VerifyAsync();
        result.IsIntact.ShouldBeTrue(result.Problem);
        result.EntriesChecked.ShouldBe(60);
    }

    [Fact]
    public async Task AuditApi_HasNoWriteRoutes_AndReadsAreThemselvesAudited()
    {
        await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite);
        var admin = await app.CreateStaffAsync(StaffRoles.Admin, withTotp: true);
        var client = await (await app.SignInAsync(admin)).WithCsrfAsync();

        (await client.GetAsync("/api/audit?action=staff.sign-in")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.DeleteAsync("/api/audit/1")).StatusCode.ShouldBeOneOf(HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed);
        (await client.PutAsync("/api/audit/1", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))).StatusCode.ShouldBeOneOf(HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed);

        var reads = await app.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.Action == "audit.read" && e.ActorId == admin.Id.ToString()));
        reads.ShouldBe(1);
        var verify = await (await client.PostAsync("/api/audit/verify", null)).ReadAsAsync<AuditVerificationResponse>();
        verify.IsIntact.ShouldBeTrue();
    }

    [Fact]
    public async Task AdminPage_ListsAndVerifies()
    {
        await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite);
        var admin = await app.CreateStaffAsync(StaffRoles.Admin, withTotp: true);
        var client = await app.SignInAsync(admin);

        var page = await (await client.GetAsync("/console/admin/audit?action=staff.sign-in")).ShouldReturnAsync(HttpStatusCode.OK);
        page.ShouldContain(admin.UserName);

        var verified = await client.SubmitFormAsync("/console/admin/audit", "verify-audit", []);
        HttpHelpers.Html(await verified.ShouldReturnAsync(HttpStatusCode.OK)).QuerySelector("[data-testid=verify-result]")!.TextContent.ShouldStartWith("Intact");
    }

    private static async Task<AuditService> SeedAsync(WalletDeskFactory app, int count)
    {
        var audit = app.Services.GetRequiredService<AuditService>();
        for (var i = 1; i <= count; i++)
        {
            await audit.AppendAsync(new AuditEvent("test.event", AuditOutcomes.Success, "system", Details: $"n={i}"));
        }

        return audit;
    }
}
