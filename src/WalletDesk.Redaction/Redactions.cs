using System.Text;

namespace WalletDesk.Redaction;

internal readonly record struct Replacement(int Start, int End, string Text, RedactionKind Kind, MaskedPan? Pan, bool ContinuesPrevious);

// Collects replacements from every pass; the first pass to claim a range wins, so later passes never cut a mask in half.
// Both lists are kept sorted and non-overlapping so the overlap check is a binary search: a hostile message with
// 100,000 "password:" in it must stay linear-ish, not quadratic.
internal sealed class Redactions
{
    private List<Replacement>? _committed;
    private List<Replacement>? _pending;

    public bool Any => _committed is { Count: > 0 } || _pending is { Count: > 0 };

    public bool Overlaps(int start, int end) => Overlaps(_committed, start, end) || Overlaps(_pending, start, end);

    public bool TryAdd(int start, int end, string text, RedactionKind kind, MaskedPan? pan = null, bool continuesPrevious = false)
    {
        if (end <= start || Overlaps(start, end))
        {
            return false;
        }

        _pending ??= [];
        var item = new Replacement(start, end, text, kind, pan, continuesPrevious);

        // Each pass adds left to right, so this is almost always an append.
        if (_pending.Count == 0 || _pending[^1].Start < start)
        {
            _pending.Add(item);
        }
        else
        {
            _pending.Insert(FirstEndingAfter(_pending, start), item);
        }

        return true;
    }

    /// <summary>Merges the current pass into the committed set. Call between passes.</summary>
    public void EndPass()
    {
        if (_pending is not { Count: > 0 })
        {
            return;
        }

        if (_committed is not { Count: > 0 })
        {
            (_committed, _pending) = (_pending, _committed);
            _pending?.Clear();
            return;
        }

        var merged = new List<Replacement>(_committed.Count + _pending.Count);
        int i = 0, j = 0;
        while (i < _committed.Count || j < _pending.Count)
        {
            merged.Add(j == _pending.Count || (i < _committed.Count && _committed[i].Start < _pending[j].Start) ? _committed[i++] : _pending[j++]);
        }

        _committed = merged;
        _pending.Clear();
    }

    public IReadOnlyList<Replacement> Sorted()
    {
        EndPass();
        return _committed ?? [];
    }

    public (string Text, IReadOnlyList<RedactionFinding> Findings) Apply(string input)
    {
        var items = Sorted();
        if (items.Count == 0)
        {
            return (input, []);
        }

        var sb = new StringBuilder(input.Length + 16);
        var findings = new RedactionFinding[items.Count];
        var last = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var r = items[i];
            sb.Append(input, last, r.Start - last);
            findings[i] = new RedactionFinding(r.Kind, sb.Length, r.Text.Length, r.Pan, r.ContinuesPrevious);
            sb.Append(r.Text);
            last = r.End;
        }

        sb.Append(input, last, input.Length - last);
        return (sb.ToString(), findings);
    }

    // Items are sorted and disjoint, so End is sorted too: the only candidate for overlap is the first item ending after start.
    private static bool Overlaps(List<Replacement>? items, int start, int end)
    {
        if (items is not { Count: > 0 })
        {
            return false;
        }

        var k = FirstEndingAfter(items, start);
        return k < items.Count && items[k].Start < end;
    }

    private static int FirstEndingAfter(List<Replacement> items, int position)
    {
        int lo = 0, hi = items.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (items[mid].End <= position)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

internal static class Markers
{
    // Every marker starts with this prefix so a second pass recognises its own output and leaves it alone.
    public const string Prefix = "[removed";
    public const string Cvv = "[removed: CVV]";
    public const string OneTimeCode = "[removed: code]";
    public const string Password = "[removed: password]";
    public const string Pin = "[removed: PIN]";
    public const string Credential = "[removed: secret]";
    public const string Token = "[removed: token]";
    public const string Passport = "[removed: passport]";

    public static string For(RedactionKind kind) => kind switch
    {
        RedactionKind.Cvv => Cvv,
        RedactionKind.OneTimeCode => OneTimeCode,
        RedactionKind.Password => Password,
        RedactionKind.Pin => Pin,
        _ => Credential,
    };
}
