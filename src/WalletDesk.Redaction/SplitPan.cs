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

        // Only reached when one message ends and the next begins with digits, so the copies are rare.
        // Glued first ("41111111" + "11111111 123" reads as one number plus its CVV); then with a space
        // between, which lets a card-shaped split ("4111 1111" + "1111 1111") be judged by its grouping.
        return TryJoin(previousTail, tailEnd, text, head, string.Empty, acc)
            ?? TryJoin(previousTail, tailEnd, text, head, " ", acc);
    }

    private static PreviousMessageRedaction? TryJoin(string previousTail, int tailEnd, string text, int head, string glue, Redactions acc)
    {
        var combined = string.Concat(previousTail.AsSpan(0, tailEnd), glue, text.AsSpan(head));
        var joint = tailEnd;
        var offset = head - joint - glue.Length;
        var found = new Redactions();
        PanScanner.Scan(combined, found);
        PreviousMessageRedaction? previous = null;
        foreach (var r in found.Sorted())
        {
            if (previous is null && r.Kind == RedactionKind.Pan && r.Start < joint && r.End > joint + glue.Length && r.Pan is { } pan)
            {
                var tailDigits = CountDigits(combined.AsSpan(r.Start, joint - r.Start));
                if (tailDigits < MinPartDigits || pan.DigitCount - tailDigits < MinPartDigits)
                {
                    continue;
                }

                if (acc.TryAdd(head, r.End + offset, pan.Masked[tailDigits..], RedactionKind.Pan, pan, continuesPrevious: true))
                {
                    previous = new PreviousMessageRedaction(r.Start, joint - r.Start, pan.Masked[..tailDigits]);
                }
            }
            else if (previous is not null && r.Start >= joint + glue.Length)
            {
                // The CVV that followed the joined number.
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
