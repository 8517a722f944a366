using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace WalletDesk.Server.Infrastructure;

/// <summary>Console logs pass through a scrubber so tokens, passwords, one-time codes and card numbers never reach them.</summary>
public static class Logging
{
    public const string FormatterName = "walletdesk";

    public static WebApplicationBuilder AddWalletDeskLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(options => options.FormatterName = FormatterName);
        builder.Logging.AddConsoleFormatter<ScrubbingConsoleFormatter, ConsoleFormatterOptions>();
        return builder;
    }
}

internal sealed class ScrubbingConsoleFormatter(IOptionsMonitor<ConsoleFormatterOptions> options, TimeProvider time) : ConsoleFormatter(Logging.FormatterName)
{
    public override void Write<TState>(in LogEntry<TState> logEntry, Microsoft.Extensions.Logging.IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        var level = logEntry.LogLevel switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            LogLevel.Critical => "crit",
            _ => "none",
        };
        var timestamp = options.CurrentValue.TimestampFormat is { } format ? time.GetUtcNow().ToString(format, System.Globalization.CultureInfo.InvariantCulture) : null;
        var line = $"{timestamp}{level}: {logEntry.Category}[{logEntry.EventId.Id}] {message}";
        if (logEntry.Exception is { } ex)
        {
            // The exception type and stack only: messages may quote request data.
            line += $"{Environment.NewLine}  {ex.GetType().FullName}{Environment.NewLine}{ex.StackTrace}";
        }

        textWriter.WriteLine(LogRedaction.Scrub(line));
    }
}

/// <summary>The one place log text is scrubbed.</summary>
public static class LogRedaction
{
    public static string Scrub(string text) => WalletDesk.Redaction.LogScrubber.Scrub(text);
}
