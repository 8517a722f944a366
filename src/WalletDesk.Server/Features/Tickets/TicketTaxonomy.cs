namespace WalletDesk.Server.Features.Tickets;

public static class TicketStatuses
{
    public const string New = "new";
    public const string Open = "open";
    public const string PendingCustomer = "pending_customer";
    public const string OnHold = "on_hold";
    public const string Solved = "solved";
    public const string Closed = "closed";

    public static readonly IReadOnlyList<string> All = [New, Open, PendingCustomer, OnHold, Solved, Closed];

    /// <summary>Statuses an agent may set by hand (closed is reached from solved by time or explicitly).</summary>
    public static bool IsKnown(string? status) => status is not null && All.Contains(status);

    public static bool IsActive(string status) => status is New or Open or PendingCustomer or OnHold;
}

public static class TicketPriorities
{
    public const string Low = "low";
    public const string Normal = "normal";
    public const string High = "high";
    public const string Urgent = "urgent";

    public static readonly IReadOnlyList<string> All = [Low, Normal, High, Urgent];

    public static int Rank(string priority) => priority switch
    {
        Urgent => 4,
        High => 3,
        Normal => 2,
        Low => 1,
        _ => 0,
    };
}

public static class TicketChannels
{
    public const string Web = "web";
    public const string Email = "email";
    public const string Chat = "chat";
    public const string Phone = "phone";
    public const string InApp = "in_app";
    public const string Social = "social";

    public static readonly IReadOnlyList<string> All = [Web, Email, Chat, Phone, InApp, Social];
}

public static class TicketGroups
{
    public const string General = "general";
    public const string Payments = "payments";
    public const string Security = "security";
    public const string Accounts = "accounts";
}

/// <summary>Who wrote a message or caused an event.</summary>
public static class TicketActors
{
    public const string Customer = "customer";
    public const string Agent = "agent";
    public const string Bot = "bot";
    public const string System = "system";
}

/// <summary>The wallet taxonomy the product ships with; operators add their own categories.</summary>
public static class DefaultCategories
{
    public static readonly IReadOnlyList<TicketCategory> All =
    [
        Category("account_setup", "Account setup and identity verification", "开户与身份验证", "I need help opening my account or verifying my identity", "我需要开户或身份验证方面的帮助", TicketPriorities.Normal, TicketGroups.Accounts, 10),
        Category("link_bank_or_card", "Linking a bank account or card", "绑定银行账户或银行卡", "I can't link my bank account or card", "我无法绑定银行账户或银行卡", TicketPriorities.Normal, TicketGroups.Payments, 20),
        Category("topup_failed", "Top-up failed", "充值失败", "My top-up failed or is stuck", "我的充值失败或卡住了", TicketPriorities.High, TicketGroups.Payments, 30),
        Category("payment_failed", "Payment failed", "付款失败", "A payment to a merchant failed", "向商户付款失败", TicketPriorities.Normal, TicketGroups.Payments, 40),
        Category("incorrect_amount", "Incorrect amount or charged twice", "金额不对或重复扣款", "I was charged the wrong amount or twice", "我被扣错金额或重复扣款", TicketPriorities.High, TicketGroups.Payments, 50),
        Category("transfer_delayed", "Transfer delayed or missing", "转账延迟或未到账", "My transfer hasn't arrived", "我的转账还没到账", TicketPriorities.High, TicketGroups.Payments, 60),
        Category("refund", "Refund", "退款", "I'm waiting for a refund", "我在等待退款", TicketPriorities.Normal, TicketGroups.Payments, 70),
        Category("account_locked", "Account locked or access lost", "账户被锁或无法登录", "My account is locked or I can't sign in", "我的账户被锁或无法登录", TicketPriorities.High, TicketGroups.Accounts, 80),
        Category("password_2fa_recovery", "Password or 2FA recovery", "密码或双重验证找回", "I forgot my password or lost my 2FA device", "我忘记了密码或丢失了双重验证设备", TicketPriorities.High, TicketGroups.Accounts, 90),
        Category("security", "Security: unauthorized access, phishing, fraud", "安全：盗用、钓鱼、欺诈", "Someone else used my account, or I got a suspicious message", "有人盗用了我的账户，或我收到了可疑信息", TicketPriorities.Urgent, TicketGroups.Security, 100),
        Category("fees_limits", "Fees and limits", "费用与限额", "I have a question about fees or limits", "我对费用或限额有疑问", TicketPriorities.Low, TicketGroups.General, 110),
        Category("other", "Other", "其他", "Something else", "其他问题", TicketPriorities.Normal, TicketGroups.General, 120),
    ];

    private static TicketCategory Category(string key, string nameEn, string nameZh, string customerEn, string customerZh, string priority, string group, int order) => new()
    {
        Key = key,
        NameEn = nameEn,
        NameZh = nameZh,
        CustomerLabelEn = customerEn,
        CustomerLabelZh = customerZh,
        DefaultPriority = priority,
        DefaultGroup = group,
        SortOrder = order,
        IsActive = true,
    };
}

/// <summary>The rules the product ships with: security incidents and fraud are urgent and go to the security queue; money not arrived is high.</summary>
public static class DefaultPriorityRules
{
    public static readonly IReadOnlyList<PriorityRule> All =
    [
        new() { Id = 1, Order = 10, Name = "Security incidents are urgent", Category = "security", SetPriority = TicketPriorities.Urgent, SetGroup = TicketGroups.Security, IsActive = true },
        new()
        {
            Id = 2,
            Order = 20,
            Name = "Possible fraud is urgent",
            Keywords = "fraud,fraudulent,stolen,hacked,unauthorized,unauthorised,phishing,scam,not me,didn't make,did not make,someone logged in,new device,盗刷,被盗,诈骗,钓鱼,骗子,不是我,陌生设备,被人登录,未经授权",
            SetPriority = TicketPriorities.Urgent,
            SetGroup = TicketGroups.Security,
            IsActive = true,
        },
        new()
        {
            Id = 3,
            Order = 30,
            Name = "Money not arrived is high",
            Keywords = "not arrived,hasn't arrived,has not arrived,didn't arrive,not received,haven't received,never received,missing,stuck,没到,未到账,没有到账,没收到,还没到,不见了,卡住",
            SetPriority = TicketPriorities.High,
            SetGroup = TicketGroups.Payments,
            IsActive = true,
        },
    ];
}
