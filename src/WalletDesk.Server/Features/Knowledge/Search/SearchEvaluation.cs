using System.Globalization;

namespace WalletDesk.Server.Features.Knowledge.Search;

/// <summary>A query of the evaluation set with the articles that answer it, best first.</summary>
public sealed record EvaluationQuery(string Query, string Lang, IReadOnlyList<string> Relevant);

/// <summary>How one query did.</summary>
public sealed record EvaluationOutcome(EvaluationQuery Query, IReadOnlyList<string> Ranked, double RecallAt5, bool HitAt5, double ReciprocalRankAt10);

/// <summary>Relevance over an evaluation set: recall@5 (share of the relevant articles in the top 5, averaged), hit@5, MRR@10.</summary>
public sealed record EvaluationReport(IReadOnlyList<EvaluationOutcome> Outcomes)
{
    public int Count => Outcomes.Count;
    public double RecallAt5 => Outcomes.Count == 0 ? 0 : Outcomes.Average(o => o.RecallAt5);
    public double HitAt5 => Outcomes.Count == 0 ? 0 : Outcomes.Average(o => o.HitAt5 ? 1.0 : 0.0);
    public double MrrAt10 => Outcomes.Count == 0 ? 0 : Outcomes.Average(o => o.ReciprocalRankAt10);

    public EvaluationReport For(string lang) => new(Outcomes.Where(o => o.Query.Lang == lang).ToList());
}

/// <summary>Runs the evaluation set (<c>query,lang,relevant</c> with slugs separated by <c>|</c>) as anonymous readers.</summary>
public static class SearchEvaluation
{
    public static IReadOnlyList<EvaluationQuery> ParseCsv(string csv)
    {
        var queries = new List<EvaluationQuery>();
        var lines = csv.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || (i == 0 && line.StartsWith("query,", StringComparison.Ordinal)))
            {
                continue;
            }

            var fields = SplitCsvLine(line);
            if (fields.Count != 3 || !KbLanguages.IsKnown(fields[1]))
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"line {i + 1}: expected query,lang,relevant with lang en or zh."));
            }

            queries.Add(new EvaluationQuery(fields[0], fields[1], fields[2].Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }

        return queries;
    }

    public static async Task<EvaluationReport> RunAsync(KnowledgeSearch search, IReadOnlyList<EvaluationQuery> queries, CancellationToken cancellationToken = default)
    {
        var outcomes = new List<EvaluationOutcome>(queries.Count);
        foreach (var query in queries)
        {
            var results = await search.SearchAsync(new SearchRequest(query.Query, query.Lang, IncludeInternal: false, Limit: 10), cancellationToken);
            var ranked = results.Hits.Select(h => h.Slug).ToList();
            var relevant = query.Relevant.ToHashSet(StringComparer.Ordinal);
            var top5 = ranked.Take(5).Count(relevant.Contains);
            var firstRank = ranked.FindIndex(relevant.Contains);
            outcomes.Add(new EvaluationOutcome(query, ranked, (double)top5 / relevant.Count, top5 > 0, firstRank is >= 0 and < 10 ? 1.0 / (firstRank + 1) : 0));
        }

        return new EvaluationReport(outcomes);
    }

    private static List<string> SplitCsvLine(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString());
        return fields;
    }
}
