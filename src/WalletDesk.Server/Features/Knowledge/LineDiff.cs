namespace WalletDesk.Server.Features.Knowledge;

/// <summary>A line diff by longest common subsequence; articles are short, so the quadratic table is fine (and capped).</summary>
public static class LineDiff
{
    private const int MaxCells = 4_000_000;

    public static IReadOnlyList<DiffLine> Compute(string before, string after)
    {
        var a = Split(before);
        var b = Split(after);
        if ((long)a.Length * b.Length > MaxCells)
        {
            // Too large to align: show it as a replacement rather than spend the memory.
            return [.. a.Select(l => new DiffLine("removed", l)), .. b.Select(l => new DiffLine("added", l))];
        }

        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var lines = new List<DiffLine>(a.Length + b.Length);
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y])
            {
                lines.Add(new DiffLine("same", a[x]));
                x++;
                y++;
            }
            else if (lcs[x + 1, y] >= lcs[x, y + 1])
            {
                lines.Add(new DiffLine("removed", a[x++]));
            }
            else
            {
                lines.Add(new DiffLine("added", b[y++]));
            }
        }

        while (x < a.Length)
        {
            lines.Add(new DiffLine("removed", a[x++]));
        }

        while (y < b.Length)
        {
            lines.Add(new DiffLine("added", b[y++]));
        }

        return lines;
    }

    private static string[] Split(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
}
