namespace WalletDesk.Redaction;

// Finds card numbers without regex: one pass collects "runs" (digit groups joined by exactly one separator),
// then each run is judged on its own. See docs/redaction.md for the rules and why each exists.
internal static class PanScanner
{
    private const int MinPan = 12;
    private const int MinSubSpan = 13;
    private const int MaxPan = 19;

    // Letters glued to a number normally make it an identifier (T20261122-000123); these words do not.
    private static readonly string[] CardWords =
    [
        "card", "cards", "cardno", "cardnumber", "no", "num", "number", "pan", "visa", "mastercard", "master", "mc",
        "amex", "unionpay", "cup", "jcb", "discover", "diners", "maestro", "cc", "ccn", "exp", "expiry", "cvv", "cvc",
    ];

    [ThreadStatic]
    private static DigitGroup[]? t_groups;

    public static void Scan(string text, Redactions acc)
    {
        var span = text.AsSpan();
        var groups = t_groups ??= new DigitGroup[16];
        var pos = 0;
        while (pos < span.Length)
        {
            var rel = span[pos..].IndexOfAny(Chars.Digits);
            if (rel < 0)
            {
                return;
            }

            var p = pos + rel;
            var count = 0;
            var total = 0;
            var gapStart = p;
            while (true)
            {
                var e = p;
                while (e < span.Length && Chars.IsDigit(span[e]))
                {
                    e++;
                }

                if (count == groups.Length)
                {
                    Array.Resize(ref groups, groups.Length * 2);
                    t_groups = groups;
                }

                groups[count++] = new DigitGroup(p, e, gapStart);
                total += e - p;
                var next = NextGroupStart(span, e);
                if (next < 0)
                {
                    break;
                }

                gapStart = e;
                p = next;
            }

            pos = Math.Max(groups[count - 1].End, p + 1);
            if (total >= MinPan)
            {
                AnalyzeRun(span, groups.AsSpan(0, count), total, acc);
            }
        }
    }

    // Between two digit groups people leave up to four characters of spacing (doubled spaces, line breaks, tabs,
    // invisible characters) with at most one mark (dash, dot, slash, comma): "4111  1111\n1111 / 1111".
    private const int MaxGap = 4;

    private static int NextGroupStart(ReadOnlySpan<char> span, int e)
    {
        var marks = 0;
        var limit = Math.Min(span.Length, e + MaxGap + 1);
        for (var k = e; k < limit; k++)
        {
            var c = span[k];
            if (Chars.IsDigit(c))
            {
                return k > e ? k : -1;
            }

            if (Chars.IsPanMark(c))
            {
                if (++marks > 1)
                {
                    return -1;
                }
            }
            else if (!Chars.IsPanSpace(c))
            {
                return -1;
            }
        }

        return -1;
    }

