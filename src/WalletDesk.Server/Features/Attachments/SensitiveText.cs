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
        var seed = new SeedPhraseDetector();
        int read;
        while ((read = await reader.ReadBlockAsync(buffer.AsMemory(), ct)) > 0)
        {
            // Each chunk starts with the end of the previous one, so a card number split by the chunking is still whole once.
            var chunk = new string(buffer, 0, read);
            var text = tail + chunk;
            foreach (var finding in Redactor.Redact(text).Findings)
            {
                found.Add(Describe(finding.Kind));
            }

            seed.Feed(chunk);
            tail = text[Math.Max(0, text.Length - OverlapChars)..];
        }

        if (seed.Finish())
        {
            found.Add("recovery phrase");
        }

        return found.Count == 0 ? null : found.ToList();
    }

    /// <summary>True when the text looks like a wallet recovery (seed) phrase.</summary>
    public static bool LooksLikeSeedPhrase(string text)
    {
        var detector = new SeedPhraseDetector();
        detector.Feed(text);
        return detector.Finish();
    }

    /// <summary>
    /// A recovery phrase is 12 or more consecutive short lower-case words (BIP-39 words are 3 to 8 letters) with no
    /// common prose words, laid out like one: numbered or one per line, next to a word such as "seed" or "mnemonic",
    /// or making up most of the file. Fed in chunks, so a file is never held whole.
    /// </summary>
    private sealed class SeedPhraseDetector
    {
        private static readonly string[] Keywords = ["seed", "mnemonic", "recovery phrase", "secret phrase", "backup phrase", "助记词", "私钥"];
        private readonly StringBuilder _word = new();
        private readonly StringBuilder _keywordTail = new();
        private bool _newlineOrNumberBefore;
        private int _run;
        private int _structuredInRun;
        private int _bestRun;
        private bool _bestStructured;
        private int _totalWords;
        private bool _keyword;

        public void Feed(string chunk)
        {
            var window = _keywordTail + chunk;
            _keyword |= Keywords.Any(k => window.Contains(k, StringComparison.OrdinalIgnoreCase));
            _keywordTail.Clear().Append(window[Math.Max(0, window.Length - 20)..]);
            foreach (var c in chunk)
            {
                if (char.IsWhiteSpace(c) || c == ',')
                {
                    EndWord();
                    if (c == '\n')
                    {
                        _newlineOrNumberBefore = true;
                    }
                }
                else
                {
                    _word.Append(c);
                }
            }
        }

        public bool Finish()
        {
            EndWord();
            return _bestRun >= SeedPhraseMinWords && (_bestStructured || _keyword || _bestRun * 10 >= _totalWords * 8);
        }

        private void EndWord()
        {
            if (_word.Length == 0)
            {
                return;
            }

            var word = _word.ToString();
            _word.Clear();
            if (IsNumbering(word))
            {
                _newlineOrNumberBefore = true;
                return;
            }

            _totalWords++;
            if (IsSeedWord(word))
            {
                _run++;
                _structuredInRun += _newlineOrNumberBefore ? 1 : 0;
                if (_run > _bestRun)
                {
                    _bestRun = _run;
                    _bestStructured = _structuredInRun * 2 >= _run;
                }
            }
            else
            {
                _run = 0;
                _structuredInRun = 0;
            }

            _newlineOrNumberBefore = false;
        }
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
