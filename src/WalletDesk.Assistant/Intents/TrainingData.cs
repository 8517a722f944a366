using CsvHelper;

namespace WalletDesk.Assistant.Intents;

/// <summary>Reads labelled examples from RFC 4180 CSV with a <c>text</c> column and a <c>label</c> (or <c>category</c>) column.</summary>
public static class TrainingData
{
    /// <summary>Reads a CSV file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The header lacks the required columns, a row has no label, or there are no rows.</exception>
    public static IReadOnlyList<LabeledExample> ReadCsv(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Training data file not found: {path}", path);
        }

        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return ReadCsv(reader, path);
    }

    /// <summary>Reads CSV from <paramref name="reader"/>; <paramref name="sourceName"/> is only used in error messages.</summary>
    public static IReadOnlyList<LabeledExample> ReadCsv(TextReader reader, string sourceName)
    {
        var options = new CsvReaderOptions { Separator = ',', HasHeader = true };
        using var csv = CsvReader.Create(reader, options, leaveOpen: true);
        IReadOnlyList<string> header;
        try
        {
            header = csv.Headers;
        }
        catch (CsvFormatException e)
        {
            throw new InvalidDataException($"{sourceName}: malformed CSV header: {e.Message}", e);
        }

        if (header.Count == 0 || header.All(string.IsNullOrWhiteSpace))
        {
            throw new InvalidDataException($"{sourceName}: the file is empty (expected a header 'text,label').");
        }

        if (!csv.TryGetFieldIndex("text", out var textColumn)
            || !(csv.TryGetFieldIndex("label", out var labelColumn) || csv.TryGetFieldIndex("category", out labelColumn)))
        {
            throw new InvalidDataException(
                $"{sourceName}: expected columns 'text' and 'label' (or 'category'), found '{string.Join(",", header)}'.");
        }

        var rows = new List<LabeledExample>();
        try
        {
            while (csv.Read())
            {
                var text = csv.GetString(textColumn).Trim();
                var label = csv.GetString(labelColumn).Trim();
                if (text.Length == 0 && label.Length == 0)
                {
                    continue;
                }

                if (label.Length == 0)
                {
                    throw new InvalidDataException($"{sourceName}: data row {csv.RowNumber} has no label.");
                }

                rows.Add(new LabeledExample(text, label));
            }
        }
        catch (CsvFormatException e)
        {
            throw new InvalidDataException($"{sourceName}: malformed CSV: {e.Message}", e);
        }

        if (rows.Count == 0)
        {
            throw new InvalidDataException($"{sourceName}: no data rows after the header.");
        }

        return rows;
    }
}
