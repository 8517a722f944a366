using Bogus;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Customers;
using WalletDesk.Server.Features.Wallet.Ledger;

namespace WalletDesk.Server.Features.Wallet;

/// <summary>
/// Demo wallets: a few hundred customers with realistic CNY and USD histories (completed, failed and pending top-ups
/// and transfers, payments, refunds in progress, a locked account, a suspicious sign-in from a new device).
/// Deterministic (fixed seed); built in memory with balanced postings and written in one transaction.
/// </summary>
public sealed class WalletDemoSeeder(AppDbContext db, TimeProvider time)
{
    public const int DefaultCustomers = 300;

    /// <summary>The locked account (suspicious sign-in from a new device, then locked by the wallet's risk engine).</summary>
    public const string LockedCustomerExternalId = "demo-0001";

    /// <summary>A suspicious sign-in from a new device on an account that is still active.</summary>
    public const string SuspiciousSignInExternalId = "demo-0002";

    private static readonly string[] Merchants = ["Luckin Coffee", "Meituan", "JD.com", "Didi", "Starbucks", "Uber Eats", "Amazon", "7-Eleven", "Pinduoduo", "Hema Fresh", "Apple Store", "Shell"];
    private static readonly (string Brand, string Kind)[] CnSources = [("UnionPay", FundingKinds.Card), ("ICBC", FundingKinds.BankAccount), ("China Merchants Bank", FundingKinds.BankAccount), ("Visa", FundingKinds.Card)];
    private static readonly (string Brand, string Kind)[] UsSources = [("Visa", FundingKinds.Card), ("Mastercard", FundingKinds.Card), ("Chase", FundingKinds.BankAccount), ("Bank of America", FundingKinds.BankAccount)];

    private sealed class State
    {
        public required Guid AccountId { get; init; }
        public required string Name { get; init; }
        public required string Currency { get; init; }
        public required string TimeZone { get; init; }
        public required List<RefFundingSource> Sources { get; init; }
        public required LedgerBook Book { get; init; }
    }

