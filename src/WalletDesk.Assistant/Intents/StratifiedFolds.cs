namespace WalletDesk.Assistant.Intents;

/// <summary>Deterministic stratified k-fold assignment: every label is spread evenly over the folds.</summary>
internal static class StratifiedFolds
{
    public static int[] Assign(IReadOnlyList<int> labels, int folds, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var random = new Random(seed);
        var assignment = new int[labels.Count];
        var next = 0;
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            random.Shuffle(members);
            foreach (var row in members)
            {
                // Continuing the round-robin across labels keeps fold sizes within one row of each other.
                assignment[row] = next;
                next = (next + 1) % folds;
            }
        }

        return assignment;
    }
}