    private static void AnalyzeRun(ReadOnlySpan<char> text, ReadOnlySpan<DigitGroup> g, int total, Redactions acc)
    {
        var m = g.Length;
        var runStart = g[0].Start;
        var runEnd = g[m - 1].End;
        if (IsIdentifier(text, runStart, runEnd))
        {
            return;
        }

        // "+86 138 0013 8000": E.164 numbers have at most 15 digits.
        var phone = IsPhonePrefixed(text, g[0]);
        if (phone && total <= 15)
        {
            return;
        }

        if (IsDatesOnly(text, g) || IsIpv4(text, g))
        {
            return;
        }

        Span<(int First, int Last)> cands = stackalloc (int, int)[48];
        var n = 0;

        // The whole run: whatever its grouping when every gap is one classic separator (covers random separators);
        // card-shaped group lengths when any gap is wider (a line break, a comma, a slash), because two short
        // numbers on neighbouring lines or in a list are common and only rarely written in card-sized groups.
        // A "+" run longer than 15 digits is no phone number (E.164), so "+4111111111111111" is judged as a whole too.
        if (total <= MaxPan && (AllClassicGaps(text, g) || (total >= MinSubSpan && HasCardLengths(g))) && Luhn.IsValid(text, g, 0, m - 1))
        {
            cands[n++] = (0, m - 1);
        }

        // Each stretch joined by classic separators only, judged whatever its grouping, exactly as when a wider gap
        // ended a run: a line break or a comma after "0086 139 1234 5677" must not hide it inside a longer run.
        var segmentStart = 0;
        var segmentDigits = 0;
        for (var k = 0; k < m && n < cands.Length; k++)
        {
            if (k > 0 && !g[k].HasClassicGap(text))
            {
                segmentStart = k;
                segmentDigits = 0;
            }

            segmentDigits += g[k].Length;
            var segmentEnds = k == m - 1 || !g[k + 1].HasClassicGap(text);
            if (segmentEnds && (segmentStart, k) != (0, m - 1) && segmentDigits is >= MinPan and <= MaxPan
                && !(phone && segmentStart == 0 && segmentDigits <= 15) && Luhn.IsValid(text, g, segmentStart, k))
            {
                cands[n++] = (segmentStart, k);
            }
        }

        // Card-shaped windows anchored at either end: "pay 20 4111 1111 1111 1111", "4111 1111 1111 1111 123".
        var digits = 0;
        for (var b = 0; b < m - 1 && !phone && n < cands.Length; b++)
        {
            digits += g[b].Length;
            if (digits > MaxPan)
            {
                break;
            }

            if (digits >= MinSubSpan && IsCardShaped(text, g, 0, b) && Luhn.IsValid(text, g, 0, b))
            {
                cands[n++] = (0, b);
            }
        }

        digits = 0;
        for (var a = m - 1; a >= 1 && n < cands.Length; a--)
        {
            digits += g[a].Length;
            if (digits > MaxPan)
            {
                break;
            }

            if (digits >= MinSubSpan && IsCardShaped(text, g, a, m - 1) && Luhn.IsValid(text, g, a, m - 1))
            {
                cands[n++] = (a, m - 1);
            }
        }

        if (n == 0 || Iban.Covers(text, runStart, runEnd))
        {
            return;
        }

        // A 3-4 digit group right after a card-shaped number in the same run is its CVV, not more card digits.
        var cvvGroup = -1;
        if (m >= 2 && g[m - 1].Length is 3 or 4)
        {
            for (var i = 0; i < n; i++)
            {
                if (cands[i] == (0, m - 2))
                {
                    cvvGroup = m - 1;
                    break;
                }
            }
        }

        if (cvvGroup >= 0)
        {
            var kept = 0;
            for (var i = 0; i < n; i++)
            {
                if (cands[i].Last != m - 1)
                {
                    cands[kept++] = cands[i];
                }
            }

            n = kept;
        }

        cands[..n].Sort(static (x, y) => x.First.CompareTo(y.First));

        // Overlapping candidates are merged and masked as one: whichever of them is the real card,
        // its middle digits fall inside the merged mask.
        var lastCluster = -1;
        var i0 = 0;
        while (i0 < n)
        {
            var first = cands[i0].First;
            var last = cands[i0].Last;
            var j = i0 + 1;
            while (j < n && cands[j].First <= last)
            {
                last = Math.Max(last, cands[j].Last);
                j++;
            }

            var mask = BuildMask(text, g, first, last);
            acc.TryAdd(g[first].Start, g[last].End, mask.Masked, RedactionKind.Pan, mask);
            lastCluster = last;
            i0 = j;
        }

        if (cvvGroup >= 0)
        {
            acc.TryAdd(g[cvvGroup].Start, g[cvvGroup].End, Markers.Cvv, RedactionKind.Cvv);
        }
        else
        {
            // From the end of the card, not of the run: in "4111111111111111 12/27 123" the month joins the run.
            var (s, e) = CvvAfterPan.Find(text, g[lastCluster].End);
            if (s >= 0)
            {
                acc.TryAdd(s, e, Markers.Cvv, RedactionKind.Cvv);
            }
        }
    }

