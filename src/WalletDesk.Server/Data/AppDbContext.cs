using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Attachments;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Features.Customers;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Phone;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Features.Wallet.Ledger;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Features.Knowledge;

namespace WalletDesk.Server.Data;

/// <summary>The one EF Core model. Provider quirks live in the two subclasses.</summary>
public abstract class AppDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<StaffUser> StaffUsers => Set<StaffUser>();
    public DbSet<StaffSession> StaffSessions => Set<StaffSession>();
    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<AuditHead> AuditHeads => Set<AuditHead>();
    public DbSet<SystemSetting> SystemSettings => Set<SystemSetting>();
    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<RefAccount> WalletAccounts => Set<RefAccount>();
    public DbSet<RefDevice> WalletDevices => Set<RefDevice>();
    public DbSet<RefFundingSource> WalletFundingSources => Set<RefFundingSource>();
    public DbSet<LedgerBook> WalletBooks => Set<LedgerBook>();
    public DbSet<LedgerTransaction> WalletTransactions => Set<LedgerTransaction>();
    public DbSet<JournalEntry> WalletJournal => Set<JournalEntry>();
    public DbSet<RefSecurityEvent> WalletSecurityEvents => Set<RefSecurityEvent>();
    public DbSet<RefStepUpChallenge> WalletStepUpChallenges => Set<RefStepUpChallenge>();
    public DbSet<RefDevicePush> WalletDevicePushes => Set<RefDevicePush>();
    public DbSet<RefActionRecord> WalletRefActions => Set<RefActionRecord>();
    public DbSet<SupportAction> WalletSupportActions => Set<SupportAction>();
    public DbSet<CustomerTimelineEntry> CustomerTimeline => Set<CustomerTimelineEntry>();
    public DbSet<CustomerNotification> CustomerNotifications => Set<CustomerNotification>();
    public DbSet<Ticket> Tickets => Set<Ticket>();
    public DbSet<TicketMessage> TicketMessages => Set<TicketMessage>();
    public DbSet<TicketEvent> TicketEvents => Set<TicketEvent>();
    public DbSet<TicketTransactionLink> TicketTransactionLinks => Set<TicketTransactionLink>();
    public DbSet<TicketCategory> TicketCategories => Set<TicketCategory>();
    public DbSet<PriorityRule> PriorityRules => Set<PriorityRule>();
    public DbSet<Macro> Macros => Set<Macro>();
    public DbSet<TicketSlaFired> TicketSlaFired => Set<TicketSlaFired>();
    public DbSet<SavedView> SavedViews => Set<SavedView>();
    public DbSet<Attachment> Attachments => Set<Attachment>();
    public DbSet<CallbackRequest> CallbackRequests => Set<CallbackRequest>();
    public DbSet<CallLog> CallLogs => Set<CallLog>();
    public DbSet<TelephonyEvent> TelephonyEvents => Set<TelephonyEvent>();
    public DbSet<KbArticle> KbArticles => Set<KbArticle>();
    public DbSet<KbTranslation> KbTranslations => Set<KbTranslation>();
    public DbSet<KbRevision> KbRevisions => Set<KbRevision>();
    public DbSet<KbFeedback> KbFeedback => Set<KbFeedback>();
    public DbSet<KbSearchEvent> KbSearchEvents => Set<KbSearchEvent>();
    public DbSet<KbDeflectionEvent> KbDeflectionEvents => Set<KbDeflectionEvent>();
    public DbSet<Features.Email.EmailMessage> EmailOutbox => Set<Features.Email.EmailMessage>();
    public DbSet<Features.Email.InboundEmail> InboundEmails => Set<Features.Email.InboundEmail>();
    public DbSet<Features.Email.QuarantinedEmail> EmailQuarantine => Set<Features.Email.QuarantinedEmail>();
    public DbSet<Features.Email.EmailAddressHealth> EmailAddressHealth => Set<Features.Email.EmailAddressHealth>();
    public DbSet<Features.Chat.ChatConversation> ChatConversations => Set<Features.Chat.ChatConversation>();
    public DbSet<Features.Chat.ChatBotTurn> ChatBotTurns => Set<Features.Chat.ChatBotTurn>();
    public DbSet<Features.Chat.ChatMessageActions> ChatMessageActions => Set<Features.Chat.ChatMessageActions>();
    public DbSet<Features.Chat.ChatAgent> ChatAgents => Set<Features.Chat.ChatAgent>();
    public DbSet<Features.Insights.HourlyArrivals> InsightHourlyArrivals => Set<Features.Insights.HourlyArrivals>();
    public DbSet<Features.Insights.HourlyChannelArrivals> InsightHourlyChannelArrivals => Set<Features.Insights.HourlyChannelArrivals>();
    public DbSet<Features.Insights.InsightRollupState> InsightRollupStates => Set<Features.Insights.InsightRollupState>();
    public DbSet<Features.Insights.InsightAlert> InsightAlerts => Set<Features.Insights.InsightAlert>();
    public DbSet<Features.Chat.ChatTranscriptMail> ChatTranscriptMail => Set<Features.Chat.ChatTranscriptMail>();

    public abstract bool IsSqlite { get; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
    }
}

public sealed class SqliteAppDbContext(DbContextOptions<SqliteAppDbContext> options) : AppDbContext(options)
{
    public override bool IsSqlite => true;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no native timestamp type: store UTC ticks so ORDER BY and comparisons work in SQL.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
    }
}

public sealed class PostgresAppDbContext(DbContextOptions<PostgresAppDbContext> options) : AppDbContext(options)
{
    public override bool IsSqlite => false;
}

/// <summary>Key/value settings owned by the platform (seed markers, operator profile).</summary>
public sealed class SystemSetting
{
    public required string Key { get; set; }
    public required string Value { get; set; }
}
