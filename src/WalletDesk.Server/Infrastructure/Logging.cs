using System.Text.Json;
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
        builder.Logging.AddConsoleFormatter<ScrubbingConsoleFormatter, WalletDeskLogOptions>(options =>
            options.Json = string.Equals(builder.Configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase));
        return builder;
    }
}

/// <summary>Console log options; <c>Logging:Format=json</c> writes one JSON object per line for log shippers.</summary>
public sealed class WalletDeskLogOptions : ConsoleFormatterOptions
{
    public bool Json { get; set; }
}

internal sealed class ScrubbingConsoleFormatter(IOptionsMonitor<WalletDeskLogOptions> options, TimeProvider time) : ConsoleFormatter(Logging.FormatterName)
{
    public override void Write<TState>(in LogEntry<TState> logEntry, Microsoft.Extensions.Logging.IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        var settings = options.CurrentValue;
        if (settings.Json)
        {
            textWriter.WriteLine(ToJson(logEntry, message));
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
        var timestamp = settings.TimestampFormat is { } format ? time.GetUtcNow().ToString(format, System.Globalization.CultureInfo.InvariantCulture) : null;
        var line = $"{timestamp}{level}: {logEntry.Category}[{logEntry.EventId.Id}] {message}";
        if (logEntry.Exception is { } ex)
        {
            // The exception type and stack only: messages may quote request data.
            line += $"{Environment.NewLine}  {ex.GetType().FullName}{Environment.NewLine}{ex.StackTrace}";
        }

        textWriter.WriteLine(LogRedaction.Scrub(line));
    }

    private string ToJson<TState>(in LogEntry<TState> logEntry, string message)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", time.GetUtcNow());
            json.WriteString("level", logEntry.LogLevel.ToString());
            json.WriteString("category", logEntry.Category);
            json.WriteNumber("eventId", logEntry.EventId.Id);
            json.WriteString("message", LogRedaction.Scrub(message));
            if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> properties)
            {
                json.WriteStartObject("properties");
                foreach (var (key, value) in properties)
                {
                    if (key != "{OriginalFormat}")
                    {
                        json.WriteString(key, LogRedaction.Scrub(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
                    }
                }

                json.WriteEndObject();
            }

            if (logEntry.Exception is { } ex)
            {
                json.WriteString("exception", ex.GetType().FullName);
                json.WriteString("stack", ex.StackTrace);
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>The one place log text is scrubbed.</summary>
public static class LogRedaction
{
    public static string Scrub(string text) => WalletDesk.Redaction.LogScrubber.Scrub(text);
}
