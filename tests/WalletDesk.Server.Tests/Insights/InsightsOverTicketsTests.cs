using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Insights;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace WalletDesk.Server.Tests.Insights;

/// <summary>The insight rollups over real tickets on both databases: counts, heatmaps in a time zone, spikes, staffing, exports.</summary>
public sealed class InsightsOverTicketsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    // The job refreshes once at start; the tests drive the rollup themselves so nothing races them.
    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?> { ["Insights:RollupInterval"] = "01:00:00", ["Insights:DefaultTimeZone"] = "Asia/Shanghai" };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Rollup_AsTicketsArrive_MatchesADirectCount_HeatmapUsesTheViewersZone_AndRebuildVerifies(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider, Settings());
        var customer = await app.CreateCustomerAsync();
        var t0 = app.Clock.GetUtcNow(); // Monday 23 November 2026, 09:00 UTC

        await OpenAsync(app, customer.Id, 3, "topup_failed", TicketChannels.Chat);
        app.Clock.Advance(TimeSpan.FromHours(1));
        await OpenAsync(app, customer.Id, 2, "refund", TicketChannels.InApp);
        app.Clock.Advance(TimeSpan.FromHours(25));
        await OpenAsync(app, customer.Id, 1, "refund", TicketChannels.Email);
        await RefreshAsync(app);

        var start = ArrivalRollup.HourOf(t0);
        await using (var scope = app.Scope())
        {
            var insights = scope.ServiceProvider.GetRequiredService<InsightsQueries>();
            var series = await insights.HourlySeriesAsync(start, start.AddDays(2), null, null, default);
            series[0].ShouldBe(3);
            series[1].ShouldBe(2);
            series[26].ShouldBe(1);
            series.Sum().ShouldBe(6);
            (await insights.HourlySeriesAsync(start, start.AddDays(2), TicketChannels.Chat, null, default)).Sum().ShouldBe(3);
            (await insights.HourlySeriesAsync(start, start.AddDays(2), null, "refund", default)).Sum().ShouldBe(3);

            // 09:00 UTC on Monday is 17:00 in Shanghai; Tuesday 11:00 UTC is 19:00 there.
            var shanghai = await insights.HeatmapAsync(start, start.AddDays(2), null, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"), default);
            shanghai.Counts[0][17].ShouldBe(3);
            shanghai.Counts[0][18].ShouldBe(2);
            shanghai.Counts[1][19].ShouldBe(1);
            shanghai.Total.ShouldBe(6);
        }

        var supervisor = await app.SignInAsync(await app.CreateStaffAsync(StaffRoles.Supervisor, withTotp: true));
        var from = Uri.EscapeDataString(start.ToString("o"));
        var london = await (await supervisor.GetAsync($"/api/insights/heatmap?from={from}&tz=Europe/London")).ReadAsAsync<HeatmapResponse>();
        london.TimeZone.ShouldBe("Europe/London");
        london.Rows[0].Counts[9].ShouldBe(3); // London is on UTC in November
        var chat = await (await supervisor.GetAsync($"/api/insights/arrivals?from={from}&channel=chat")).ReadAsAsync<List<ArrivalHourResponse>>();
        chat.Sum(h => h.Count).ShouldBe(3);

        var csv = await supervisor.GetAsync($"/api/insights/arrivals?from={from}&format=csv");
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("hour_start,count");
        lines[1].ShouldBe($"{start:yyyy-MM-ddTHH:mm:ssZ},3");

        await using (var scope = app.Scope())
        {
            var rollup = scope.ServiceProvider.GetRequiredService<ArrivalRollup>();
            var rebuilt = await rollup.RebuildAsync(default);
            rebuilt.Tickets.ShouldBe(6);
            rebuilt.Mismatches.ShouldBeEmpty();

            // The verification is a real check: a rollup row gone missing is found.
            await app.WithDbAsync(db => db.InsightHourlyArrivals.Where(a => a.Channel == TicketChannels.Email).ExecuteDeleteAsync());
            var mismatches = await rollup.VerifyAsync(start, app.Clock.GetUtcNow(), default);
            mismatches.ShouldHaveSingleItem().ShouldContain("email: tickets 1, rollup 0");
            await app.WithDbAsync(db => db.InsightHourlyChannelArrivals.Where(a => a.Channel == TicketChannels.Chat).ExecuteDeleteAsync());
            (await rollup.VerifyAsync(start, app.Clock.GetUtcNow(), default)).ShouldContain(m => m.Contains("chat: tickets 3, channel rollup 0"));
        }
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Spike_InTheLastHour_RaisesOneAlert_WithItsTickets_EmailsSupervisors_AndDrillsDown(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider, Settings(("Insights:AlertEmails:0", "supervisors@walletdesk.test")));
        var customer = await app.CreateCustomerAsync();
        for (var week = 0; week < 8; week++)
        {
            await OpenAsync(app, customer.Id, 2, "topup_failed", TicketChannels.InApp);
            await OpenAsync(app, customer.Id, 1, "refund", TicketChannels.InApp);
            app.Clock.Advance(Week);
        }

        var spikeHour = ArrivalRollup.HourOf(app.Clock.GetUtcNow());
        var burst = await OpenAsync(app, customer.Id, 12, "topup_failed", TicketChannels.InApp);
        await OpenAsync(app, customer.Id, 1, "refund", TicketChannels.InApp);
        app.Clock.Advance(TimeSpan.FromHours(1));
        await RefreshAsync(app);

        IReadOnlyList<InsightAlert> raised;
        await using (var scope = app.Scope())
        {
            raised = await scope.ServiceProvider.GetRequiredService<SpikeAlerter>().RunAsync(default);
        }

        var alert = raised.Single(a => a.Dimension == "category");
        alert.Key.ShouldBe("topup_failed");
        alert.HourStart.ShouldBe(spikeHour);
        alert.Observed.ShouldBe(12);
        alert.Expected.ShouldBe(2);
        alert.TicketIds.Split(' ').Select(long.Parse).Order().ShouldBe(burst.Order());
        raised.ShouldNotContain(a => a.Key == "refund");

        // A second pass (or a second process) raises nothing new.
        await using (var scope = app.Scope())
        {
            (await scope.ServiceProvider.GetRequiredService<SpikeAlerter>().RunAsync(default)).ShouldBeEmpty();
        }

        var mail = await app.WithDbAsync(db => db.EmailOutbox.AsNoTracking().Where(m => m.Kind == "insight_spike").ToListAsync());
        mail.Count.ShouldBe(raised.Count);
        mail.ShouldContain(m => m.ToAddress == "supervisors@walletdesk.test" && m.Subject.Contains("topup_failed"));

        var supervisor = await app.SignInAsync(await app.CreateStaffAsync(StaffRoles.Supervisor, withTotp: true));
        var listed = await (await supervisor.GetAsync("/api/insights/alerts")).ReadAsAsync<List<AlertResponse>>();
        listed.ShouldContain(a => a.Key == "topup_failed" && a.TicketIds.Count == 12);

        var page = HttpHelpers.Html(await (await supervisor.GetAsync("/console/insights?tz=UTC")).ShouldReturnAsync(HttpStatusCode.OK));
        var drill = page.QuerySelector("[data-testid=alerts] a[href*='key=topup_failed']")!.GetAttribute("href")!;
        var tickets = HttpHelpers.Html(await (await supervisor.GetAsync(drill)).ShouldReturnAsync(HttpStatusCode.OK));
        tickets.QuerySelectorAll("[data-testid=drill-tickets] a").Select(a => a.GetAttribute("href")).ShouldBe(burst.OrderDescending().Select(id => $"/console/tickets/{id}"));

        var agent = await app.SignInAsync(await app.CreateStaffAsync(StaffRoles.Agent));
        (await agent.GetAsync("/api/insights/alerts")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agent.GetAsync("/console/insights")).LocationPath().Split("?")[0].ShouldBe("/console/denied");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Staffing_ForNextWeek_ComesFromTheForecast_AndBadFiguresAreProblemsNamingTheField(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider, Settings());
        var customer = await app.CreateCustomerAsync();
        for (var week = 0; week < 8; week++)
        {
            await OpenAsync(app, customer.Id, 40, "transfer_delayed", TicketChannels.Chat);
            app.Clock.Advance(Week);
        }

        app.Clock.Advance(TimeSpan.FromMinutes(-1)); // the forecast starts at this hour: the busy hour of each past week
        await RefreshAsync(app);
        var supervisor = await app.SignInAsync(await app.CreateStaffAsync(StaffRoles.Supervisor, withTotp: true));

        var plan = await (await supervisor.GetAsync("/api/insights/staffing?channel=chat&handleSeconds=600&concurrency=2&tz=UTC")).ReadAsAsync<List<StaffingHour>>();
        plan.Count.ShouldBe(168);
        plan[0].ExpectedArrivals.ShouldBe(40);
        // 40 chats of 10 minutes in an hour = 6.67 Erlangs; Erlang C for 80 % in 20 s needs 10 slots, 5 agents at 2 chats each, 8 with 30 % shrinkage.
        plan[0].Agents.ShouldBe(StaffingPlanner.Plan(new StaffingInterval(40, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10)), new StaffingTarget(0.8, TimeSpan.FromSeconds(20), 0.3, 1, 2)).Agents);
        plan[0].Agents.ShouldBe(5);
        plan[0].ScheduledAgents.ShouldBe(8);
        plan.Skip(1).ShouldAllBe(h => h.Agents == 0);

        var forecast = await supervisor.GetAsync("/api/insights/forecast?channel=chat&format=csv");
        forecast.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        (await forecast.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(169);

        var bad = await supervisor.GetAsync("/api/insights/staffing?channel=fax&serviceLevel=1.5&shrinkage=1&concurrency=0&tz=Mars/Olympus");
        var problem = await bad.ShouldReturnAsync(HttpStatusCode.BadRequest);
        foreach (var field in new[] { "channel", "serviceLevel", "shrinkage", "concurrency", "tz" })
        {
            problem.ShouldContain($"\"{field}\"");
        }

        (await supervisor.GetAsync("/api/insights/heatmap?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var page = await (await supervisor.GetAsync("/console/insights?channel=fax&tz=Nowhere/Else&weeks=99")).ShouldReturnAsync(HttpStatusCode.OK);
        page.ShouldContain("There is no channel");
        page.ShouldContain("is not a time zone we know");
        page.ShouldContain("Weeks of history must be between 1 and 52");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RecurringIssues_RankByVolume_AndFlagTheCategoryFarAboveItsOwnNormal(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider, Settings());
        var customer = await app.CreateCustomerAsync();
        for (var week = 0; week < 4; week++)
        {
            await OpenAsync(app, customer.Id, 10, "topup_failed", TicketChannels.InApp);
            await OpenAsync(app, customer.Id, 40, "transfer_delayed", TicketChannels.Chat);
            app.Clock.Advance(Week);
        }

        await OpenAsync(app, customer.Id, 30, "topup_failed", TicketChannels.InApp);
        await OpenAsync(app, customer.Id, 42, "transfer_delayed", TicketChannels.Chat);
        await OpenAsync(app, customer.Id, 3, "refund", TicketChannels.Email);
        await RefreshAsync(app);

        var supervisor = await app.SignInAsync(await app.CreateStaffAsync(StaffRoles.Supervisor, withTotp: true));
        var issues = await (await supervisor.GetAsync("/api/insights/recurring")).ReadAsAsync<List<RecurringIssue>>();
        issues.Select(i => i.Key).ShouldBe(["transfer_delayed", "topup_failed", "refund"]);
        issues[0].Rising.ShouldBeFalse();
        issues[0].Baseline.ShouldBe(40);
        issues[1].Rising.ShouldBeTrue();
        issues[1].Change.ShouldBe(2);
        issues[2].Change.ShouldBeNull(); // new this week: no baseline to compare with
        issues[2].Rising.ShouldBeFalse(); // three tickets are too few to call

        var channels = await (await supervisor.GetAsync("/api/insights/recurring?dimension=channel&format=csv")).Content.ReadAsStringAsync();
        channels.Split("\r\n")[0].ShouldBe("dimension,key,count,baseline,change,rising");
        channels.ShouldContain("channel,chat,42,40,0.05,false");
        (await supervisor.GetAsync("/api/insights/recurring?dimension=merchant")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var page = HttpHelpers.Html(await (await supervisor.GetAsync("/console/insights?tz=UTC")).ShouldReturnAsync(HttpStatusCode.OK));
        page.QuerySelector("[data-testid=recurring] tbody tr:nth-child(2)")!.TextContent.ShouldContain("rising");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task DemoHistory_TwelveWeeks_RollsUpExactly_AndTheForecastBeatsSameAsLastWeekOnIt(string provider)
    {
        await using var app = await WalletDeskFactory.CreateAsync(provider, Settings());
        for (var i = 0; i < 20; i++)
        {
            await app.CreateCustomerAsync(locale: i % 2 == 0 ? "en" : "zh");
        }

        await app.CreateStaffAsync(StaffRoles.Agent);
        await using var scope = app.Scope();
        var seeded = await scope.ServiceProvider.GetRequiredService<TicketDemoHistory>().SeedAsync(ct: default);
        seeded.ShouldBeGreaterThan(3000);
        (await scope.ServiceProvider.GetRequiredService<TicketDemoHistory>().SeedAsync(ct: default)).ShouldBe(0); // once only

        var rebuilt = await scope.ServiceProvider.GetRequiredService<ArrivalRollup>().RebuildAsync(default);
        rebuilt.Tickets.ShouldBe(seeded);
        rebuilt.Mismatches.ShouldBeEmpty();

        var insights = scope.ServiceProvider.GetRequiredService<InsightsQueries>();
        var forecast = await insights.ForecastAsync(null, default);
        output.WriteLine($"{provider}: {seeded} demo tickets; backtest over {forecast.Backtest.WeeksTested} weeks: WAPE {forecast.Backtest.Wape:P1} vs same-as-last-week {forecast.Backtest.NaiveWape:P1} (ratio {forecast.Backtest.RatioToNaive:F2}), bias {forecast.Backtest.Bias:P1}");
        forecast.Backtest.WeeksTested.ShouldBeGreaterThan(0);
        forecast.Backtest.RatioToNaive.ShouldBeLessThan(1);

        // The demo's story: failed top-ups burst over the last hours, and the detector sees it.
        var spikes = await insights.SpikesAsync(ArrivalRollup.HourOf(app.Clock.GetUtcNow()).AddHours(-1), default);
        spikes.ShouldContain(s => s.Dimension == "category" && s.Key == "topup_failed" && s.Verdict.IsSpike);
    }

    private static async Task<List<long>> OpenAsync(WalletDeskFactory app, Guid customerId, int count, string category, string channel)
    {
        await using var scope = app.Scope();
        var tickets = scope.ServiceProvider.GetRequiredService<TicketService>();
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var result = await tickets.CreateAsync(customerId, new NewTicket("Help", "Something is wrong with my wallet.", category, channel, "en", Guid.NewGuid().ToString("N")),
                new TicketActor(TicketActors.Customer, customerId.ToString(), "Test Customer"));
            ids.Add(result.Ticket.Id);
        }

        return ids;
    }

    private static async Task RefreshAsync(WalletDeskFactory app)
    {
        await using var scope = app.Scope();
        await scope.ServiceProvider.GetRequiredService<ArrivalRollup>().RefreshAsync(default);
    }
}
