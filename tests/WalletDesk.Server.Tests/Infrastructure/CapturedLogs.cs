using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace WalletDesk.Server.Tests.Infrastructure;

/// <summary>Every log message the server writes, as formatted text, for "no secret in the logs" checks.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>The same messages with their level, category and whether an exception (a stack) came with them.</summary>
    public IReadOnlyCollection<CapturedLog> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception?.Message}");
            owner._entries.Enqueue(new CapturedLog(logLevel, category, formatter(state, exception), exception));
        }
    }
}

public sealed record CapturedLog(LogLevel Level, string Category, string Message, Exception? Exception)
{
    public override string ToString() => $"{Level} {Category}: {Message} {Exception?.GetType().Name}";
}
