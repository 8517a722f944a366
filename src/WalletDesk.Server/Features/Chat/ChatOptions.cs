using System.ComponentModel.DataAnnotations;

namespace WalletDesk.Server.Features.Chat;

public sealed class ChatOptions
{
    public const string SectionName = "Chat";

    /// <summary>
    /// Browser origins (scheme://host[:port]) allowed to open the hub besides WalletDesk's own. Connections without an
    /// Origin header (native apps) authenticate by token alone.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>The assistant answers first and hands off; off sends every chat straight to the queue.</summary>
    public bool AssistantFirst { get; set; } = true;

    /// <summary>How many chats an agent holds at once unless their profile says otherwise.</summary>
    [Range(1, 1000)]
    public int DefaultCapacity { get; set; } = 3;

    /// <summary><c>least_busy</c> (fewest active chats, then longest since the last) or <c>round_robin</c> (longest since the last).</summary>
    [RegularExpression("^(least_busy|round_robin)$")]
    public string Routing { get; set; } = "least_busy";

    /// <summary>A chat waiting longer than this is escalated: raised priority, supervisors told.</summary>
    [Range(10, 86400)]
    public int EscalateAfterSeconds { get; set; } = 120;

    /// <summary>Used for the expected wait until there is a day of closed chats to average.</summary>
    [Range(30, 3600)]
    public int DefaultHandleSeconds { get; set; } = 360;

    [Range(1, 20000)]
    public int MaxMessageLength { get; set; } = 4000;

    /// <summary>Messages (and typing signals) one caller may send per second, sustained; bursts up to <see cref="Burst"/>.</summary>
    [Range(1, 10000)]
    public int MessagesPerSecond { get; set; } = 5;

    [Range(1, 10000)]
    public int Burst { get; set; } = 20;

    [Range(5, 24 * 60)]
    public int VisitorTokenMinutes { get; set; } = 12 * 60;
}
