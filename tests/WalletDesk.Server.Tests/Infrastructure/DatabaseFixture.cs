using System.Collections.Concurrent;

namespace WalletDesk.Server.Tests.Infrastructure;

/// <summary>One server per provider per test class, started on first use.</summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<WalletDeskFactory>>> _factories = new();

    public Task<WalletDeskFactory> For(string provider) =>
        _factories.GetOrAdd(provider, p => new Lazy<Task<WalletDeskFactory>>(() => WalletDeskFactory.CreateAsync(p))).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var lazy in _factories.Values.Where(l => l.IsValueCreated))
        {
            await (await lazy.Value).DisposeAsync();
        }
    }
}
