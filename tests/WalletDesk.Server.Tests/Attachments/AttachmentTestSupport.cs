using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Attachments;

/// <summary>One server per provider with small attachment limits (so "too large" is cheap) and the reconciler timer off.</summary>
public sealed class AttachmentsFixture : IAsyncLifetime
{
    public const long MaxFileBytes = 64 * 1024;
    public const long MaxTicketBytes = 150_000;

    private readonly ConcurrentDictionary<string, Lazy<Task<WalletDeskFactory>>> _factories = new();

    public static readonly Dictionary<string, string?> Settings = new()
    {
        ["Attachments:MaxFileBytes"] = MaxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Attachments:MaxTicketBytes"] = MaxTicketBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Attachments:RunReconciler"] = "false",
    };

    public Task<WalletDeskFactory> For(string provider) =>
        _factories.GetOrAdd(provider, p => new Lazy<Task<WalletDeskFactory>>(() => WalletDeskFactory.CreateAsync(p, Settings))).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var lazy in _factories.Values.Where(l => l.IsValueCreated))
        {
            await (await lazy.Value).DisposeAsync();
        }
    }
}

public static class AttachmentTestSupport
{
    public static async Task<long> OpenTicketAsync(this TestCustomer customer)
    {
        var written = await (await customer.Client.PostAsJsonAsync("/api/me/tickets", new CreateCustomerTicketRequest("Problem with a payment", "Please look at the screenshot.", "payment_failed", "en", null, null)))
            .ReadAsAsync<TicketWriteResponse>(HttpStatusCode.Created);
        return written.TicketId;
    }

    public static async Task<HttpResponseMessage> UploadAsync(this HttpClient client, string url, byte[] bytes, string fileName, string? contentType = "application/octet-stream", bool chunked = false)
    {
        using var form = new MultipartFormDataContent();
        HttpContent file = chunked ? new StreamContent(new NonSeekableStream(bytes)) : new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        form.Add(file, "file", fileName);
        if (chunked)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = form };
            request.Headers.TransferEncodingChunked = true;
            return await client.SendAsync(request);
        }

        return await client.PostAsync(url, form);
    }

    /// <summary>Every file under the attachment folder (stored and temporary).</summary>
    public static List<string> StoredFiles(this WalletDeskFactory app)
    {
        var root = Path.Combine(app.DataDir, "attachments");
        return Directory.Exists(root) ? Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToList() : [];
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>Small but structurally valid files of each accepted kind, and hostile variants.</summary>
public static class SampleFiles
{
    public static byte[] Png(int width = 1, int height = 1)
    {
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = 8;
        Chunk(output, "IHDR", ihdr);
        Chunk(output, "IDAT", [0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01]);
        Chunk(output, "IEND", []);
        return output.ToArray();
    }

    public static byte[] Jpeg() =>
    [
        0xFF, 0xD8,
        0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00,
        0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00,
        0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD0, 0x78,
        0xFF, 0xD9,
    ];

    public static byte[] Gif(byte[]? commentExtension = null)
    {
        var bytes = new List<byte>();
        bytes.AddRange("GIF89a"u8.ToArray());
        bytes.AddRange([0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00]);
        bytes.AddRange([0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF]);
        if (commentExtension is not null)
        {
            bytes.AddRange([0x21, 0xFE, (byte)commentExtension.Length]);
            bytes.AddRange(commentExtension);
            bytes.Add(0x00);
        }

        bytes.AddRange([0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B]);
        return bytes.ToArray();
    }

    public static byte[] WebP()
    {
        var payload = new byte[] { 0x2F, 0x00, 0x00, 0x00, 0x00 };
        var chunkSize = 8 + payload.Length + 1;
        var bytes = new byte[12 + chunkSize];
        "RIFF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));
        "WEBP"u8.CopyTo(bytes.AsSpan(8));
        "VP8L"u8.CopyTo(bytes.AsSpan(12));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), (uint)payload.Length);
        payload.CopyTo(bytes, 20);
        return bytes;
    }

    public static byte[] Pdf(string body = "1 0 obj << /Type /Catalog >> endobj") =>
        Encoding.ASCII.GetBytes($"%PDF-1.4\n{body}\ntrailer << /Root 1 0 R >>\n%%EOF\n");

    /// <summary>The classic GIF/JavaScript polyglot: a GIF header whose "width" opens a JS comment.</summary>
    public static byte[] GifJavaScriptPolyglot() => Encoding.ASCII.GetBytes("GIF89a/*\x00\x00\x00\x00*/=alert(document.domain);//;");

    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    private static void Chunk(Stream output, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
        output.Write(length);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        var crc = Crc32([.. typeBytes, .. data]);
        BinaryPrimitives.WriteUInt32BigEndian(length, crc);
        output.Write(length);
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
