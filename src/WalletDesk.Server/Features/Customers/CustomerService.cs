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
