using System.Net.WebSockets;

namespace WalletDesk.HubClient;

/// <summary>
/// Splits the WebSocket stream into hub protocol records (JSON text each ending with the 0x1E record separator). One
/// WebSocket message may hold several records and one record may span several messages.
/// </summary>
internal sealed class RecordReader(WebSocket socket, int maximumRecordSize)
{
    public const byte Separator = 0x1e;

    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;
    private int _scanned;

    /// <summary>The next record without its separator (valid until the next call), or null when the server closed the socket.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var found = _buffer.AsSpan(_scanned, _end - _scanned).IndexOf(Separator);
            if (found >= 0)
            {
                var record = _buffer.AsMemory(_start, _scanned + found - _start);
                _start = _scanned = _scanned + found + 1;
                return record;
            }

            _scanned = _end;
            MakeRoom();
            var result = await socket.ReceiveAsync(_buffer.AsMemory(_end), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            _end += result.Count;
        }
    }

    private void MakeRoom()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _scanned -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= maximumRecordSize)
            {
                throw new InvalidDataException($"A message from the server exceeds {maximumRecordSize} bytes.");
            }

            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, maximumRecordSize));
        }
    }
}
