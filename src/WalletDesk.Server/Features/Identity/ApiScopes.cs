namespace WalletDesk.Server.Features.Identity;

/// <summary>What an API token may be allowed to do. A token never gets more than its creator's role allows.</summary>
public static class ApiScopes
{
    public const string StaffRead = "staff:read";
    public const string AuditRead = "audit:read";
    public const string CustomersRead = "customers:read";
    public const string TicketsRead = "tickets:read";
    public const string TicketsWrite = "tickets:write";
    public const string WalletRead = "wallet:read";
    public const string WalletAct = "wallet:act";
    public const string KbRead = "kb:read";
    public const string KbWrite = "kb:write";
    public const string ReportsRead = "reports:read";
    public const string Chat = "chat";
    public const string EmailIngest = "email:ingest";
    public const string EmailAdmin = "email:admin";

    private static readonly Dictionary<string, string> MinimumRole = new(StringComparer.Ordinal)
    {
        [CustomersRead] = StaffRoles.Agent,
        [TicketsRead] = StaffRoles.Agent,
        [TicketsWrite] = StaffRoles.Agent,
        [WalletRead] = StaffRoles.Agent,
        [KbRead] = StaffRoles.Agent,
        [Chat] = StaffRoles.Agent,
        [WalletAct] = StaffRoles.Supervisor,
        [KbWrite] = StaffRoles.Supervisor,
        [ReportsRead] = StaffRoles.Supervisor,
        [StaffRead] = StaffRoles.Admin,
        [AuditRead] = StaffRoles.Admin,
        [EmailIngest] = StaffRoles.Admin,
        [EmailAdmin] = StaffRoles.Admin,
    };

    public static IReadOnlyCollection<string> All => MinimumRole.Keys;

    public static bool IsKnown(string scope) => MinimumRole.ContainsKey(scope);

    public static bool AllowedFor(string scope, string role) =>
        MinimumRole.TryGetValue(scope, out var minimum) && StaffRoles.Rank(role) >= StaffRoles.Rank(minimum);
}
