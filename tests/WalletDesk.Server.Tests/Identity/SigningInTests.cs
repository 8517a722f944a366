using System.Net;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Identity;

public sealed class SigningInTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SignIn_AgentWithPassword_ReachesConsole(string provider)
    {
        var app = await fixture.For(provider);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);

        var client = await app.SignInAsync(agent);

        var body = await (await client.GetAsync("/console")).ShouldReturnAsync(HttpStatusCode.OK);
        body.ShouldContain($"Welcome, {agent.UserName}");
        var audit = await app.WithDbAsync(db => db.AuditEntries.Where(e => e.ActorId == agent.Id.ToString() && e.Action == "staff.sign-in").ToListAsync());
        audit.ShouldHaveSingleItem().Outcome.ShouldBe("success");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SignIn_WrongPassword_RefusedWithClearMessageAndAudited(string provider)
    {
        var app = await fixture.For(provider);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var client = app.CreateBrowserClient();

        var response = await client.SubmitFormAsync("/console/sign-in", "sign-in", new() { ["Input.UserName"] = agent.UserName, ["Input.Password"] = "wrong-password-123" });

        var body = await response.ShouldReturnAsync(HttpStatusCode.OK);
        body.ShouldContain(StaffAuthService.GenericFailure);
        (response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : []).ShouldNotContain(c => c.StartsWith("wd.console", StringComparison.Ordinal));
        var failures = await app.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.ActorId == agent.Id.ToString() && e.Outcome == "failure"));
        failures.ShouldBe(1);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SignIn_UnknownUser_SameAnswerAsWrongPassword(string provider)
    {
        var app = await fixture.For(provider);
        var client = app.CreateBrowserClient();

        var response = await client.SubmitFormAsync("/console/sign-in", "sign-in", new() { ["Input.UserName"] = "nobody-" + Guid.NewGuid().ToString("N")[..8], ["Input.Password"] = "whatever-password" });

        (await response.ShouldReturnAsync(HttpStatusCode.OK)).ShouldContain(StaffAuthService.GenericFailure);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SignIn_RepeatedFailures_SlowDownThatClientEvenForRightPassword_ThenLetItInAfterThePause(string provider)
    {
        var app = await fixture.For(provider);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var client = app.CreateBrowserClient();
        for (var i = 0; i < 5; i++)
        {
            await client.SubmitFormAsync("/console/sign-in", "sign-in", new() { ["Input.UserName"] = agent.UserName, ["Input.Password"] = "wrong-" + i });
        }

        var locked = await client.SubmitFormAsync("/console/sign-in", "sign-in", new() { ["Input.UserName"] = agent.UserName, ["Input.Password"] = agent.Password });
        (await locked.ShouldReturnAsync(HttpStatusCode.OK)).ShouldContain(StaffAuthService.LockedMessage);

        app.Clock.Advance(TimeSpan.FromMinutes(16));
        var afterwards = await client.SubmitFormAsync("/console/sign-in", "sign-in", new() { ["Input.UserName"] = agent.UserName, ["Input.Password"] = agent.Password });
        afterwards.StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SignIn_WithTotp_RequiresCode_AndRefusesReplayedCode(string provider)
    {
        var app = await fixture.For(provider);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent, withTotp: true);
        var client = app.CreateBrowserClient();

        var step1 = await client.SubmitFormAsync("/console/sign-in", "sign-in", new() { ["Input.UserName"] = agent.UserName, ["Input.Password"] = agent.Password });
        step1.LocationPath().ShouldStartWith("/console/sign-in/two-factor");
        (await client.GetAsync("/console")).StatusCode.ShouldBe(HttpStatusCode.Redirect, "the password alone must not open the console");

        var code = app.CurrentTotp(agent);
        var step2 = await client.SubmitFormAsync(step1.LocationPath(), "two-factor", new() { ["Input.Code"] = code });
        step2.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.GetAsync("/console")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The same code again, within the same 30-second window, from a fresh browser.
        var other = app.CreateBrowserClient();
        var again = await other.SubmitFormAsync("/console/sign-in", "sign-in", new() { ["Input.UserName"] = agent.UserName, ["Input.Password"] = agent.Password });
        var replay = await other.SubmitFormAsync(again.LocationPath(), "two-factor", new() { ["Input.Code"] = code });
        (await replay.ShouldReturnAsync(HttpStatusCode.OK)).ShouldContain(StaffAuthService.BadCodeMessage);
        (await other.GetAsync("/console")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SignIn_TotpOneStepOff_Accepted_TwoStepsOff_Refused(string provider)
    {
        var app = await fixture.For(provider);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent, withTotp: true);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var now = Totp.StepAt(app.Clock.GetUtcNow());

        await using var scope = app.Scope();
        var auth = scope.ServiceProvider.GetRequiredService<StaffAuthService>();
        (await auth.VerifySecondFactorAsync(agent.Id, Totp.Compute(agent.TotpSecret!, now - 2), null)).Status.ShouldBe(SignInStatus.Failed);
        (await auth.VerifySecondFactorAsync(agent.Id, Totp.Compute(agent.TotpSecret!, now + 2), null)).Status.ShouldBe(SignInStatus.Failed);
        (await auth.VerifySecondFactorAsync(agent.Id, Totp.Compute(agent.TotpSecret!, now - 1), null)).Status.ShouldBe(SignInStatus.Succeeded);
        // An older step after a newer one was used is a replay too.
        (await auth.VerifySecondFactorAsync(agent.Id, Totp.Compute(agent.TotpSecret!, now + 1), null)).Status.ShouldBe(SignInStatus.Succeeded);
        (await auth.VerifySecondFactorAsync(agent.Id, Totp.Compute(agent.TotpSecret!, now), null)).Status.ShouldBe(SignInStatus.Failed);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RecoveryCode_WorksOnce(string provider)
    {
        var app = await fixture.For(provider);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent, withTotp: true);
        agent.RecoveryCodes.Count.ShouldBe(10);
        var stored = await app.WithDbAsync(db => db.RecoveryCodes.Where(r => r.UserId == agent.Id).Select(r => r.CodeHash).ToListAsync());
        stored.ShouldNotContain(agent.RecoveryCodes[0], "recovery codes are stored hashed");

        await using var scope = app.Scope();
        var auth = scope.ServiceProvider.GetRequiredService<StaffAuthService>();
        (await auth.VerifySecondFactorAsync(agent.Id, agent.RecoveryCodes[0].ToLowerInvariant(), null)).Status.ShouldBe(SignInStatus.Succeeded);
        (await auth.VerifySecondFactorAsync(agent.Id, agent.RecoveryCodes[0], null)).Status.ShouldBe(SignInStatus.Failed);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Admin_WithoutTwoFactor_IsSentToEnrolment_AndCanEnrolWithTheShownSecret(string provider)
    {
        var app = await fixture.For(provider);
        var admin = await app.CreateStaffAsync(StaffRoles.Admin);
        var client = app.CreateBrowserClient();

        var signIn = await client.SubmitFormAsync("/console/sign-in", "sign-in", new() { ["Input.UserName"] = admin.UserName, ["Input.Password"] = admin.Password });
        signIn.LocationPath().ShouldBe("/console/2fa/setup");
        var home = await client.GetAsync("/console/admin/audit");
        home.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        home.LocationPath().ShouldBe("/console/2fa/setup");
        (await client.GetAsync("/api/staff")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var setup = HttpHelpers.Html(await (await client.GetAsync("/console/2fa/setup")).ShouldReturnAsync(HttpStatusCode.OK));
        setup.QuerySelector("img.qr")!.GetAttribute("src")!.ShouldStartWith("data:image/png;base64,");
        var secret = Totp.FromBase32(setup.QuerySelector("[data-testid=totp-secret]")!.TextContent);

        var confirm = await client.SubmitFormAsync("/console/2fa/setup", "enrol", new() { ["Input.Code"] = Totp.Compute(secret, Totp.StepAt(app.Clock.GetUtcNow())) });
        var page = HttpHelpers.Html(await confirm.ShouldReturnAsync(HttpStatusCode.OK));
        page.QuerySelectorAll("[data-testid=recovery-codes] li").Length.ShouldBe(10);

        (await client.GetAsync("/console/admin/audit")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var user = await app.WithDbAsync(db => db.StaffUsers.SingleAsync(u => u.Id == admin.Id));
        user.TwoFactorEnabled.ShouldBeTrue();
        user.TotpSecretProtected.ShouldNotBeNull().ShouldNotContain(Totp.ToBase32(secret), Case.Insensitive);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SignOut_InvalidatesSessionServerSide_EvenIfCookieIsReplayed(string provider)
    {
        var app = await fixture.For(provider);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var jar = new CookieJar();
        var client = app.CreateDefaultClient(jar);
        await client.SubmitFormAsync("/console/sign-in", "sign-in", new() { ["Input.UserName"] = agent.UserName, ["Input.Password"] = agent.Password });
        var home = await client.GetAsync("/console");
        home.StatusCode.ShouldBe(HttpStatusCode.OK);
        var stolen = jar.Header;
        stolen.ShouldContain("wd.console=");

        var form = HttpHelpers.Html(await home.Content.ReadAsStringAsync()).QuerySelector("form.signout")!;
        var token = form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var signOut = await client.PostAsync("/console/sign-out", new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        signOut.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.GetAsync("/console")).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        // A copy of the old cookie no longer works: the session row is revoked.
        var replay = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        replay.DefaultRequestHeaders.Add("Cookie", stolen);
        (await replay.GetAsync("/console")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await replay.GetAsync("/api/api-tokens")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SignOut_WithoutAntiforgeryToken_IsRefused(string provider)
    {
        var app = await fixture.For(provider);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var client = await app.SignInAsync(agent);

        var signOut = await client.PostAsync("/console/sign-out", new FormUrlEncodedContent([]));

        signOut.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.GetAsync("/console")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TamperedCookie_IsRefused(string provider)
    {
        var app = await fixture.For(provider);
        var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("Cookie", "wd.console=CfDJ8tampered" + new string('A', 200));

        (await client.GetAsync("/console")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.GetAsync("/api/staff/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task DisablingStaff_EndsTheirSessions(string provider)
    {
        var app = await fixture.For(provider);
        var agent = await app.CreateStaffAsync(StaffRoles.Agent);
        var admin = await app.CreateStaffAsync(StaffRoles.Admin, withTotp: true);
        var agentClient = await app.SignInAsync(agent);
        var adminClient = await (await app.SignInAsync(admin)).WithCsrfAsync();

        (await adminClient.PostAsync($"/api/staff/{agent.Id}/disable", null)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await agentClient.GetAsync("/console")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }
}
