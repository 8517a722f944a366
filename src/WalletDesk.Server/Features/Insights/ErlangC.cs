namespace WalletDesk.Server.Features.Insights;

/// <summary>
/// The Erlang C queueing model (M/M/N): Poisson arrivals, exponential handle times, callers wait in one queue.
/// Traffic is in Erlangs (arrivals × handle time ÷ interval length); servers are agents, or chat slots when an agent
/// holds several chats at once (<see cref="StaffingPlanner"/>).
/// </summary>
internal static class ErlangC
{
    /// <summary>The probability that a contact has to wait at all (Erlang C formula).</summary>
    public static double ProbabilityOfWaiting(double traffic, int servers)
    {
        if (traffic <= 0)
        {
            return 0;
        }

        if (servers <= traffic)
        {
            return 1;
        }

        // Erlang B by its recurrence, which never forms A^N or N! and so stays exact at hundreds of servers;
        // Erlang C follows from B in closed form.
        var blocking = 1.0;
        for (var n = 1; n <= servers; n++)
        {
            blocking = traffic * blocking / (n + (traffic * blocking));
        }

        return servers * blocking / (servers - (traffic * (1 - blocking)));
    }

    /// <summary>The share of contacts answered within <paramref name="targetSeconds"/>.</summary>
    public static double ServiceLevel(double traffic, int servers, double handleSeconds, double targetSeconds)
    {
        if (traffic <= 0)
        {
            return 1;
        }

        if (servers <= traffic)
        {
            return 0;
        }

        var waiting = ProbabilityOfWaiting(traffic, servers);
        return 1 - (waiting * Math.Exp(-(servers - traffic) * targetSeconds / handleSeconds));
    }

    /// <summary>The mean wait over all contacts, answered at once or not (ASA), in seconds.</summary>
    public static double AverageSpeedOfAnswer(double traffic, int servers, double handleSeconds) =>
        traffic <= 0 ? 0
        : servers <= traffic ? double.PositiveInfinity
        : ProbabilityOfWaiting(traffic, servers) * handleSeconds / (servers - traffic);
}

/// <summary>What the team promises: a service level, how busy agents may be, and the time lost to breaks and training.</summary>
/// <param name="ServiceLevel">Share of contacts to answer within <paramref name="AnswerWithin"/> (0.8 for 80 %).</param>
/// <param name="AnswerWithin">The answer-time target.</param>
/// <param name="Shrinkage">Share of paid time agents are not available (breaks, meetings, training), 0 ≤ s &lt; 1.</param>
/// <param name="MaxOccupancy">The highest share of available time an agent should be busy (1 = no cap).</param>
/// <param name="Concurrency">Contacts one agent works at once (1 for phone; 2–3 is usual for chat).</param>
internal sealed record StaffingTarget(double ServiceLevel, TimeSpan AnswerWithin, double Shrinkage, double MaxOccupancy = 1, int Concurrency = 1);

/// <summary>One interval's expected work.</summary>
/// <param name="Arrivals">Contacts expected in the interval (may be fractional: a forecast).</param>
/// <param name="Length">The interval (30 minutes, an hour).</param>
/// <param name="AverageHandleTime">Mean time a contact occupies an agent (for chat: one chat slot), talk plus wrap-up.</param>
internal sealed record StaffingInterval(double Arrivals, TimeSpan Length, TimeSpan AverageHandleTime);

/// <summary>The staff an interval needs, with the figures that justify it.</summary>
/// <param name="TrafficErlangs">Offered load in Erlangs.</param>
/// <param name="Servers">Queue servers needed: agents, or chat slots when concurrency &gt; 1.</param>
/// <param name="Agents">Agents who must be working, before shrinkage.</param>
/// <param name="ScheduledAgents">Agents to schedule once shrinkage is counted.</param>
/// <param name="ServiceLevel">Share answered within the target at <paramref name="Servers"/>.</param>
/// <param name="Occupancy">Share of the servers' time spent on contacts.</param>
/// <param name="ProbabilityOfWaiting">Share of contacts that wait at all.</param>
/// <param name="AverageSpeedOfAnswerSeconds">Mean wait over all contacts, in seconds.</param>
internal sealed record StaffingRequirement(
    double TrafficErlangs, int Servers, int Agents, int ScheduledAgents, double ServiceLevel, double Occupancy,
    double ProbabilityOfWaiting, double AverageSpeedOfAnswerSeconds);

/// <summary>
/// Turns expected arrivals into agents with Erlang C: the smallest number of servers that meets the service level
/// and the occupancy cap, then agents from servers (chat concurrency) and scheduled agents from agents (shrinkage).
/// </summary>
/// <remarks>
/// Chat concurrency is modelled as slots: an agent with concurrency k is k servers, and the handle time is the
/// time a chat holds its slot as measured (which already includes the slowdown of juggling several chats). This
/// is the usual contact-centre approximation; it is optimistic when one agent's chats arrive in bursts, which the
/// occupancy cap tempers.
/// </remarks>
internal static class StaffingPlanner
{
    private const int MaxServers = 10_000;

    public static StaffingRequirement Plan(StaffingInterval interval, StaffingTarget target)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(interval.Arrivals);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval.Length, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval.AverageHandleTime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(target.ServiceLevel, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(target.ServiceLevel, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(target.Shrinkage);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(target.Shrinkage, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(target.MaxOccupancy, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(target.MaxOccupancy, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(target.Concurrency, 1);

        var handle = interval.AverageHandleTime.TotalSeconds;
        var traffic = interval.Arrivals * handle / interval.Length.TotalSeconds;
        if (traffic <= 0)
        {
            return new StaffingRequirement(0, 0, 0, 0, 1, 0, 0, 0);
        }

        var targetSeconds = target.AnswerWithin.TotalSeconds;
        var servers = Math.Max(1, (int)Math.Floor(traffic) + 1);
        while (servers < MaxServers
            && (ErlangC.ServiceLevel(traffic, servers, handle, targetSeconds) < target.ServiceLevel || traffic / servers > target.MaxOccupancy))
        {
            servers++;
        }

        var agents = CeilingOf((double)servers / target.Concurrency);
        return new StaffingRequirement(
            traffic,
            servers,
            agents,
            CeilingOf(agents / (1 - target.Shrinkage)),
            ErlangC.ServiceLevel(traffic, servers, handle, targetSeconds),
            traffic / servers,
            ErlangC.ProbabilityOfWaiting(traffic, servers),
            ErlangC.AverageSpeedOfAnswer(traffic, servers, handle));
    }

    // 14 / 0.7 is 20.000000000000004 in binary floating point; a plan must not add an agent for that.
    private static int CeilingOf(double value) => (int)Math.Ceiling(value - 1e-9);
}
