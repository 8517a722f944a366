using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WalletDesk.Server.Data.Migrations;

/// <summary>The reference wallet ledger, support actions, the customer timeline and the notification outbox.</summary>
public abstract class M0003_Wallet : Migration
{
    public const string Id = "20261123000200_Wallet";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var mb = migrationBuilder;
        mb.CreateTable(
            name: "wallet_accounts",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                CustomerExternalId = t.Column<string>(maxLength: 128, nullable: false),
                DisplayName = t.Column<string>(maxLength: 128, nullable: false),
                Phone = t.Column<string>(maxLength: 32, nullable: true),
                TimeZone = t.Column<string>(maxLength: 64, nullable: false),
                KycTier = t.Column<int>(nullable: false),
                KycState = t.Column<string>(maxLength: 16, nullable: false),
                LockedAt = t.Timestamp(mb, nullable: true),
                LockReason = t.Column<string>(maxLength: 200, nullable: true),
                OutgoingFrozenAt = t.Timestamp(mb, nullable: true),
                ClosedAt = t.Timestamp(mb, nullable: true),
                OutboundHoldUntil = t.Timestamp(mb, nullable: true),
                Version = t.Column<long>(nullable: false),
                CreatedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_wallet_accounts", x => x.Id));
        mb.CreateIndex("IX_wallet_accounts_CustomerExternalId", "wallet_accounts", "CustomerExternalId", unique: true);

        mb.CreateTable(
            name: "wallet_devices",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                AccountId = t.Column<Guid>(nullable: false),
                Name = t.Column<string>(maxLength: 100, nullable: false),
                Platform = t.Column<string>(maxLength: 32, nullable: false),
                IsRegistered = t.Column<bool>(nullable: false),
                FirstSeenAt = t.Timestamp(mb),
                LastSeenAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_wallet_devices", x => x.Id));
        mb.CreateIndex("IX_wallet_devices_AccountId", "wallet_devices", "AccountId");

        mb.CreateTable(
            name: "wallet_funding_sources",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                AccountId = t.Column<Guid>(nullable: false),
                Kind = t.Column<string>(maxLength: 16, nullable: false),
                Brand = t.Column<string>(maxLength: 64, nullable: false),
                Last4 = t.Column<string>(maxLength: 4, nullable: false),
                Status = t.Column<string>(maxLength: 16, nullable: false),
                Behaviour = t.Column<string>(maxLength: 16, nullable: false),
                CreatedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_wallet_funding_sources", x => x.Id));
        mb.CreateIndex("IX_wallet_funding_sources_AccountId", "wallet_funding_sources", "AccountId");

        mb.CreateTable(
            name: "wallet_books",
            columns: t => new
            {
                Id = t.Identity(mb),
                Code = t.Column<string>(maxLength: 100, nullable: false),
                AccountId = t.Column<Guid>(nullable: true),
                Currency = t.Column<string>(maxLength: 3, nullable: false),
                Kind = t.Column<string>(maxLength: 16, nullable: false),
                Balance = t.Column<long>(nullable: false),
                AllowNegative = t.Column<bool>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_wallet_books", x => x.Id));
        mb.CreateIndex("IX_wallet_books_Code", "wallet_books", "Code", unique: true);
        mb.CreateIndex("IX_wallet_books_AccountId", "wallet_books", "AccountId");

        mb.CreateTable(
            name: "wallet_transactions",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                Reference = t.Column<string>(maxLength: 20, nullable: false),
                AccountId = t.Column<Guid>(nullable: false),
                IdempotencyKey = t.Column<string>(maxLength: 100, nullable: false),
                RequestHash = t.Column<string>(maxLength: 64, nullable: false),
                Type = t.Column<string>(maxLength: 16, nullable: false),
                OwnerDirection = t.Column<string>(maxLength: 3, nullable: false),
                Amount = t.Column<long>(nullable: false),
                Currency = t.Column<string>(maxLength: 3, nullable: false),
                Status = t.Column<string>(maxLength: 20, nullable: false),
                ReasonCode = t.Column<string>(maxLength: 32, nullable: true),
                CounterpartyAccountId = t.Column<Guid>(nullable: true),
                CounterpartyName = t.Column<string>(maxLength: 128, nullable: true),
                OwnerName = t.Column<string>(maxLength: 128, nullable: true),
                FundingSourceId = t.Column<Guid>(nullable: true),
                OriginalTransactionId = t.Column<Guid>(nullable: true),
                RefundedAmount = t.Column<long>(nullable: false),
                FundsHeld = t.Column<bool>(nullable: false),
                Attempts = t.Column<int>(nullable: false),
                Memo = t.Column<string>(maxLength: 140, nullable: true),
                CreatedAt = t.Timestamp(mb),
                UpdatedAt = t.Timestamp(mb),
                ExpectedSettlementAt = t.Timestamp(mb, nullable: true),
                SettledAt = t.Timestamp(mb, nullable: true),
                DisputeOpenedAt = t.Timestamp(mb, nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_wallet_transactions", x => x.Id));
        mb.CreateIndex("IX_wallet_transactions_Reference", "wallet_transactions", "Reference", unique: true);
        mb.CreateIndex("IX_wallet_transactions_AccountId_IdempotencyKey", "wallet_transactions", ["AccountId", "IdempotencyKey"], unique: true);
        mb.CreateIndex("IX_wallet_transactions_AccountId_CreatedAt", "wallet_transactions", ["AccountId", "CreatedAt"]);
        mb.CreateIndex("IX_wallet_transactions_CounterpartyAccountId_CreatedAt", "wallet_transactions", ["CounterpartyAccountId", "CreatedAt"]);
        mb.CreateIndex("IX_wallet_transactions_Status_ExpectedSettlementAt", "wallet_transactions", ["Status", "ExpectedSettlementAt"]);
        mb.CreateIndex("IX_wallet_transactions_OriginalTransactionId", "wallet_transactions", "OriginalTransactionId");

        mb.CreateTable(
            name: "wallet_journal",
            columns: t => new
            {
                Id = t.Identity(mb),
                PostingId = t.Column<Guid>(nullable: false),
                TransactionId = t.Column<Guid>(nullable: false),
                BookId = t.Column<long>(nullable: false),
                Currency = t.Column<string>(maxLength: 3, nullable: false),
                Amount = t.Column<long>(nullable: false),
                CreatedAt = t.Timestamp(mb),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_wallet_journal", x => x.Id);
                t.ForeignKey("FK_wallet_journal_wallet_books_BookId", x => x.BookId, "wallet_books", "Id", onDelete: ReferentialAction.Restrict);
            });
        mb.CreateIndex("IX_wallet_journal_TransactionId", "wallet_journal", "TransactionId");
        mb.CreateIndex("IX_wallet_journal_BookId", "wallet_journal", "BookId");

        mb.CreateTable(
            name: "wallet_security_events",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                AccountId = t.Column<Guid>(nullable: false),
                Kind = t.Column<string>(maxLength: 32, nullable: false),
                At = t.Timestamp(mb),
                DeviceName = t.Column<string>(maxLength: 100, nullable: true),
                Location = t.Column<string>(maxLength: 100, nullable: true),
                Suspicious = t.Column<bool>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_wallet_security_events", x => x.Id));
        mb.CreateIndex("IX_wallet_security_events_AccountId_At", "wallet_security_events", ["AccountId", "At"]);

        mb.CreateTable(
            name: "wallet_step_up_challenges",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                AccountId = t.Column<Guid>(nullable: false),
                Purpose = t.Column<string>(maxLength: 32, nullable: false),
                CodeHash = t.Column<string>(maxLength: 64, nullable: false),
                Attempts = t.Column<int>(nullable: false),
                CreatedAt = t.Timestamp(mb),
                ExpiresAt = t.Timestamp(mb),
                PassedAt = t.Timestamp(mb, nullable: true),
                ConsumedAt = t.Timestamp(mb, nullable: true),
                ConsumedBy = t.Column<string>(maxLength: 100, nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_wallet_step_up_challenges", x => x.Id));
        mb.CreateIndex("IX_wallet_step_up_challenges_AccountId_CreatedAt", "wallet_step_up_challenges", ["AccountId", "CreatedAt"]);

        mb.CreateTable(
            name: "wallet_device_pushes",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                AccountId = t.Column<Guid>(nullable: false),
                Body = t.Column<string>(maxLength: 500, nullable: false),
                CreatedAt = t.Timestamp(mb),
                ExpiresAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_wallet_device_pushes", x => x.Id));
        mb.CreateIndex("IX_wallet_device_pushes_AccountId_CreatedAt", "wallet_device_pushes", ["AccountId", "CreatedAt"]);

        mb.CreateTable(
            name: "wallet_ref_actions",
            columns: t => new
            {
                IdempotencyKey = t.Column<string>(maxLength: 100, nullable: false),
                Kind = t.Column<string>(maxLength: 32, nullable: false),
                AccountId = t.Column<Guid>(nullable: false),
                Outcome = t.Column<string>(maxLength: 16, nullable: false),
                Code = t.Column<string>(maxLength: 32, nullable: true),
                TransactionId = t.Column<Guid>(nullable: true),
                TransactionReference = t.Column<string>(maxLength: 20, nullable: true),
                AccountStatus = t.Column<string>(maxLength: 16, nullable: true),
                CreatedAt = t.Timestamp(mb),
            },
            constraints: t => t.PrimaryKey("PK_wallet_ref_actions", x => x.IdempotencyKey));

        mb.CreateTable(
            name: "wallet_support_actions",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                IdempotencyKey = t.Column<string>(maxLength: 100, nullable: false),
                RequestHash = t.Column<string>(maxLength: 64, nullable: false),
                CustomerId = t.Column<Guid>(nullable: false),
                AccountId = t.Column<string>(maxLength: 64, nullable: false),
                Kind = t.Column<string>(maxLength: 32, nullable: false),
                TransactionId = t.Column<string>(maxLength: 64, nullable: true),
                TransactionReference = t.Column<string>(maxLength: 32, nullable: true),
                AmountMinor = t.Column<long>(nullable: true),
                Currency = t.Column<string>(maxLength: 3, nullable: true),
                Reason = t.Column<string>(maxLength: 500, nullable: false),
                Status = t.Column<string>(maxLength: 20, nullable: false),
                ResultCode = t.Column<string>(maxLength: 32, nullable: true),
                ResultTransactionId = t.Column<string>(maxLength: 64, nullable: true),
                RequestedById = t.Column<Guid>(nullable: false),
                RequestedByName = t.Column<string>(maxLength: 128, nullable: false),
                RequestedByRole = t.Column<string>(maxLength: 32, nullable: false),
                RequestedAt = t.Timestamp(mb),
                ApprovedById = t.Column<Guid>(nullable: true),
                ApprovedByName = t.Column<string>(maxLength: 128, nullable: true),
                DecidedAt = t.Timestamp(mb, nullable: true),
                CompletedAt = t.Timestamp(mb, nullable: true),
                UpdatedAt = t.Timestamp(mb),
                StepUpChallengeId = t.Column<string>(maxLength: 64, nullable: true),
                OpenKey = t.Column<string>(maxLength: 150, nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_wallet_support_actions", x => x.Id));
        mb.CreateIndex("IX_wallet_support_actions_IdempotencyKey", "wallet_support_actions", "IdempotencyKey", unique: true);
        mb.CreateIndex("IX_wallet_support_actions_OpenKey", "wallet_support_actions", "OpenKey", unique: true);
        mb.CreateIndex("IX_wallet_support_actions_CustomerId_RequestedAt", "wallet_support_actions", ["CustomerId", "RequestedAt"]);
        mb.CreateIndex("IX_wallet_support_actions_Status_RequestedAt", "wallet_support_actions", ["Status", "RequestedAt"]);

        mb.CreateTable(
            name: "customer_timeline",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                CustomerId = t.Column<Guid>(nullable: false),
                At = t.Timestamp(mb),
                Kind = t.Column<string>(maxLength: 64, nullable: false),
                Text = t.Column<string>(maxLength: 1000, nullable: false),
                ActorName = t.Column<string>(maxLength: 128, nullable: true),
                RelatedId = t.Column<string>(maxLength: 64, nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_customer_timeline", x => x.Id));
        mb.CreateIndex("IX_customer_timeline_CustomerId_At", "customer_timeline", ["CustomerId", "At"]);

        mb.CreateTable(
            name: "customer_notifications",
            columns: t => new
            {
                Id = t.Column<Guid>(nullable: false),
                CustomerId = t.Column<Guid>(nullable: false),
                Kind = t.Column<string>(maxLength: 64, nullable: false),
                Locale = t.Column<string>(maxLength: 8, nullable: false),
                Subject = t.Column<string>(maxLength: 200, nullable: false),
                Body = t.Column<string>(maxLength: 2000, nullable: false),
                Status = t.Column<string>(maxLength: 16, nullable: false),
                CreatedAt = t.Timestamp(mb),
                SentAt = t.Timestamp(mb, nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_customer_notifications", x => x.Id));
        mb.CreateIndex("IX_customer_notifications_Status_CreatedAt", "customer_notifications", ["Status", "CreatedAt"]);
        mb.CreateIndex("IX_customer_notifications_CustomerId", "customer_notifications", "CustomerId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var table in new[]
        {
            "customer_notifications", "customer_timeline", "wallet_support_actions", "wallet_ref_actions", "wallet_device_pushes",
            "wallet_step_up_challenges", "wallet_security_events", "wallet_journal", "wallet_transactions", "wallet_books",
            "wallet_funding_sources", "wallet_devices", "wallet_accounts",
        })
        {
            migrationBuilder.DropTable(table);
        }
    }
}

[DbContext(typeof(SqliteAppDbContext))]
[Migration(Id)]
public sealed class M0003_Wallet_Sqlite : M0003_Wallet;

[DbContext(typeof(PostgresAppDbContext))]
[Migration(Id)]
public sealed class M0003_Wallet_Postgres : M0003_Wallet;
