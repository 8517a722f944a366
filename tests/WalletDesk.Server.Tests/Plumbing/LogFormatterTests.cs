using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Server.Tests.Plumbing;

public sealed class LogFormatterTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Formatter_ScrubsMessageAndProperties_InTextAndJson(bool json)
    {
        var formatter = Create(json);
        var state = new FormattedState("Request GET /hubs/chat?access_token={Token} from customer who wrote {Text}", [
            new("Token", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"),
            new("Text", "card 4111 1111 1111 1111 cvv 123"),
        ]);
        using var writer = new StringWriter();

        formatter.Write(new LogEntry<FormattedState>(LogLevel.Information, "Test", new EventId(7), state, null, (s, _) => s.ToString()), null, writer);

        var output = writer.ToString();
        output.ShouldNotContain("eyJhbGciOiJIUzI1NiJ9");
        output.Replace(" ", "", StringComparison.Ordinal).ShouldNotContain("4111111111111111");
        if (json)
        {
            using var doc = JsonDocument.Parse(output);
            doc.RootElement.GetProperty("eventId").GetInt32().ShouldBe(7);
            doc.RootElement.GetProperty("properties").GetProperty("Text").GetString()!.ShouldNotContain("4111 1111 1111 1111");
        }
    }

    private static Microsoft.Extensions.Logging.Console.ConsoleFormatter Create(bool json)
    {
        var type = typeof(LogRedaction).Assembly.GetType("WalletDesk.Server.Infrastructure.ScrubbingConsoleFormatter")!;
        var options = new StaticOptions(new WalletDeskLogOptions { Json = json });
        return (Microsoft.Extensions.Logging.Console.ConsoleFormatter)Activator.CreateInstance(type, options, TimeProvider.System)!;
    }

    private sealed class StaticOptions(WalletDeskLogOptions value) : IOptionsMonitor<WalletDeskLogOptions>
    {
        public WalletDeskLogOptions CurrentValue => value;

        public WalletDeskLogOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<WalletDeskLogOptions, string?> listener) => null;
    }

    private sealed class FormattedState(string format, KeyValuePair<string, object?>[] values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public KeyValuePair<string, object?> this[int index] => index < values.Length ? values[index] : new("{OriginalFormat}", format);

        public int Count => values.Length + 1;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Enumerable.Range(0, Count).Select(i => this[i]).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => values.Aggregate(format, (text, pair) => text.Replace("{" + pair.Key + "}", Convert.ToString(pair.Value, System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }
}
