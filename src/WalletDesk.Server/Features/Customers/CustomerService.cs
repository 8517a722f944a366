using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Features.Tickets;

namespace WalletDesk.Server.Features.Customers;

/// <summary>Customer profiles. The wallet is the source of truth for who a customer is; support keeps a linked profile.</summary>
public sealed class CustomerService(AppDbContext db, TicketIntake intake, TimeProvider time)
{
    public async Task<Customer> GetOrCreateFromTokenAsync(CustomerTokenIdentity identity, CancellationToken cancellationToken = default)
    {
        var existing = await db.Customers.SingleOrDefaultAsync(c => c.ExternalId == identity.ExternalId, cancellationToken);
        if (existing is not null)
        {
            await HealAsync(existing, cancellationToken);
            return existing;
        }

        var customer = new Customer
        {
            Id = Guid.CreateVersion7(),
            ExternalId = identity.ExternalId,
            DisplayName = intake.Field(identity.Name, NameLength) ?? "Wallet customer",
            Email = intake.Field(identity.Email, 256, contact: true),
            Phone = intake.Field(identity.Phone, 32, contact: true),
            Locale = identity.Locale?.StartsWith("zh", StringComparison.OrdinalIgnoreCase) == true ? "zh" : "en",
            CreatedAt = time.GetUtcNow(),
        };
        db.Customers.Add(customer);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return customer;
        }
        catch (DbUpdateException)
        {
            // Two first requests raced on the unique ExternalId: the other one won.
            db.Entry(customer).State = EntityState.Detached;
            return await db.Customers.SingleAsync(c => c.ExternalId == identity.ExternalId, cancellationToken);
        }
    }

    /// <summary>Prefix of <see cref="Customer.ExternalId"/> for people known only by an email address (no wallet account).</summary>
    public const string EmailOnlyPrefix = "email:";

    /// <summary>
    /// The wallet customer whose address this is, as the wallet told us (the wallet verifies its customers' addresses; support
    /// never changes them). Null when none, or when several share it — then nobody is linked.
    /// </summary>
    public async Task<Customer?> FindByVerifiedEmailAsync(string address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var lower = address.Trim().ToLowerInvariant();
#pragma warning disable CA1862 // EF translates ToLower() to SQL lower(); string.Equals with a StringComparison does not translate.
        var matches = await db.Customers.Where(c => c.Email != null && c.Email.ToLower() == lower && !c.ExternalId.StartsWith(EmailOnlyPrefix))
            .Take(2).ToListAsync(cancellationToken);
#pragma warning restore CA1862
        return matches.Count == 1 ? matches[0] : null;
    }

    /// <summary>The profile of someone known only by their email address (created on first contact; never linked to a wallet by email alone).</summary>
    public async Task<Customer> GetOrCreateForEmailAsync(string address, string? displayName, string locale, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var externalId = Clip(EmailOnlyPrefix + address.Trim().ToLowerInvariant(), 128)!;
        var existing = await db.Customers.SingleOrDefaultAsync(c => c.ExternalId == externalId, cancellationToken);
        if (existing is not null)
        {
            return existing;
        }

        var customer = new Customer
        {
            Id = Guid.CreateVersion7(),
            ExternalId = externalId,
            DisplayName = Clip(string.IsNullOrWhiteSpace(displayName) ? address.Trim() : intake.Field(displayName.Trim(), NameLength) ?? address.Trim(), NameLength)!,
            Email = Clip(address.Trim(), 256),
            Locale = locale == "zh" ? "zh" : "en",
            CreatedAt = time.GetUtcNow(),
        };
        db.Customers.Add(customer);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return customer;
        }
        catch (DbUpdateException)
        {
            db.Entry(customer).State = EntityState.Detached;
            return await db.Customers.SingleAsync(c => c.ExternalId == externalId, cancellationToken);
        }
    }

    private static string? Clip(string? value, int max) => value is null ? null : value.Length <= max ? value : value[..max];
    private const int NameLength = 128;

    // Profiles made before names passed intake may hold a card number in the name: cleaned on the customer's next visit.
    private async Task HealAsync(Customer customer, CancellationToken ct)
    {
        var name = intake.Field(customer.DisplayName, NameLength) ?? "Wallet customer";
        var email = intake.Field(customer.Email, 256, contact: true);
        var phone = intake.Field(customer.Phone, 32, contact: true);
        if (name != customer.DisplayName || email != customer.Email || phone != customer.Phone)
        {
            (customer.DisplayName, customer.Email, customer.Phone) = (name, email, phone);
            await db.SaveChangesAsync(ct);
        }
    }
}
