using System.Text;
using WalletDesk.Redaction;

namespace WalletDesk.Server.Features.Attachments;

/// <summary>
/// Scans a text attachment with the redaction engine and a recovery-phrase heuristic. Any finding refuses the upload:
/// WalletDesk never stores a full card number, a CVV, a code or password the customer pasted, or a wallet recovery
/// phrase, and rewriting a customer's file would hand agents something the customer did not send.
/// </summary>
public static class SensitiveText
{
    private const int ChunkChars = 16 * 1024;
    private const int OverlapChars = 96;
    public const int SeedPhraseMinWords = 12;

    // Frequent English words that are not in the BIP-39 list: prose breaks a run on them, a recovery phrase never does.
    private static readonly HashSet<string> ProseWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "you", "not", "but", "was", "are", "with", "from", "have", "your", "been", "were", "would", "could", "should", "which", "what",
    };

    /// <summary>Null when clean; otherwise the kinds found (e.g. "card number", "recovery phrase").</summary>
    public static async Task<IReadOnlyList<string>?> ScanAsync(string path, CancellationToken ct)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        using var reader = new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, new FileStreamOptions { Options = FileOptions.SequentialScan });
        var buffer = new char[ChunkChars];
        var tail = "";
        var seedRun = 0;
        string? pendingWord = null;
        int read;
        while ((read = await reader.ReadBlockAsync(buffer.AsMemory(), ct)) > 0)
        {
            // Each chunk starts with the end of the previous one, so a card number split by the chunking is still whole once.
            var text = tail + new string(buffer, 0, read);
            foreach (var finding in Redactor.Redact(text).Findings)
            {
                found.Add(Describe(finding.Kind));
            }

            (seedRun, pendingWord) = CountSeedRun(new string(buffer, 0, read), seedRun, pendingWord, out var isSeed);
            if (isSeed)
            {
                found.Add("recovery phrase");
            }

            tail = text[Math.Max(0, text.Length - OverlapChars)..];
        }

        if (pendingWord is not null && IsSeedWord(pendingWord) && seedRun + 1 >= SeedPhraseMinWords)
        {
            found.Add("recovery phrase");
        }

        return found.Count == 0 ? null : found.ToList();
    }

    /// <summary>True when the text holds 12 or more consecutive words that look like a wallet recovery (seed) phrase.</summary>
    public static bool LooksLikeSeedPhrase(string text)
    {
        var (run, pending) = CountSeedRun(text, 0, null, out var isSeed);
        return isSeed || (pending is not null && IsSeedWord(pending) && run + 1 >= SeedPhraseMinWords);
    }

    // Words are separated by whitespace or commas; list numbering ("1.", "2)") does not break a run; anything else does.
    private static (int Run, string? Pending) CountSeedRun(string chunk, int run, string? pending, out bool isSeed)
    {
        isSeed = false;
        var words = (pending + chunk).Split([' ', '\t', '\r', '\n', ','], StringSplitOptions.None);
        var endsInWord = chunk.Length > 0 && !char.IsWhiteSpace(chunk[^1]) && chunk[^1] != ',';
        var last = endsInWord ? words.Length - 1 : words.Length;
        for (var i = 0; i < last; i++)
        {
            var word = words[i];
            if (word.Length == 0 || IsNumbering(word))
            {
                continue;
            }

            run = IsSeedWord(word) ? run + 1 : 0;
            if (run >= SeedPhraseMinWords)
            {
                isSeed = true;
            }
        }

        return (run, endsInWord ? words[^1] : null);
    }

    private static bool IsNumbering(string word)
    {
        var digits = word.TrimEnd('.', ')', ':');
        return digits.Length is 1 or 2 && digits.All(char.IsAsciiDigit);
    }

    private static bool IsSeedWord(string word) =>
        word.Length is >= 3 and <= 8 && word.All(char.IsAsciiLetterLower) && !ProseWords.Contains(word);

    private static string Describe(RedactionKind kind) => kind switch
    {
        RedactionKind.Pan => "card number",
        RedactionKind.Cvv => "card security code",
        RedactionKind.OneTimeCode => "one-time code",
        RedactionKind.Password => "password",
        RedactionKind.Pin => "PIN",
        _ => "secret",
    };
}
