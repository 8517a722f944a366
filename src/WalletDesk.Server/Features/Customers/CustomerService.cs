using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Identity;

namespace WalletDesk.Server.Features.Customers;

/// <summary>Customer profiles. The wallet is the source of truth for who a customer is; support keeps a linked profile.</summary>
public sealed class CustomerService(AppDbContext db, TimeProvider time)
{
    public async Task<Customer> GetOrCreateFromTokenAsync(CustomerTokenIdentity identity, CancellationToken cancellationToken = default)
    {
        var existing = await db.Customers.SingleOrDefaultAsync(c => c.ExternalId == identity.ExternalId, cancellationToken);
        if (existing is not null)
        {
            return existing;
        }

        var customer = new Customer
        {
            Id = Guid.CreateVersion7(),
            ExternalId = identity.ExternalId,
            DisplayName = Clip(identity.Name, 128) ?? "Wallet customer",
            Email = Clip(identity.Email, 256),
            Phone = Clip(identity.Phone, 32),
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

    private static string? Clip(string? value, int max) => value is null ? null : value.Length <= max ? value : value[..max];
}
