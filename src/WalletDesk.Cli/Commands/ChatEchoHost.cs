using System.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;

namespace WalletDesk.Cli.Commands;

/// <summary>
/// The raw SignalR echo that <c>walletdesk bench chat</c> measures as its baseline: Kestrel with one hub whose
/// <c>Send</c> pushes a <c>message</c> event back to the caller and returns an ack, with no database, routing or auth.
/// It runs as a child process (<c>walletdesk bench chat-echo-host</c>, hidden) so its memory and CPU are measured the
/// same way as the WalletDesk server's, apart from the bench's own clients.
/// </summary>
internal static class ChatEchoHost
{
    public const string HubPath = "/hubs/echo";

    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1.", Required = true };
        var command = new Command("chat-echo-host", "The raw SignalR echo server used by bench chat (started by it).") { port };
        command.Hidden = true;
        command.SetAction(async (parse, ct) =>
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{parse.GetValue(port)}");
            builder.Logging.ClearProviders();
            builder.Services.AddSignalR();
            await using var app = builder.Build();
            app.UseWebSockets();
            app.MapGet("/health/ready", () => Results.Text("ok"));
            app.MapHub<EchoHub>(HubPath);
            await app.StartAsync(ct);
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    internal sealed record EchoMessage(long ConversationId, long Seq, string AuthorType, string Text, DateTimeOffset At, string ClientMessageId);

    internal sealed record EchoAck(long ConversationId, long Seq, DateTimeOffset At);

    internal sealed class EchoHub : Hub
    {
        private static long s_seq;

        public async Task<EchoAck> Send(long conversationId, string clientMessageId, string text)
        {
            var seq = Interlocked.Increment(ref s_seq);
            var at = TimeProvider.System.GetUtcNow();
            await Clients.Caller.SendAsync("message", new EchoMessage(conversationId, seq, "customer", text, at, clientMessageId));
            return new EchoAck(conversationId, seq, at);
        }
    }
}
