using System.Text;

namespace WalletDesk.Redaction;

internal readonly record struct Replacement(int Start, int End, string Text, RedactionKind Kind, MaskedPan? Pan, bool ContinuesPrevious);

// Collects replacements from every pass; the first pass to claim a range wins, so later passes never cut a mask in half.
internal sealed class Redactions
{
    private List<Replacement>? _items;

    public bool Any => _items is { Count: > 0 };

    public bool Overlaps(int start, int end)
    {
        if (_items is null)
        {
            return false;
        }

        foreach (var r in _items)
        {
            if (start < r.End && r.Start < end)
            {
                return true;
            }
        }

        return false;
    }

    public bool TryAdd(int start, int end, string text, RedactionKind kind, MaskedPan? pan = null, bool continuesPrevious = false)
    {
        if (end <= start || Overlaps(start, end))
        {
            return false;
        }

        (_items ??= []).Add(new Replacement(start, end, text, kind, pan, continuesPrevious));
        return true;
    }

    public IReadOnlyList<Replacement> Sorted()
    {
        if (_items is null)
        {
            return [];
        }

        _items.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        return _items;
    }

    public (string Text, IReadOnlyList<RedactionFinding> Findings) Apply(string input)
    {
        if (_items is null || _items.Count == 0)
        {
            return (input, []);
        }

        _items.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        var sb = new StringBuilder(input.Length + 16);
        var findings = new RedactionFinding[_items.Count];
        var last = 0;
        for (var i = 0; i < _items.Count; i++)
        {
            var r = _items[i];
            sb.Append(input, last, r.Start - last);
            findings[i] = new RedactionFinding(r.Kind, sb.Length, r.Text.Length, r.Pan, r.ContinuesPrevious);
            sb.Append(r.Text);
            last = r.End;
        }

        sb.Append(input, last, input.Length - last);
        return (sb.ToString(), findings);
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

    public static string For(RedactionKind kind) => kind switch
    {
        RedactionKind.Cvv => Cvv,
        RedactionKind.OneTimeCode => OneTimeCode,
        RedactionKind.Password => Password,
        RedactionKind.Pin => Pin,
        _ => Credential,
    };
}
