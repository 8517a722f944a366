using System.Buffers.Binary;
using System.Text;

namespace WalletDesk.Server.Features.Attachments;

/// <summary>What the bytes are, or why they are refused.</summary>
public sealed record ContentVerdict(string? Kind, string? Problem)
{
    public static ContentVerdict Refuse(string problem) => new(null, problem);
}

/// <summary>
/// Decides a file's type from its bytes (magic numbers), then walks the format's structure to the end so that
/// appended payloads and polyglots (a GIF header in front of JavaScript, HTML after a JPEG's end marker, a ZIP after a
/// PDF's <c>%%EOF</c>) are refused. Reads the file once or twice sequentially; never holds it in memory.
/// </summary>
public static class AttachmentContent
{
    // Larger images are refused rather than risk decompression bombs in viewers (pixel floods).
    public const int MaxImageSide = 16_384;
    public const long MaxImagePixels = 80_000_000;

    // Script or markup inside an image or PDF: a polyglot, or active content a viewer might run.
    private static readonly string[] BinaryMarkers = ["<script", "<html", "<svg", "<iframe", "<body", "<?php", "<%@", "javascript:", "alert(", "eval(", "document.cookie", "onerror=", "onload="];
    private static readonly string[] PdfActiveContent = ["/JavaScript", "/JS ", "/JS(", "/JS<", "/JS/", "/JS\n", "/JS\r", "/Launch", "/EmbeddedFile", "/RichMedia", "/XFA"];
    private static readonly string[] TextMarkup = ["<script", "<html", "<svg", "<iframe", "<body", "<?xml", "<!doctype", "<object", "<embed", "<meta", "<?php", "<%@", "javascript:", "<xsl:", "<x:xmpmeta"];

    public static async Task<ContentVerdict> InspectAsync(string path, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var length = stream.Length;
        if (length == 0)
        {
            return ContentVerdict.Refuse("The file is empty.");
        }

        var head = new byte[Math.Min(16, length)];
        await stream.ReadExactlyAsync(head, ct);
        stream.Position = 0;
        var kind = Sniff(head);
        if (kind is null)
        {
            if (KnownRefused(head) is { } refused)
            {
                return ContentVerdict.Refuse($"{refused} files are not accepted. Accepted: PNG, JPEG, GIF, WebP and PDF files, and plain text or CSV.");
            }

            kind = AttachmentKinds.Text;
        }

        var reader = new ByteReader(stream, length);
        var problem = kind switch
        {
            AttachmentKinds.Png => Png(reader),
            AttachmentKinds.Jpeg => Jpeg(reader),
            AttachmentKinds.Gif => Gif(reader),
            AttachmentKinds.WebP => WebP(reader),
            AttachmentKinds.Pdf => await PdfAsync(stream, length, ct),
            _ => await TextAsync(stream, ct),
        };
        if (problem is not null)
        {
            return ContentVerdict.Refuse(problem);
        }

        if (kind != AttachmentKinds.Text)
        {
            stream.Position = 0;
            var markers = kind == AttachmentKinds.Pdf ? PdfActiveContent.Concat(BinaryMarkers) : BinaryMarkers;
            if (await FindMarkerAsync(stream, markers.ToArray(), ignoreCase: kind != AttachmentKinds.Pdf, ct) is { } marker)
            {
                return ContentVerdict.Refuse($"The file contains script or active content ('{marker.Trim()}') and is not accepted.");
            }
        }

        return new ContentVerdict(kind, null);
    }

