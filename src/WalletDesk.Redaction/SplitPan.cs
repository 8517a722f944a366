namespace WalletDesk.Redaction;

// Customers split card numbers across chat messages ("4111 1111" then "1111 1111"), each half harmless alone.
// The previous message's trailing digits are joined to this message's leading digits and judged as one run.
internal static class SplitPan
{
    private const int MinPartDigits = 4;

    public static PreviousMessageRedaction? Detect(string previousTail, string text, Redactions acc)
    {
        var tailEnd = previousTail.Length;
        while (tailEnd > 0 && (char.IsWhiteSpace(previousTail[tailEnd - 1]) || Chars.IsPanSeparator(previousTail[tailEnd - 1])))
        {
            tailEnd--;
        }

        if (tailEnd == 0 || !Chars.IsDigit(previousTail[tailEnd - 1]))
        {
            return null;
        }

        var head = 0;
        while (head < text.Length && char.IsWhiteSpace(text[head]))
        {
            head++;
        }

        if (head == text.Length || !Chars.IsDigit(text[head]))
        {
            return null;
        }

        // Only reached when one message ends and the next begins with digits, so the copy is rare.
        var combined = string.Concat(previousTail.AsSpan(0, tailEnd), " ", text.AsSpan(head));
        var joint = tailEnd;
        var found = new Redactions();
        PanScanner.Scan(combined, found);
        PreviousMessageRedaction? previous = null;
        foreach (var r in found.Sorted())
        {
            if (r.Kind == RedactionKind.Pan && r.Start < joint && r.End > joint + 1 && r.Pan is { } pan)
            {
                var tailDigits = CountDigits(combined.AsSpan(r.Start, joint - r.Start));
                var headDigits = pan.DigitCount - tailDigits;
                if (tailDigits < MinPartDigits || headDigits < MinPartDigits)
                {
                    continue;
                }

                var headLength = r.End - joint - 1;
                if (acc.TryAdd(head, head + headLength, pan.Masked[tailDigits..], RedactionKind.Pan, pan, continuesPrevious: true))
                {
                    previous = new PreviousMessageRedaction(r.Start, joint - r.Start, pan.Masked[..tailDigits]);
                }
            }
            else if (previous is not null && r.Start > joint)
            {
                // The CVV that followed the joined number.
                var offset = head - joint - 1;
                acc.TryAdd(r.Start + offset, r.End + offset, r.Text, r.Kind, r.Pan);
            }
        }

        return previous;
    }

    private static int CountDigits(ReadOnlySpan<char> span)
    {
        var n = 0;
        foreach (var c in span)
        {
            if (Chars.IsDigit(c))
            {
                n++;
            }
        }

        return n;
    }
}
