using System.Net;
using System.Net.Sockets;

namespace WalletDesk.Server.Tests.Infrastructure;

/// <summary>A loopback TCP forwarder that tests cut and restore to simulate the database going away.</summary>
public sealed class TcpProxy(string targetHost, int targetPort) : IAsyncDisposable
{
    private TcpListener? _listener;
    private CancellationTokenSource _cts = new();
    private readonly List<TcpClient> _open = [];
    private readonly Lock _gate = new();

    public int Port { get; private set; }

    public void Start()
    {
        _cts = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptLoopAsync(_listener, _cts.Token);
    }

    /// <summary>Stops listening and drops every open connection, as a crashed database host would.</summary>
    public void Cut()
    {
        _cts.Cancel();
        _listener?.Stop();
        lock (_gate)
        {
            foreach (var client in _open)
            {
                try
                {
                    // Reset rather than close gracefully, like a host that vanished.
                    client.Client?.Close(0);
                }
                catch (ObjectDisposedException)
                {
                }

                client.Dispose();
            }

            _open.Clear();
        }
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(ct);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }

            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(targetHost, targetPort, ct);
            }
            catch (Exception)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }

            lock (_gate)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }

            _ = PumpAsync(inbound, outbound, ct);
            _ = PumpAsync(outbound, inbound, ct);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to, CancellationToken ct)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), ct);
        }
        catch (Exception)
        {
            // Either side closed or the proxy was cut.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        _cts.Dispose();
        return ValueTask.CompletedTask;
    }
}
