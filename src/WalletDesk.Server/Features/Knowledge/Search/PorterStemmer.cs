namespace WalletDesk.Server.Features.Knowledge.Search;

/// <summary>
/// The Porter (1980) English stemmer, so "refunds", "refunded" and "refunding" all index as "refund".
/// Words with anything other than a–z are returned unchanged.
/// </summary>
internal static class PorterStemmer
{
    public static string Stem(string word)
    {
        if (word.Length <= 2)
        {
            return word;
        }

        foreach (var c in word)
        {
            if (c is < 'a' or > 'z')
            {
                return word;
            }
        }

        var stemmer = new Worker(word);
        return stemmer.Run();
    }

    // Rule tables keyed by the letter the suffix ends (step 3) or the one before it (steps 2 and 4), as in the paper.
    private static readonly Dictionary<char, string[][]> Step2Rules = new()
    {
        ['a'] = [["ational", "ate"], ["tional", "tion"]],
        ['c'] = [["enci", "ence"], ["anci", "ance"]],
        ['e'] = [["izer", "ize"]],
        ['l'] = [["bli", "ble"], ["alli", "al"], ["entli", "ent"], ["eli", "e"], ["ousli", "ous"]],
        ['o'] = [["ization", "ize"], ["ation", "ate"], ["ator", "ate"]],
        ['s'] = [["alism", "al"], ["iveness", "ive"], ["fulness", "ful"], ["ousness", "ous"]],
        ['t'] = [["aliti", "al"], ["iviti", "ive"], ["biliti", "ble"]],
        ['g'] = [["logi", "log"]],
    };

    private static readonly Dictionary<char, string[][]> Step3Rules = new()
    {
        ['e'] = [["icate", "ic"], ["ative", ""], ["alize", "al"]],
        ['i'] = [["iciti", "ic"]],
        ['l'] = [["ical", "ic"], ["ful", ""]],
        ['s'] = [["ness", ""]],
    };

    private static readonly Dictionary<char, string[]> Step4Suffixes = new()
    {
        ['a'] = ["al"],
        ['c'] = ["ance", "ence"],
        ['e'] = ["er"],
        ['i'] = ["ic"],
        ['l'] = ["able", "ible"],
        ['n'] = ["ant", "ement", "ment", "ent"],
        ['o'] = ["ion", "ou"],
        ['s'] = ["ism"],
        ['t'] = ["ate", "iti"],
        ['u'] = ["ous"],
        ['v'] = ["ive"],
        ['z'] = ["ize"],
    };

    private sealed class Worker(string word)
    {
        private readonly char[] _b = word.ToCharArray();
        private int _k = word.Length - 1;
        private int _j;

        public string Run()
        {
            if (_k > 1)
            {
                Step1Ab();
                if (_k > 0)
                {
                    Step1C();
                    Step2();
                    Step3();
                    Step4();
                    Step5();
                }
            }

            return new string(_b, 0, _k + 1);
        }

        private bool Cons(int i) => _b[i] switch
        {
            'a' or 'e' or 'i' or 'o' or 'u' => false,
            'y' => i == 0 || !Cons(i - 1),
            _ => true,
        };

        // The number of consonant-vowel sequences in b[0..j].
        private int M()
        {
            var n = 0;
            var i = 0;
            while (true)
            {
                if (i > _j)
                {
                    return n;
                }

                if (!Cons(i))
                {
                    break;
                }

                i++;
            }

            i++;
            while (true)
            {
                while (true)
                {
                    if (i > _j)
                    {
                        return n;
                    }

                    if (Cons(i))
                    {
                        break;
                    }

                    i++;
                }

                i++;
                n++;
                while (true)
                {
                    if (i > _j)
                    {
                        return n;
                    }

                    if (!Cons(i))
                    {
                        break;
                    }

                    i++;
                }

                i++;
            }
        }

        private bool VowelInStem()
        {
            for (var i = 0; i <= _j; i++)
            {
                if (!Cons(i))
                {
                    return true;
                }
            }

            return false;
        }

        private bool DoubleC(int j) => j >= 1 && _b[j] == _b[j - 1] && Cons(j);

        private bool Cvc(int i)
        {
            if (i < 2 || !Cons(i) || Cons(i - 1) || !Cons(i - 2))
            {
                return false;
            }

            return _b[i] is not ('w' or 'x' or 'y');
        }

        private bool Ends(string s)
        {
            var length = s.Length;
            if (length > _k + 1 || s[length - 1] != _b[_k])
            {
                return false;
            }

            for (var i = 0; i < length; i++)
            {
                if (_b[_k - length + 1 + i] != s[i])
                {
                    return false;
                }
            }

            _j = _k - length;
            return true;
        }

        private void SetTo(string s)
        {
            for (var i = 0; i < s.Length; i++)
            {
                _b[_j + 1 + i] = s[i];
            }

            _k = _j + s.Length;
        }

        private void R(string s)
        {
            if (M() > 0)
            {
                SetTo(s);
            }
        }

        private void Step1Ab()
        {
            if (_b[_k] == 's')
            {
                if (Ends("sses"))
                {
                    _k -= 2;
                }
                else if (Ends("ies"))
                {
                    SetTo("i");
                }
                else if (_b[_k - 1] != 's')
                {
                    _k--;
                }
            }

            if (Ends("eed"))
            {
                if (M() > 0)
                {
                    _k--;
                }
            }
            else if ((Ends("ed") || Ends("ing")) && VowelInStem())
            {
                _k = _j;
                if (Ends("at"))
                {
                    SetTo("ate");
                }
                else if (Ends("bl"))
                {
                    SetTo("ble");
                }
                else if (Ends("iz"))
                {
                    SetTo("ize");
                }
                else if (DoubleC(_k))
                {
                    _k--;
                    if (_b[_k] is 'l' or 's' or 'z')
                    {
                        _k++;
                    }
                }
                else if (M() == 1 && Cvc(_k))
                {
                    SetTo("e");
                }
            }
        }

        private void Step1C()
        {
            if (Ends("y") && VowelInStem())
            {
                _b[_k] = 'i';
            }
        }

        private void Step2()
        {
            if (_k < 1)
            {
                return;
            }

            if (!Step2Rules.TryGetValue(_b[_k - 1], out var rules))
            {
                return;
            }

            foreach (var rule in rules)
            {
                if (Ends(rule[0]))
                {
                    R(rule[1]);
                    return;
                }
            }
        }

        private void Step3()
        {
            if (!Step3Rules.TryGetValue(_b[_k], out var rules))
            {
                return;
            }

            foreach (var rule in rules)
            {
                if (Ends(rule[0]))
                {
                    R(rule[1]);
                    return;
                }
            }
        }

        private void Step4()
        {
            if (_k < 1)
            {
                return;
            }

            if (!Step4Suffixes.TryGetValue(_b[_k - 1], out var suffixes))
            {
                return;
            }

            var matched = false;
            foreach (var suffix in suffixes)
            {
                if (Ends(suffix))
                {
                    if (suffix == "ion" && !(_j >= 0 && _b[_j] is 's' or 't'))
                    {
                        continue;
                    }

                    matched = true;
                    break;
                }
            }

            if (matched && M() > 1)
            {
                _k = _j;
            }
        }

        private void Step5()
        {
            _j = _k;
            if (_b[_k] == 'e')
            {
                var a = M();
                if (a > 1 || (a == 1 && !Cvc(_k - 1)))
                {
                    _k--;
                }
            }

            if (_b[_k] == 'l' && DoubleC(_k) && M() > 1)
            {
                _k--;
            }
        }
    }
}
