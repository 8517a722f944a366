using WalletDesk.Server.Features.Insights;

namespace WalletDesk.Server.Tests.Insights;

public sealed class ErlangCStaffingTests
{
    private static readonly StaffingTarget EightyInTwenty = new(0.8, TimeSpan.FromSeconds(20), Shrinkage: 0.3);

    [Fact]
    public void Plan_PublishedWorkedExample_MatchesEveryFigure()
    {
        // 100 contacts in 30 minutes, 180 s handle time, 80 % in 20 s, 30 % shrinkage (the worked example).
        var plan = StaffingPlanner.Plan(new StaffingInterval(100, TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(180)), EightyInTwenty);

        plan.TrafficErlangs.ShouldBe(10, 1e-12);
        plan.Agents.ShouldBe(14);
        plan.ScheduledAgents.ShouldBe(20);
        Math.Round(plan.ServiceLevel, 3).ShouldBe(0.888);
        Math.Round(plan.Occupancy, 3).ShouldBe(0.714);
        Math.Round(plan.ProbabilityOfWaiting, 3).ShouldBe(0.174);
    }

    [Fact]
    public void Plan_ThirteenAgentsInTheWorkedExample_WouldMissTheTarget()
    {
        // The same worked example's table: 13 agents answer 79.6 % within 20 s, just short, which is why the plan says 14.
        ErlangC.ServiceLevel(10, 13, 180, 20).ShouldBeLessThan(0.8);
        Math.Round(ErlangC.ProbabilityOfWaiting(10, 13), 3).ShouldBe(0.285);
        Math.Round(ErlangC.ServiceLevel(10, 13, 180, 20), 3).ShouldBe(0.796);
        Math.Round(ErlangC.AverageSpeedOfAnswer(10, 14, 180), 1).ShouldBe(7.8);
    }

    [Theory]
    [InlineData(0.5, 1, 0.5)]
    [InlineData(1.0, 2, 1.0 / 3)]
    [InlineData(2.0, 3, 4.0 / 9)]
    public void ProbabilityOfWaiting_SmallSystems_MatchesTheClosedForm(double traffic, int servers, double expected) =>
        ErlangC.ProbabilityOfWaiting(traffic, servers).ShouldBe(expected, 1e-12);

    [Fact]
    public void ProbabilityOfWaiting_HundredsOfServers_StaysFiniteAndBetweenZeroAndOne()
    {
        var p = ErlangC.ProbabilityOfWaiting(480, 500);
        double.IsFinite(p).ShouldBeTrue();
        p.ShouldBeInRange(0, 1);
    }

    [Fact]
    public void Plan_NoArrivals_NeedsNobody()
    {
        var plan = StaffingPlanner.Plan(new StaffingInterval(0, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5)), EightyInTwenty);
        plan.Agents.ShouldBe(0);
        plan.ScheduledAgents.ShouldBe(0);
        plan.ServiceLevel.ShouldBe(1);
    }

    [Fact]
    public void Plan_OccupancyCap_AddsAgentsUntilNobodyIsBusierThanTheCap()
    {
        // 200 contacts an hour of 6 minutes = 20 Erlangs; the service level alone needs fewer than a 75 % cap allows.
        var interval = new StaffingInterval(200, TimeSpan.FromHours(1), TimeSpan.FromMinutes(6));
        var uncapped = StaffingPlanner.Plan(interval, EightyInTwenty);
        var capped = StaffingPlanner.Plan(interval, EightyInTwenty with { MaxOccupancy = 0.75 });

        uncapped.Occupancy.ShouldBeGreaterThan(0.75);
        capped.Agents.ShouldBe(27); // ceil(20 / 0.75)
        capped.Occupancy.ShouldBeLessThanOrEqualTo(0.75);
    }

    [Fact]
    public void Plan_ChatConcurrency_DividesSlotsAmongAgents()
    {
        // Three chats at once: the servers are chat slots, and agents are slots ÷ 3, rounded up.
        var interval = new StaffingInterval(100, TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(180));
        var chat = StaffingPlanner.Plan(interval, EightyInTwenty with { Concurrency = 3 });

        chat.Servers.ShouldBe(14);
        chat.Agents.ShouldBe(5);
        chat.ScheduledAgents.ShouldBe(8); // ceil(5 / 0.7)
    }

    [Fact]
    public void Plan_MoreLoad_NeverNeedsFewerAgents()
    {
        var previous = 0;
        for (var arrivals = 0; arrivals <= 600; arrivals += 7)
        {
            var plan = StaffingPlanner.Plan(new StaffingInterval(arrivals, TimeSpan.FromHours(1), TimeSpan.FromMinutes(4)), EightyInTwenty);
            plan.Agents.ShouldBeGreaterThanOrEqualTo(previous);
            if (arrivals > 0)
            {
                plan.ServiceLevel.ShouldBeGreaterThanOrEqualTo(0.8);
            }

            previous = plan.Agents;
        }
    }

    [Fact]
    public void Plan_ImpossibleTargets_AreRefused()
    {
        var interval = new StaffingInterval(10, TimeSpan.FromHours(1), TimeSpan.FromMinutes(4));
        Should.Throw<ArgumentOutOfRangeException>(() => StaffingPlanner.Plan(interval, EightyInTwenty with { ServiceLevel = 1 }));
        Should.Throw<ArgumentOutOfRangeException>(() => StaffingPlanner.Plan(interval, EightyInTwenty with { Shrinkage = 1 }));
        Should.Throw<ArgumentOutOfRangeException>(() => StaffingPlanner.Plan(interval, EightyInTwenty with { Concurrency = 0 }));
        Should.Throw<ArgumentOutOfRangeException>(() => StaffingPlanner.Plan(interval with { AverageHandleTime = TimeSpan.Zero }, EightyInTwenty));
    }
}