    internal static MaskedPan BuildMask(ReadOnlySpan<char> text, ReadOnlySpan<DigitGroup> g, int first, int last)
    {
        var length = 0;
        for (var k = first; k <= last; k++)
        {
            length += g[k].Length;
        }

        var buffer = length <= 128 ? stackalloc char[length] : new char[length];
        var w = 0;
        for (var k = first; k <= last; k++)
        {
            for (var i = g[k].Start; i < g[k].End; i++)
            {
                var keep = w < 6 || w >= length - 4;
                buffer[w++] = keep ? Chars.ToAsciiDigit(text[i]) : '*';
            }
        }

        return new MaskedPan(new string(buffer), new string(buffer[..6]), new string(buffer[^4..]), length);
    }

    private static bool AllClassicGaps(ReadOnlySpan<char> text, ReadOnlySpan<DigitGroup> g)
    {
        for (var k = 1; k < g.Length; k++)
        {
            if (!g[k].HasClassicGap(text))
            {
                return false;
            }
        }

        return true;
    }

    // Groups of equal length (3 to 6 digits) with a shorter or equal last group, or Amex/Diners 4-6-5 / 4-6-4.
    private static bool HasCardLengths(ReadOnlySpan<DigitGroup> g)
    {
        var m = g.Length;
        if (m == 1 || (m == 3 && g[0].Length == 4 && g[1].Length == 6 && g[2].Length is 4 or 5))
        {
            return true;
        }

        var size = g[0].Length;
        if (size is < 3 or > 6)
        {
            return false;
        }

        for (var k = 1; k < m - 1; k++)
        {
            if (g[k].Length != size)
            {
                return false;
            }
        }

        return g[m - 1].Length <= size;
    }

    // One separator throughout, or spacing only ("4111  1111\n1111 1111": a wrapped or hand-spaced number).
    private static bool ConsistentGaps(ReadOnlySpan<char> text, ReadOnlySpan<DigitGroup> g, int first, int last)
    {
        var same = true;
        var spacing = true;
        for (var k = first + 1; k <= last; k++)
        {
            same &= k == first + 1 || g[k].SameGapAs(text, g[first + 1]);
            spacing &= g[k].HasSpacingGap(text);
        }

        return same || spacing;
    }

    private static bool IsCardShaped(ReadOnlySpan<char> text, ReadOnlySpan<DigitGroup> g, int first, int last)
    {
        if (first == last)
        {
            return true;
        }

        if (!ConsistentGaps(text, g, first, last))
        {
            return false;
        }

        var count = last - first + 1;
        if (count == 3 && g[first].Length == 4 && g[first + 1].Length == 6 && g[last].Length is 4 or 5)
        {
            return true; // Amex 4-6-5, Diners 4-6-4
        }

        if (count < 4)
        {
            return false;
        }

        for (var k = first; k < last; k++)
        {
            if (g[k].Length != 4)
            {
                return false;
            }
        }

        return g[last].Length is >= 1 and <= 4;
    }

    // Only an explicit "+" marks a phone number. "0086 …" is not special-cased: that would leave Luhn-valid
    // numbers starting with 00 unmasked, and a miss costs more than a masked phone number.
    private static bool IsPhonePrefixed(ReadOnlySpan<char> text, DigitGroup first) =>
        first.Start > 0 && text[first.Start - 1] is '+' or '\uFF0B';