    /// <summary>Seeds when there are no wallet accounts yet; returns whether it did.</summary>
    public async Task<bool> SeedAsync(int customers = DefaultCustomers, CancellationToken ct = default)
    {
        if (await db.WalletAccounts.AnyAsync(ct))
        {
            return false;
        }

        var now = time.GetUtcNow();
        var random = new Randomizer(20261123);
        var en = new Faker("en") { Random = random };
        var zh = new Faker("zh_CN") { Random = random };
        var states = new List<State>();
        var books = new List<LedgerBook>();
        var system = new Dictionary<string, LedgerBook>(StringComparer.Ordinal);
        foreach (var currency in new[] { "CNY", "USD" })
        {
            foreach (var kind in new[] { BookKinds.Funding, BookKinds.Payout, BookKinds.Merchant, BookKinds.Suspense })
            {
                var book = new LedgerBook { Code = LedgerService.SystemBookCode(kind, currency), Currency = currency, Kind = kind, AllowNegative = true };
                system[book.Code] = book;
                books.Add(book);
            }
        }

        var sourcesAll = new List<RefFundingSource>();
        var devices = new List<RefDevice>();
        var events = new List<RefSecurityEvent>();
        var accounts = new List<RefAccount>();
        for (var i = 1; i <= customers; i++)
        {
            var chinese = i % 2 == 1;
            var f = chinese ? zh : en;
            var name = chinese ? f.Name.LastName() + f.Name.FirstName() : f.Name.FullName();
            var externalId = $"demo-{i:0000}";
            var created = now.AddDays(-random.Int(60, 720));
            var currency = chinese ? "CNY" : "USD";
            var zone = chinese ? "Asia/Shanghai" : random.ArrayElement(new[] { "America/New_York", "America/Los_Angeles", "Europe/London" });
            var phone = chinese ? $"+86 13{random.Int(0, 9)} {random.Int(1000, 9999)} {random.Int(1000, 9999)}" : $"+1 {random.Int(201, 989)} {random.Int(200, 999)} {random.Int(1000, 9999)}";
            var customerId = new Guid(random.Bytes(16));
            db.Customers.Add(new Customer
            {
                Id = customerId,
                ExternalId = externalId,
                DisplayName = name,
                Email = $"{externalId}@customers.demo-wallet.example",
                Phone = phone,
                Locale = chinese ? "zh" : "en",
                CreatedAt = created,
            });

            var tier = random.WeightedRandom(new[] { 0, 1, 2, 3 }, new[] { 0.1f, 0.3f, 0.45f, 0.15f });
            var account = new RefAccount
            {
                Id = new Guid(random.Bytes(16)),
                CustomerExternalId = externalId,
                DisplayName = name,
                Phone = phone,
                TimeZone = zone,
                KycTier = tier,
                KycState = tier == 0 ? random.ArrayElement(new[] { KycStates.Unverified, KycStates.Pending, KycStates.Rejected }) : KycStates.Verified,
                CreatedAt = created,
            };
            accounts.Add(account);

            var book = LedgerService.NewCustomerBook(account.Id, currency);
            books.Add(book);
            if (i % 10 == 0)
            {
                books.Add(LedgerService.NewCustomerBook(account.Id, chinese ? "USD" : "CNY"));
            }

            var pool = chinese ? CnSources : UsSources;
            var sources = new List<RefFundingSource>();
            foreach (var (brand, kind) in random.Shuffle(pool).Take(random.Int(1, 3)).Append(pool[0]).DistinctBy(p => p.Brand))
            {
                sources.Add(new RefFundingSource
                {
                    Id = new Guid(random.Bytes(16)),
                    AccountId = account.Id,
                    Kind = kind,
                    Brand = brand,
                    Last4 = random.Int(0, 9999).ToString("D4", System.Globalization.CultureInfo.InvariantCulture),
                    Behaviour = random.Int(0, 19) == 0 ? FundingBehaviours.Decline : FundingBehaviours.Approve,
                    CreatedAt = created.AddMinutes(10),
                });
            }

            if (!sources.Any(s => s.Kind == FundingKinds.BankAccount))
            {
                var bank = pool.First(p => p.Kind == FundingKinds.BankAccount);
                sources.Add(new RefFundingSource { Id = new Guid(random.Bytes(16)), AccountId = account.Id, Kind = bank.Kind, Brand = bank.Brand, Last4 = random.Int(0, 9999).ToString("D4", System.Globalization.CultureInfo.InvariantCulture), CreatedAt = created.AddMinutes(12) });
            }

            sourcesAll.AddRange(sources);
            var phoneModel = chinese ? random.ArrayElement(new[] { "Huawei Mate 60", "Xiaomi 14", "iPhone 15", "OPPO Find X7" }) : random.ArrayElement(new[] { "iPhone 15", "Pixel 8", "Galaxy S24", "iPhone 13" });
            var device = new RefDevice { Id = new Guid(random.Bytes(16)), AccountId = account.Id, Name = phoneModel, Platform = phoneModel.StartsWith("iPhone", StringComparison.Ordinal) ? "ios" : "android", IsRegistered = true, FirstSeenAt = created, LastSeenAt = now.AddHours(-random.Int(1, 200)) };
            devices.Add(device);
            for (var s = 0; s < random.Int(1, 4); s++)
            {
                events.Add(new RefSecurityEvent { Id = new Guid(random.Bytes(16)), AccountId = account.Id, Kind = SecurityEventKinds.SignIn, At = now.AddHours(-random.Int(1, 24 * 30)), DeviceName = device.Name, Location = chinese ? random.ArrayElement(new[] { "Shanghai, CN", "Beijing, CN", "Shenzhen, CN" }) : random.ArrayElement(new[] { "New York, US", "Austin, US", "London, GB" }) });
            }

            states.Add(new State { AccountId = account.Id, Name = name, Currency = currency, TimeZone = zone, Sources = sources, Book = book });
        }

        // Two accounts with a suspicious sign-in from a new device; the first was locked by the wallet's risk engine.
        foreach (var (index, locked) in new[] { (0, true), (1, false) })
        {
            var account = accounts[index];
            var at = now.AddHours(-3 - index);
            devices.Add(new RefDevice { Id = new Guid(random.Bytes(16)), AccountId = account.Id, Name = "Unknown Android device", Platform = "android", IsRegistered = false, FirstSeenAt = at, LastSeenAt = at });
            events.Add(new RefSecurityEvent { Id = new Guid(random.Bytes(16)), AccountId = account.Id, Kind = SecurityEventKinds.NewDevice, At = at, DeviceName = "Unknown Android device", Location = "Lagos, NG", Suspicious = true });
            events.Add(new RefSecurityEvent { Id = new Guid(random.Bytes(16)), AccountId = account.Id, Kind = SecurityEventKinds.SignIn, At = at.AddMinutes(1), DeviceName = "Unknown Android device", Location = "Lagos, NG", Suspicious = true });
            events.Add(new RefSecurityEvent { Id = new Guid(random.Bytes(16)), AccountId = account.Id, Kind = SecurityEventKinds.VerificationFailed, At = at.AddMinutes(3), DeviceName = "Unknown Android device", Location = "Lagos, NG", Suspicious = true });
            if (locked)
            {
                account.LockedAt = at.AddMinutes(4);
                account.LockReason = "Suspicious sign-in from a new device";
                events.Add(new RefSecurityEvent { Id = new Guid(random.Bytes(16)), AccountId = account.Id, Kind = SecurityEventKinds.AccountLocked, At = at.AddMinutes(4), DeviceName = "risk engine" });
            }
        }

        if (accounts.Count > 2)
        {
            accounts[2].OutgoingFrozenAt = now.AddDays(-1);
            events.Add(new RefSecurityEvent { Id = new Guid(random.Bytes(16)), AccountId = accounts[2].Id, Kind = SecurityEventKinds.PhoneChanged, At = now.AddDays(-1).AddMinutes(-5), DeviceName = "iPhone 15" });
        }

        db.WalletAccounts.AddRange(accounts);
        db.WalletFundingSources.AddRange(sourcesAll);
        db.WalletDevices.AddRange(devices);
        db.WalletSecurityEvents.AddRange(events);
        db.WalletBooks.AddRange(books);

        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.SaveChangesAsync(ct); // assigns book ids
            var history = new History(system, now, random);
            history.Generate(states, random, en);
            await BulkInsert.InsertAsync(db, history.Transactions, ct);
            await BulkInsert.InsertAsync(db, history.Journal, ct);
            await db.SaveChangesAsync(ct); // the books' balances

            await transaction.CommitAsync(ct);
        });
        db.ChangeTracker.Clear();
        return true;
    }

    /// <summary>Builds the transactions in time order with balanced postings and in-memory balances (so no customer goes negative).</summary>
    private sealed class History(Dictionary<string, LedgerBook> system, DateTimeOffset now, Randomizer seeded)
    {
        private readonly Dictionary<long, long> _balances = [];

        public List<LedgerTransaction> Transactions { get; } = [];

        public List<JournalEntry> Journal { get; } = [];
        private int _key;

        public void Generate(List<State> states, Randomizer random, Faker en)
        {
            var plan = new List<(DateTimeOffset At, State Who, int Kind)>();
            foreach (var state in states)
            {
                var count = random.Int(5, 18);
                plan.Add((now.AddDays(-60).AddMinutes(random.Int(0, 600)), state, 0)); // an opening top-up
                for (var n = 0; n < count; n++)
                {
                    plan.Add((now.AddMinutes(-random.Int(30, 60 * 24 * 58)), state, random.WeightedRandom(new[] { 0, 1, 2, 3 }, new[] { 0.3f, 0.3f, 0.3f, 0.1f })));
                }
            }

            foreach (var (at, who, kind) in plan.OrderBy(p => p.At))
            {
                switch (kind)
                {
                    case 0:
                        TopUp(who, at, random);
                        break;
                    case 1:
                        var to = random.ArrayElement(states.Where(s => s.Currency == who.Currency && s.AccountId != who.AccountId).Take(40).ToArray());
                        Transfer(who, to, at, random);
                        break;
                    case 2:
                        Payment(who, at, random, en);
                        break;
                    default:
                        Withdraw(who, at, random);
                        break;
                }
            }

            // Recent activity still in flight, so the console has live cases.
            foreach (var who in states.Where((_, i) => i % 7 == 3))
            {
                var source = who.Sources.FirstOrDefault(s => s.Kind == FundingKinds.BankAccount) ?? who.Sources[0];
                var at = now.AddMinutes(-random.Int(5, 90));
                var tx = New(who, TransactionTypes.TopUp, LedgerService.In, Amount(who, random, 10_000, 200_000), at);
                tx.FundingSourceId = source.Id;
                tx.CounterpartyName = $"{source.Brand} ····{source.Last4}";
                Pend(tx, ReasonCodes.BankProcessing, at.AddHours(2));
            }

            foreach (var who in states.Where((_, i) => i % 11 == 5))
            {
                var to = random.ArrayElement(states.Where(s => s.Currency == who.Currency && s.AccountId != who.AccountId).Take(20).ToArray());
                var amount = Math.Min(Balance(who.Book), 600_000);
                if (amount > 1000)
                {
                    var tx = New(who, TransactionTypes.Transfer, LedgerService.Out, amount, now.AddMinutes(-random.Int(10, 120)));
                    tx.CounterpartyAccountId = to.AccountId;
                    tx.CounterpartyName = to.Name;
                    Hold(tx, who.Book);
                    Pend(tx, ReasonCodes.RiskReview, tx.CreatedAt.AddHours(4));
                }
            }

            foreach (var who in states.Where((_, i) => i % 13 == 6))
            {
                var at = now.AddHours(-random.Int(20, 40));
                var tx = New(who, TransactionTypes.Withdrawal, LedgerService.Out, Math.Min(Balance(who.Book), random.Int(5_000, 50_000)), at);
                var bank = who.Sources.First(s => s.Kind == FundingKinds.BankAccount);
                tx.FundingSourceId = bank.Id;
                tx.CounterpartyName = $"{bank.Brand} ····{bank.Last4}";
                if (tx.Amount <= 0)
                {
                    Transactions.Remove(tx);
                    continue;
                }

                Hold(tx, who.Book);
                Pend(tx, ReasonCodes.BankCutoff, now.AddHours(random.Int(2, 16)));
            }
        }

        private void TopUp(State who, DateTimeOffset at, Randomizer random)
        {
            var source = random.ArrayElement(who.Sources.ToArray());
            var tx = New(who, TransactionTypes.TopUp, LedgerService.In, Amount(who, random, 5_000, 300_000), at);
            tx.FundingSourceId = source.Id;
            tx.CounterpartyName = $"{source.Brand} ····{source.Last4}";
            if (source.Behaviour == FundingBehaviours.Decline)
            {
                Fail(tx, ReasonCodes.SourceDeclined);
                return;
            }

            if (random.Int(0, 24) == 0)
            {
                Fail(tx, ReasonCodes.DailyLimitExceeded);
                return;
            }

            Post(tx, (Book(BookKinds.Funding, who.Currency), -tx.Amount), (who.Book, tx.Amount));
            Complete(tx, source.Kind == FundingKinds.BankAccount ? at.AddHours(2) : at);
        }

        private void Transfer(State who, State to, DateTimeOffset at, Randomizer random)
        {
            var tx = New(who, TransactionTypes.Transfer, LedgerService.Out, Amount(who, random, 1_000, 80_000), at);
            tx.CounterpartyAccountId = to.AccountId;
            tx.CounterpartyName = to.Name;
            tx.Memo = random.ArrayElement(new[] { "Dinner", "Rent share", "Thanks!", "Taxi", "Gift", null });
            if (Balance(who.Book) < tx.Amount)
            {
                Fail(tx, ReasonCodes.InsufficientFunds);
                return;
            }

            Post(tx, (who.Book, -tx.Amount), (to.Book, tx.Amount));
            Complete(tx, at);
            if (random.Int(0, 30) == 0)
            {
                tx.DisputeOpenedAt = at.AddDays(1);
            }
        }

        private void Payment(State who, DateTimeOffset at, Randomizer random, Faker en)
        {
            var tx = New(who, TransactionTypes.Payment, LedgerService.Out, Amount(who, random, 500, 60_000), at);
            tx.CounterpartyName = random.Int(0, 3) == 0 ? en.Company.CompanyName() : random.ArrayElement(Merchants);
            if (Balance(who.Book) < tx.Amount)
            {
                Fail(tx, ReasonCodes.InsufficientFunds);
                return;
            }

            var merchant = Book(BookKinds.Merchant, who.Currency);
            Post(tx, (who.Book, -tx.Amount), (merchant, tx.Amount));
            Complete(tx, at);
            var roll = random.Int(0, 11);
            if (roll == 0 || roll == 1)
            {
                // A full (roll 0) or partial (roll 1) refund, completed a few days later.
                var amount = roll == 0 ? tx.Amount : Math.Max(1, tx.Amount / 3);
                var refund = New(who, TransactionTypes.Refund, LedgerService.In, amount, at.AddDays(random.Int(1, 5)) < now ? at.AddDays(random.Int(1, 5)) : now.AddMinutes(-5));
                refund.OriginalTransactionId = tx.Id;
                refund.CounterpartyName = tx.CounterpartyName;
                Post(refund, (merchant, -amount), (who.Book, amount));
                Complete(refund, refund.CreatedAt);
                tx.RefundedAmount = amount;
                tx.Status = amount == tx.Amount ? TransactionStatuses.Refunded : TransactionStatuses.PartiallyRefunded;
            }
            else if (roll == 2 && at > now.AddDays(-10))
            {
                // A refund in progress: the merchant's money is on its way back through the card network.
                var refund = New(who, TransactionTypes.Refund, LedgerService.In, tx.Amount, at.AddHours(6) < now ? at.AddHours(6) : now.AddMinutes(-5));
                refund.OriginalTransactionId = tx.Id;
                refund.CounterpartyName = tx.CounterpartyName;
                Post(refund, (merchant, -tx.Amount), (Book(BookKinds.Suspense, who.Currency), tx.Amount));
                refund.FundsHeld = true;
                Pend(refund, ReasonCodes.BankProcessing, now.AddHours(random.Int(2, 48)));
                tx.RefundedAmount = tx.Amount;
                tx.Status = TransactionStatuses.Refunded;
            }
        }

        private void Withdraw(State who, DateTimeOffset at, Randomizer random)
        {
            var bank = who.Sources.First(s => s.Kind == FundingKinds.BankAccount);
            var tx = New(who, TransactionTypes.Withdrawal, LedgerService.Out, Amount(who, random, 10_000, 100_000), at);
            tx.FundingSourceId = bank.Id;
            tx.CounterpartyName = $"{bank.Brand} ····{bank.Last4}";
            if (Balance(who.Book) < tx.Amount)
            {
                Fail(tx, ReasonCodes.InsufficientFunds);
                return;
            }

            Post(tx, (who.Book, -tx.Amount), (Book(BookKinds.Suspense, who.Currency), tx.Amount));
            if (bank.Behaviour == FundingBehaviours.Decline)
            {
                Post(tx, (Book(BookKinds.Suspense, who.Currency), -tx.Amount), (who.Book, tx.Amount));
                Fail(tx, ReasonCodes.SourceDeclined);
                return;
            }

            Post(tx, (Book(BookKinds.Suspense, who.Currency), -tx.Amount), (Book(BookKinds.Payout, who.Currency), tx.Amount));
            Complete(tx, at.AddHours(2));
        }

        private LedgerTransaction New(State who, string type, string direction, long amount, DateTimeOffset at)
        {
            var tx = new LedgerTransaction
            {
                Id = new Guid(seeded.Bytes(16)),
                Reference = "WT" + seeded.String2(10, "0123456789ABCDEFGHJKMNPQRSTVWXYZ"),
                AccountId = who.AccountId,
                OwnerName = who.Name,
                IdempotencyKey = $"seed-{++_key}",
                RequestHash = "seed",
                Type = type,
                OwnerDirection = direction,
                Amount = amount,
                Currency = who.Currency,
                Status = TransactionStatuses.Pending,
                CreatedAt = at,
                UpdatedAt = at,
            };
            Transactions.Add(tx);
            return tx;
        }

        private void Hold(LedgerTransaction tx, LedgerBook payer)
        {
            Post(tx, (payer, -tx.Amount), (Book(BookKinds.Suspense, tx.Currency), tx.Amount));
            tx.FundsHeld = true;
        }

        private static void Pend(LedgerTransaction tx, string reason, DateTimeOffset expected)
        {
            tx.Status = TransactionStatuses.Pending;
            tx.ReasonCode = reason;
            tx.ExpectedSettlementAt = expected;
        }

        private static void Fail(LedgerTransaction tx, string reason)
        {
            tx.Status = TransactionStatuses.Failed;
            tx.ReasonCode = reason;
        }

        private static void Complete(LedgerTransaction tx, DateTimeOffset at)
        {
            tx.Status = TransactionStatuses.Completed;
            tx.SettledAt = at;
            tx.UpdatedAt = at;
        }

        private LedgerBook Book(string kind, string currency) => system[LedgerService.SystemBookCode(kind, currency)];

        private long Balance(LedgerBook book) => _balances.GetValueOrDefault(book.Id);

        private void Post(LedgerTransaction tx, params (LedgerBook Book, long Amount)[] legs)
        {
            var posting = new Guid(seeded.Bytes(16));
            foreach (var (book, amount) in legs)
            {
                _balances[book.Id] = Balance(book) + amount;
                book.Balance += amount;
                Journal.Add(new JournalEntry { PostingId = posting, TransactionId = tx.Id, BookId = book.Id, Currency = tx.Currency, Amount = amount, CreatedAt = tx.CreatedAt });
            }
        }

        private static long Amount(State who, Randomizer random, long min, long max)
        {
            // CNY amounts are larger in minor units than USD for the same spending; keep them in round-ish figures.
            var scale = who.Currency == "CNY" ? 1 : 7;
            return Math.Max(100, random.Long(min / scale, max / scale) / 100 * 100 + (random.Bool(0.3f) ? random.Int(1, 99) : 0));
        }
    }
}
