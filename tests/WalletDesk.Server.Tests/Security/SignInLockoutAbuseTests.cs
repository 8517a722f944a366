using System.Net;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Security;

/// <summary>Issue 15, item 6: wrong passwords from anywhere cannot lock the account holder out, and guessing stays at least as slow as before.</summary>
public sealed class SignInLockoutAbuseTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    private static Task<HttpResponseMessage> TryAsync(HttpClient client, TestStaff staff, string password) =>
        client.SubmitFormAsync("/console/sign-in", "sign-in", new() { ["Input.UserName"] = staff.UserName, ["Input.Password"] = password });

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task OutsiderHammersTheAdmin_TheAdminsKnownBrowserStillSignsIn(string provider)
    {
        var app = await fixture.For(provider);
        var admin = await app.CreateStaffAsync(StaffRoles.Admin, withTotp: true);
        var adminBrowser = await app.SignInAsync(admin);
        var attacker = app.CreateBrowserClient();

        for (var i = 0; i < 25; i++)
        {
            app.Clock.Advance(TimeSpan.FromSeconds(20));
            await TryAsync(attacker, admin, "guess-" + i);
        }

        (await (await TryAsync(app.CreateBrowserClient(), admin, admin.Password)).ShouldReturnAsync(HttpStatusCode.OK))
            .ShouldContain(StaffAuthService.LockedMessage, Case.Sensitive, "an unknown browser waits, even with the right password");

        // The admin's browser signed in before: it keeps its own budget and signs in at once.
        var signIn = await TryAsync(adminBrowser, admin, admin.Password);
        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect, await signIn.Content.ReadAsStringAsync());
        signIn.LocationPath().ShouldStartWith("/console/sign-in/two-factor");
        var code = await adminBrowser.SubmitFormAsync(signIn.LocationPath(), "two-factor", new() { ["Input.Code"] = app.CurrentTotp(admin) });
        code.StatusCode.ShouldBe(HttpStatusCode.Redirect, await code.Content.ReadAsStringAsync());
        code.LocationPath().ShouldStartWith("/console");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UnknownClients_GuessingForAnHour_GetNoMoreTriesThanTheOldLockoutAllowed(string provider)
    {
        var app = await fixture.For(provider);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var checkedPasswords = 0;

        // One guess every 30 s for an hour, each from a fresh browser (no cookies), as a botnet would.
        for (var i = 0; i < 120; i++)
        {
            var body = await (await TryAsync(app.CreateBrowserClient(), agent, "guess-" + i)).ShouldReturnAsync(HttpStatusCode.OK);
            if (!body.Contains(StaffAuthService.LockedMessage, StringComparison.Ordinal))
            {
                checkedPasswords++;
            }

            app.Clock.Advance(TimeSpan.FromSeconds(30));
        }

        // The old rule: 5 tries, then 15 minutes locked = 20 an hour.
        checkedPasswords.ShouldBeLessThanOrEqualTo(20);
        checkedPasswords.ShouldBeGreaterThanOrEqualTo(5, "the first few tries are never slowed");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RepeatedFailures_TellTheAccountHolder_ByEmailAndOnTheAuditTrail(string provider)
    {
        var app = await fixture.For(provider);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent, withTotp: true);
        var attacker = app.CreateBrowserClient();
        for (var i = 0; i < 5; i++)
        {
            await TryAsync(attacker, agent, "guess-" + i);
            app.Clock.Advance(TimeSpan.FromSeconds(20));
        }

        var mail = await app.WithDbAsync(db => db.EmailOutbox.Where(m => m.Kind == "staff_sign_in_failures" && m.Reference == agent.Id.ToString()).ToListAsync());
        mail.ShouldHaveSingleItem().ToAddress.ShouldBe($"{agent.UserName}@example.test");
        (await AuditActionsAsync(app, agent)).ShouldContain("staff.sign-in.slowed");

        app.Clock.Advance(TimeSpan.FromMinutes(20));
        await app.SignInAsync(agent);

        (await AuditActionsAsync(app, agent)).ShouldContain("staff.sign-in.failures-reported");
        (await app.WithDbAsync(db => db.StaffUsers.SingleAsync(u => u.Id == agent.Id))).FailedSignInCount.ShouldBe(0);
    }

    private static Task<List<string>> AuditActionsAsync(WalletDeskFactory app, TestStaff staff) =>
        app.WithDbAsync(db => db.AuditEntries.Where(e => e.ObjectId == staff.Id.ToString()).Select(e => e.Action).ToListAsync());
}
