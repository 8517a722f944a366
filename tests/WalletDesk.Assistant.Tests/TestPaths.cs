namespace WalletDesk.Assistant.Tests;

/// <summary>
/// Locates test data: public datasets shared next to the repository (never copied into it) and our own
/// data under <c>Data/</c>, copied to the test output.
/// </summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Banking77Train => Path.Combine(RepoRoot, "..", "shared", "datasets", "banking77", "train.csv");

    /// <summary>Held-out customer messages for the shipped wallet model, written apart from its training data.</summary>
    public static string WalletEvaluationSet => Path.Combine(AppContext.BaseDirectory, "Data", "wallet-intents-eval.csv");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WalletDesk.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("WalletDesk.slnx not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A fact that is skipped, with a reason, when the BANKING77 dataset is not present.</summary>
internal sealed class Banking77FactAttribute : FactAttribute
{
    public Banking77FactAttribute()
    {
        if (!File.Exists(TestPaths.Banking77Train))
        {
            Skip = $"BANKING77 not found at {Path.GetFullPath(TestPaths.Banking77Train)}; dataset tests skipped.";
        }
    }
}

/// <summary>A clock that always reads the same instant.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
