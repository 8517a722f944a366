using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace WalletDesk.Assistant.Intents;

/// <summary>
/// Model file layout (little-endian):
/// <code>
/// "WDNLUMDL"            8-byte magic
/// int32                 format version
/// int32 + bytes         header JSON (UTF-8), readable without touching the body
/// int64                 body length
/// 32 bytes              SHA-256 of the body
/// body                  gzip of: label count, feature count, keys, idf, view weight, weights,
///                       bias, temperature, threshold, floor, out-of-scope index, neighbour rows (CSR),
///                       network weight, hidden units (0 = no network), then if any: input scale,
///                       W1 (features × hidden, float16), b1, W2 (labels × hidden, float16), b2
/// </code>
/// Arrays are written as raw blocks so loading is a few large reads rather than millions of small ones.
/// </summary>
internal static class ModelFile
{
    private static readonly byte[] Magic = "WDNLUMDL"u8.ToArray();

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static void Write(IntentModel model, Stream output)
    {
        EnsureLittleEndian();
        using var body = new MemoryStream();
        using (var gzip = new GZipStream(body, CompressionLevel.Fastest, leaveOpen: true))
        using (var w = new BinaryWriter(gzip))
        {
            var v = model.Vectorizer;
            w.Write(model.Bias.Length);
            w.Write(v.Dimension);
            WriteArray<ulong>(w, v.Keys);
            WriteArray<float>(w, v.Idf);
            w.Write(v.WordViewWeight);
            WriteArray<float>(w, model.Weights);
            WriteArray<float>(w, model.Bias);
            w.Write(model.Temperature);
            w.Write(model.ConfidenceThreshold);
            w.Write(model.SimilarityFloor);
            w.Write(model.OutOfScopeIndex);
            var rows = model.Neighbours.Rows;
            w.Write(rows.Rows);
            w.Write(rows.Indices.Length);
            WriteArray<int>(w, rows.RowStart);
            WriteArray<int>(w, rows.Indices);
            WriteArray<float>(w, rows.Values);
            w.Write(model.NetworkWeight);
            var network = model.Network;
            w.Write(network?.Hidden ?? 0);
            if (network is not null)
            {
                w.Write(network.InputScale);
                WriteHalves(w, network.W1);
                WriteArray<float>(w, network.B1);
                WriteHalves(w, network.W2);
                WriteArray<float>(w, network.B2);
            }
        }

        var bodyBytes = body.GetBuffer().AsSpan(0, (int)body.Length);
        var header = JsonSerializer.SerializeToUtf8Bytes(model.Header, Json);
        using var writer = new BinaryWriter(output, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(IntentModel.FormatVersion);
        writer.Write(header.Length);
        writer.Write(header);
        writer.Write((long)bodyBytes.Length);
        writer.Write(SHA256.HashData(bodyBytes));
        writer.Write(bodyBytes);
    }

    public static IntentModelHeader ReadHeader(Stream input)
    {
        using var reader = new BinaryReader(input, System.Text.Encoding.UTF8, leaveOpen: true);
        return ReadHeader(reader);
    }

    public static IntentModel Read(Stream input)
    {
        EnsureLittleEndian();
        using var reader = new BinaryReader(input, System.Text.Encoding.UTF8, leaveOpen: true);
        var header = ReadHeader(reader);
        try
        {
            var length = reader.ReadInt64();
            var expectedHash = reader.ReadBytes(32);
            if (length is < 0 or > int.MaxValue)
            {
                throw new ModelFormatException("Model file is corrupt: invalid body length.");
            }

            var body = reader.ReadBytes((int)length);
            if (body.Length != length || expectedHash.Length != 32)
            {
                throw new ModelFormatException("Model file is truncated.");
            }

            if (!SHA256.HashData(body).AsSpan().SequenceEqual(expectedHash))
            {
                throw new ModelFormatException("Model file is corrupt: checksum mismatch.");
            }

            using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
            using var r = new BinaryReader(gzip);
            var classes = r.ReadInt32();
            var features = r.ReadInt32();
            if (classes != header.Labels.Count || features < 0)
            {
                throw new ModelFormatException("Model file is corrupt: label count does not match the header.");
            }

            var keys = ReadArray<ulong>(r, features);
            var idf = ReadArray<float>(r, features);
            var viewWeight = r.ReadSingle();
            var weights = ReadArray<float>(r, checked(features * classes));
            var bias = ReadArray<float>(r, classes);
            var temperature = r.ReadDouble();
            var threshold = r.ReadDouble();
            var floor = r.ReadDouble();
            var oos = r.ReadInt32();
            var rows = r.ReadInt32();
            var nnz = r.ReadInt32();
            var rowStart = ReadArray<int>(r, rows + 1);
            var indices = ReadArray<int>(r, nnz);
            var values = ReadArray<float>(r, nnz);
            var neighbours = new SparseMatrix(rowStart, indices, values, features);
            var networkWeight = r.ReadDouble();
            var hidden = r.ReadInt32();
            if (hidden < 0 || networkWeight is < 0 or > 1)
            {
                throw new ModelFormatException("Model file is corrupt: invalid network settings.");
            }

            HiddenLayerNetwork? network = null;
            if (hidden > 0)
            {
                var scale = r.ReadSingle();
                var w1 = ReadHalves(r, checked(features * hidden));
                var b1 = ReadArray<float>(r, hidden);
                var w2 = ReadHalves(r, checked(classes * hidden));
                var b2 = ReadArray<float>(r, classes);
                network = new HiddenLayerNetwork(features, hidden, classes, scale, w1, b1, w2, b2);
            }

            return new IntentModel(header, new TfidfVectorizer(keys, idf, viewWeight), weights, bias, temperature, threshold, floor, oos, neighbours, network, networkWeight);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or OverflowException or ArgumentException)
        {
            throw new ModelFormatException("Model file is corrupt or truncated: " + e.Message, e);
        }
    }

    private static IntentModelHeader ReadHeader(BinaryReader reader)
    {
        try
        {
            var magic = reader.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic))
            {
                throw new ModelFormatException("Not a WalletDesk NLU model file (bad magic bytes).");
            }

            var version = reader.ReadInt32();
            if (version != IntentModel.FormatVersion)
            {
                throw new ModelFormatException(
                    $"Unsupported model format version {version}; this build reads version {IntentModel.FormatVersion}. Retrain the model.");
            }

            var length = reader.ReadInt32();
            if (length is <= 0 or > 16 * 1024 * 1024)
            {
                throw new ModelFormatException("Model file is corrupt: invalid header length.");
            }

            var json = reader.ReadBytes(length);
            if (json.Length != length)
            {
                throw new ModelFormatException("Model file is truncated.");
            }

            return JsonSerializer.Deserialize<IntentModelHeader>(json, Json)
                ?? throw new ModelFormatException("Model file is corrupt: empty header.");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException)
        {
            throw new ModelFormatException("Model file is corrupt or truncated: " + e.Message, e);
        }
    }

    private static void WriteArray<T>(BinaryWriter writer, T[] values)
        where T : unmanaged => writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));

    private static T[] ReadArray<T>(BinaryReader reader, int count)
        where T : unmanaged
    {
        if (count < 0)
        {
            throw new ModelFormatException("Model file is corrupt: negative array length.");
        }

        var values = GC.AllocateUninitializedArray<T>(count);
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        reader.BaseStream.ReadExactly(bytes);
        return values;
    }

    /// <summary>Network weights are stored as IEEE half floats; training already rounded them, so nothing is lost.</summary>
    private static void WriteHalves(BinaryWriter writer, float[] values)
    {
        const int Chunk = 1 << 16;
        var buffer = new Half[Math.Min(Chunk, values.Length)];
        for (var start = 0; start < values.Length; start += Chunk)
        {
            var n = Math.Min(Chunk, values.Length - start);
            for (var i = 0; i < n; i++)
            {
                buffer[i] = (Half)values[start + i];
            }

            writer.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, n)));
        }
    }

    private static float[] ReadHalves(BinaryReader reader, int count)
    {
        var halves = ReadArray<Half>(reader, count);
        var values = GC.AllocateUninitializedArray<float>(count);
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)halves[i];
        }

        return values;
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Model files are little-endian; big-endian hosts are not supported.");
        }
    }
}