    internal static string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return AttachmentKinds.Png;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return AttachmentKinds.Jpeg;
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return AttachmentKinds.Gif;
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return AttachmentKinds.WebP;
        }

        return head.StartsWith("%PDF-"u8) ? AttachmentKinds.Pdf : null;
    }

    private static string? KnownRefused(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("MZ"u8) || head.StartsWith((ReadOnlySpan<byte>)[0x7F, (byte)'E', (byte)'L', (byte)'F'])
            || head.StartsWith((ReadOnlySpan<byte>)[0xCA, 0xFE, 0xBA, 0xBE]) || head.StartsWith((ReadOnlySpan<byte>)[0xCF, 0xFA, 0xED, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xED, 0xFA, 0xCF]))
        {
            return "Executable";
        }

        if (head.StartsWith("PK"u8) || head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]) || head.StartsWith("7z"u8) || head.StartsWith("Rar!"u8)
            || head.StartsWith("BZh"u8) || head.StartsWith((ReadOnlySpan<byte>)[0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z']) || head.StartsWith((ReadOnlySpan<byte>)[0x28, 0xB5, 0x2F, 0xFD]))
        {
            return "Archive";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0]) || head.StartsWith("{\\rtf"u8))
        {
            return "Office document";
        }

        return null;
    }

    private static string? Png(ByteReader r)
    {
        r.Skip(8);
        var first = true;
        while (r.Remaining >= 12)
        {
            var length = r.UInt32BigEndian();
            var type = r.Bytes(4);
            if (length > int.MaxValue || length + 4 > r.Remaining || !type.All(b => b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z'))
            {
                return "The PNG image is damaged.";
            }

            var name = Encoding.ASCII.GetString(type);
            if (first)
            {
                if (name != "IHDR" || length != 13)
                {
                    return "The PNG image is damaged.";
                }

                var width = r.UInt32BigEndian();
                var height = r.UInt32BigEndian();
                r.Skip(5 + 4);
                if (TooLarge(width, height) is { } large)
                {
                    return large;
                }

                first = false;
                continue;
            }

            r.Skip(length + 4);
            if (name == "IEND")
            {
                return r.Remaining == 0 ? null : "The PNG image has data after its end; such files are not accepted.";
            }
        }

        return "The PNG image is damaged or truncated.";
    }

    private static string? Jpeg(ByteReader r)
    {
        r.Skip(2);
        while (true)
        {
            var b = r.Byte();
            if (b < 0)
            {
                return "The JPEG image is truncated.";
            }

            if (b != 0xFF)
            {
                return "The JPEG image is damaged.";
            }

            var marker = r.Byte();
            while (marker == 0xFF)
            {
                marker = r.Byte();
            }

            if (marker < 0)
            {
                return "The JPEG image is truncated.";
            }

            if (marker == 0xD9)
            {
                return r.RestIsZero() ? null : "The JPEG image has data after its end; such files are not accepted.";
            }

            if (marker is >= 0xD0 and <= 0xD7 or 0x01)
            {
                continue;
            }

            if (r.Remaining < 2)
            {
                return "The JPEG image is truncated.";
            }

            var length = r.UInt16BigEndian();
            if (length < 2 || length - 2 > r.Remaining)
            {
                return "The JPEG image is damaged.";
            }

            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC && length >= 7)
            {
                r.Skip(1);
                var height = r.UInt16BigEndian();
                var width = r.UInt16BigEndian();
                r.Skip(length - 7);
                if (TooLarge(width, height) is { } large)
                {
                    return large;
                }

                continue;
            }

            r.Skip(length - 2);
            if (marker == 0xDA)
            {
                // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a restart marker.
                while (true)
                {
                    var c = r.Byte();
                    if (c < 0)
                    {
                        return "The JPEG image is truncated.";
                    }

                    if (c != 0xFF)
                    {
                        continue;
                    }

                    var next = r.Byte();
                    while (next == 0xFF)
                    {
                        next = r.Byte();
                    }

                    if (next < 0)
                    {
                        return "The JPEG image is truncated.";
                    }

                    if (next is 0x00 or >= 0xD0 and <= 0xD7)
                    {
                        continue;
                    }

                    r.Unread(2); // back to 0xFF <marker> so the segment loop reads it
                    break;
                }
            }
        }
    }

    private static string? Gif(ByteReader r)
    {
        r.Skip(6);
        if (r.Remaining < 7)
        {
            return "The GIF image is truncated.";
        }

        var width = r.UInt16LittleEndian();
        var height = r.UInt16LittleEndian();
        var packed = r.Byte();
        r.Skip(2);
        if (TooLarge(width, height) is { } large)
        {
            return large;
        }

        if ((packed & 0x80) != 0)
        {
            r.Skip(3L * (1 << ((packed & 7) + 1)));
        }

        while (true)
        {
            var block = r.Byte();
            switch (block)
            {
                case 0x2C:
                    if (r.Remaining < 9)
                    {
                        return "The GIF image is truncated.";
                    }

                    r.Skip(8);
                    var local = r.Byte();
                    if ((local & 0x80) != 0)
                    {
                        r.Skip(3L * (1 << ((local & 7) + 1)));
                    }

                    var codeSize = r.Byte();
                    if (codeSize is < 1 or > 12 || !SubBlocks(r))
                    {
                        return "The GIF image is damaged.";
                    }

                    break;
                case 0x21:
                    var label = r.Byte();
                    if (label < 0 || !SubBlocks(r))
                    {
                        return "The GIF image is damaged.";
                    }

                    break;
                case 0x3B:
                    return r.RestIsZero() ? null : "The GIF image has data after its end; such files are not accepted.";
                case < 0:
                    return "The GIF image is truncated.";
                default:
                    return "The GIF image is damaged (it may be another kind of file behind a GIF header).";
            }
        }
    }

    private static bool SubBlocks(ByteReader r)
    {
        while (true)
        {
            var size = r.Byte();
            if (size < 0 || size > r.Remaining)
            {
                return false;
            }

            if (size == 0)
            {
                return true;
            }

            r.Skip(size);
        }
    }

    private static string? WebP(ByteReader r)
    {
        r.Skip(4);
        var riffSize = r.UInt32LittleEndian();
        r.Skip(4);
        if (riffSize + 8 != r.Length)
        {
            return "The WebP image's size does not match its header (data was added or cut); such files are not accepted.";
        }

        var first = true;
        while (r.Remaining > 0)
        {
            if (r.Remaining < 8)
            {
                return "The WebP image is damaged.";
            }

            var fourCc = Encoding.ASCII.GetString(r.Bytes(4));
            var size = r.UInt32LittleEndian();
            var padded = size + (size & 1);
            if (first && fourCc is not ("VP8 " or "VP8L" or "VP8X"))
            {
                return "The WebP image is damaged.";
            }

            if (padded > r.Remaining && size > r.Remaining)
            {
                return "The WebP image is truncated.";
            }

            r.Skip(Math.Min(padded, r.Remaining));
            first = false;
        }

        return first ? "The WebP image is empty." : null;
    }

    private static async Task<string?> PdfAsync(FileStream stream, long length, CancellationToken ct)
    {
        var tailLength = (int)Math.Min(2048, length);
        var tail = new byte[tailLength];
        stream.Position = length - tailLength;
        await stream.ReadExactlyAsync(tail, ct);
        var end = tail.AsSpan().LastIndexOf("%%EOF"u8);
        if (end < 0)
        {
            return "The PDF is truncated (no end-of-file marker).";
        }

        foreach (var b in tail.AsSpan(end + 5))
        {
            if (b is not ((byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t' or 0))
            {
                return "The PDF has data after its end; such files are not accepted.";
            }
        }

        return null;
    }

    private static async Task<string?> TextAsync(FileStream stream, CancellationToken ct)
    {
        // Plain text must be UTF-8 (an optional BOM), without NUL or other control characters, and not markup or a script.
        var decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
        var bytes = new byte[64 * 1024];
        var chars = new char[bytes.Length + 4];
        var carry = "";
        var first = true;
        int read;
        try
        {
            while ((read = await stream.ReadAsync(bytes, ct)) > 0)
            {
                var count = decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
                var text = carry + new string(chars, 0, count);
                if (first)
                {
                    var start = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
                    if (start.StartsWith('<'))
                    {
                        return "The file looks like HTML or XML, which is not accepted. Send a screenshot or a PDF instead.";
                    }

                    if (start.StartsWith("#!", StringComparison.Ordinal))
                    {
                        return "Scripts are not accepted.";
                    }

                    first = false;
                }

                foreach (var c in text)
                {
                    if (char.IsControl(c) && c is not ('\t' or '\n' or '\r' or '\f'))
                    {
                        return "The file is not plain text (it contains binary data). Accepted: PNG, JPEG, GIF, WebP and PDF files, and plain text or CSV.";
                    }
                }

                foreach (var marker in TextMarkup)
                {
                    if (text.Contains(marker, StringComparison.OrdinalIgnoreCase))
                    {
                        return $"The text contains markup or script ('{marker}') and is not accepted.";
                    }
                }

                carry = text[Math.Max(0, text.Length - 16)..];
            }

            decoder.GetChars([], 0, 0, chars, 0, flush: true);
        }
        catch (DecoderFallbackException)
        {
            return "The file is not UTF-8 text. Accepted: PNG, JPEG, GIF, WebP and PDF files, and plain text or CSV in UTF-8.";
        }

        return null;
    }

    private static async Task<string?> FindMarkerAsync(Stream stream, string[] markers, bool ignoreCase, CancellationToken ct)
    {
        var needles = markers.Select(m => Encoding.ASCII.GetBytes(ignoreCase ? m.ToLowerInvariant() : m)).ToArray();
        var overlap = needles.Max(n => n.Length) - 1;
        var buffer = new byte[64 * 1024 + overlap];
        var kept = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(kept, buffer.Length - kept), ct)) > 0)
        {
            var total = kept + read;
            var window = buffer.AsSpan(0, total);
            if (ignoreCase)
            {
                for (var i = kept; i < total; i++)
                {
                    if (window[i] is >= (byte)'A' and <= (byte)'Z')
                    {
                        window[i] = (byte)(window[i] | 0x20);
                    }
                }
            }

            for (var n = 0; n < needles.Length; n++)
            {
                if (window.IndexOf(needles[n]) >= 0)
                {
                    return markers[n];
                }
            }

            kept = Math.Min(overlap, total);
            window[(total - kept)..].CopyTo(buffer);
        }

        return null;
    }

    private static string? TooLarge(long width, long height) =>
        width > MaxImageSide || height > MaxImageSide || width * height > MaxImagePixels
            ? $"The image is {width}x{height} pixels; the limit is {MaxImageSide} pixels a side and {MaxImagePixels:N0} pixels in all."
            : null;

    /// <summary>A forward reader with its own buffer; past the end it reads -1 / zeros and <see cref="Remaining"/> stays 0.</summary>
    private sealed class ByteReader(Stream stream, long length)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private long _bufferStart;
        private int _bufferLength;
        private long _position;

        public long Length => length;

        public long Remaining => Math.Max(0, length - _position);

        public int Byte()
        {
            if (_position >= length)
            {
                _position = length + 1;
                return -1;
            }

            if (_position < _bufferStart || _position >= _bufferStart + _bufferLength)
            {
                stream.Position = _position;
                _bufferStart = _position;
                _bufferLength = stream.Read(_buffer, 0, _buffer.Length);
                if (_bufferLength <= 0)
                {
                    return -1;
                }
            }

            return _buffer[(int)(_position++ - _bufferStart)];
        }

        public void Skip(long count) => _position = Math.Min(length + 1, _position + count);

        public void Unread(int count) => _position -= count;

        public byte[] Bytes(int count)
        {
            var result = new byte[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = (byte)Math.Max(0, Byte());
            }

            return result;
        }

        public uint UInt32BigEndian() => BinaryPrimitives.ReadUInt32BigEndian(Bytes(4));

        public uint UInt32LittleEndian() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));

        public int UInt16BigEndian() => BinaryPrimitives.ReadUInt16BigEndian(Bytes(2));

        public int UInt16LittleEndian() => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2));

        public bool RestIsZero()
        {
            int b;
            while ((b = Byte()) >= 0)
            {
                if (b != 0)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
