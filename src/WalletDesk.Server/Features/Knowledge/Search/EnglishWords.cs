namespace WalletDesk.Server.Features.Knowledge.Search;

/// <summary>
/// A general English word list (~274,000 lower-case words with their inflections: npm <c>word-list</c> 4.1.0, MIT,
/// embedded at build time). Typo correction asks it whether a query word not in the help center is a real word
/// ("many", "retrieve") — those are left alone; only words in neither are treated as misspellings.
/// Loaded on first use into one sorted array (~13 MB), searched by binary search.
/// </summary>
internal static class EnglishWords
{
    private static readonly Lazy<string[]> Words = new(Load);

    public static bool Contains(string word) => Array.BinarySearch(Words.Value, word, StringComparer.Ordinal) >= 0;

    public static int Count => Words.Value.Length;

    private static string[] Load()
    {
        using var stream = typeof(EnglishWords).Assembly.GetManifestResourceStream("Knowledge/english-words.txt")
            ?? throw new InvalidOperationException("The English word list is not embedded (the build copies it from ClientApp/node_modules/word-list).");
        using var reader = new StreamReader(stream);
        var words = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Array.Sort(words, StringComparer.Ordinal);
        return words;
    }
}