    internal static bool IsIdentifier(ReadOnlySpan<char> text, int runStart, int runEnd)
    {
        var leadGlued = false;
        var p = runStart - 1;
        if (p >= 1 && text[p] is '-' or '_' or '#' && char.IsAsciiLetter(text[p - 1]))
        {
            p--;
        }

        if (p >= 0 && char.IsAsciiLetter(text[p]))
        {
            var w = p;
            while (w > 0 && char.IsAsciiLetter(text[w - 1]))
            {
                w--;
            }

            var word = text[w..(p + 1)];
            if (!IsCardWord(word))
            {
                // Uppercase codes (T, TX, ORD, INV), single letters and mixed tokens (hex, GUIDs) are identifiers;
                // a lowercase word glued to a number ("img4111…") is just sloppy typing.
                var inToken = w > 0 && char.IsAsciiDigit(text[w - 1]);
                if (inToken || word.Length == 1 || (word.Length <= 5 && IsAllUpper(word)))
                {
                    return true;
                }

                leadGlued = true;
            }
        }

        if (runEnd < text.Length && char.IsAsciiLetter(text[runEnd]))
        {
            var e = runEnd;
            while (e < text.Length && char.IsAsciiLetter(text[e]))
            {
                e++;
            }

            if (IsCardWord(text[runEnd..e]))
            {
                return false;
            }

            // "4111…abc" and "mycard4111…please" are sloppy typing; "…8F3K2Q" and "…ab12" are tokens.
            if ((e < text.Length && char.IsAsciiDigit(text[e])) || (leadGlued && !IsAllLower(text[runEnd..e])))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsCardWord(ReadOnlySpan<char> word)
    {
        // "mycard", "creditcard", "debitcardno", "Card".
        if (word.Contains("card", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var w in CardWords)
        {
            if (word.Equals(w, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsAllLower(ReadOnlySpan<char> word)
    {
        foreach (var c in word)
        {
            if (!char.IsAsciiLetterLower(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAllUpper(ReadOnlySpan<char> word)
    {
        foreach (var c in word)
        {
            if (!char.IsAsciiLetterUpper(c))
            {
                return false;
            }
        }

        return true;
    }

    private static int Value(ReadOnlySpan<char> text, DigitGroup g)
    {
        var v = 0;
        for (var i = g.Start; i < g.End; i++)
        {
            v = (v * 10) + Chars.DigitValue(text[i]);
        }

        return v;
    }

    // "2026-11-22 2026-11-23" and "20261122 20261123" are date ranges, not 16-digit cards.
    private static bool IsDatesOnly(ReadOnlySpan<char> text, ReadOnlySpan<DigitGroup> g)
    {
        var allCompact = true;
        foreach (var group in g)
        {
            if (group.Length != 8 || !IsDate(Value(text, group) / 10000, Value(text, group) / 100 % 100, Value(text, group) % 100))
            {
                allCompact = false;
                break;
            }
        }

        if (allCompact)
        {
            return true;
        }

        if (g.Length % 3 != 0)
        {
            return false;
        }

        for (var t = 0; t < g.Length; t += 3)
        {
            var (a, b, c) = (g[t], g[t + 1], g[t + 2]);
            if (!b.SameGapAs(text, c))
            {
                return false;
            }

            var ymd = a.Length == 4 && b.Length == 2 && c.Length == 2 && IsDate(Value(text, a), Value(text, b), Value(text, c));
            var dmy = a.Length == 2 && b.Length == 2 && c.Length == 4
                && (IsDate(Value(text, c), Value(text, b), Value(text, a)) || IsDate(Value(text, c), Value(text, a), Value(text, b)));
            if (!ymd && !dmy)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDate(int year, int month, int day) => year is >= 1900 and <= 2099 && month is >= 1 and <= 12 && day is >= 1 and <= 31;

    private static bool IsIpv4(ReadOnlySpan<char> text, ReadOnlySpan<DigitGroup> g)
    {
        if (g.Length != 4)
        {
            return false;
        }

        for (var k = 0; k < 4; k++)
        {
            if (g[k].Length > 3 || (k > 0 && !(g[k].GapLength == 1 && text[g[k].GapStart] == '.')) || Value(text, g[k]) > 255)
            {
                return false;
            }
        }

        return true;
    }
}
