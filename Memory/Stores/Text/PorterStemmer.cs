namespace Agents.Memory.Stores.Text;

/// <summary>
/// M. F. Porter's 1980 suffix-stripping algorithm ("connected", "connecting" and "connections" all
/// become "connect"). Words holding anything but a-z (digits, accents) are returned unchanged.
/// </summary>
public static class PorterStemmer
{
    public static string Stem(string word)
    {
        if (word.Length <= 2) return word;
        foreach (var c in word)
            if (c is < 'a' or > 'z') return word;
        var b = word.ToCharArray();
        var k = b.Length - 1;
        Step1ab(b, ref k);
        if (k > 0)
        {
            Step1c(b, k);
            Step2(b, ref k);
            Step3(b, ref k);
            Step4(b, ref k);
            Step5(b, ref k);
        }
        return new string(b, 0, k + 1);
    }

    private static bool IsConsonant(char[] b, int i) => b[i] switch
    {
        'a' or 'e' or 'i' or 'o' or 'u' => false,
        'y' => i == 0 || !IsConsonant(b, i - 1),
        _ => true,
    };

    // m(): the number of VC sequences in b[0..j].
    private static int Measure(char[] b, int j)
    {
        int n = 0, i = 0;
        while (true) { if (i > j) return n; if (!IsConsonant(b, i)) break; i++; }
        i++;
        while (true)
        {
            while (true) { if (i > j) return n; if (IsConsonant(b, i)) break; i++; }
            i++; n++;
            while (true) { if (i > j) return n; if (!IsConsonant(b, i)) break; i++; }
            i++;
        }
    }

    private static bool VowelInStem(char[] b, int j)
    {
        for (var i = 0; i <= j; i++) if (!IsConsonant(b, i)) return true;
        return false;
    }

    private static bool DoubleConsonant(char[] b, int j) => j >= 1 && b[j] == b[j - 1] && IsConsonant(b, j);

    // cvc(i): consonant-vowel-consonant ending at i, the last not w, x or y.
    private static bool Cvc(char[] b, int i)
    {
        if (i < 2 || !IsConsonant(b, i) || IsConsonant(b, i - 1) || !IsConsonant(b, i - 2)) return false;
        return b[i] is not ('w' or 'x' or 'y');
    }

    private static bool EndsWith(char[] b, int k, string s, out int j)
    {
        j = k - s.Length;
        if (s.Length > k + 1) return false;
        for (var i = 0; i < s.Length; i++) if (b[k - s.Length + 1 + i] != s[i]) return false;
        return true;
    }

    // Replaces b[j+1..k] by s; returns the new k.
    private static int SetTo(char[] b, int j, string s)
    {
        for (var i = 0; i < s.Length; i++) b[j + 1 + i] = s[i];
        return j + s.Length;
    }

    private static void ReplaceIfMeasure(char[] b, ref int k, int j, string s)
    {
        if (Measure(b, j) > 0) k = SetTo(b, j, s);
    }

    private static void Step1ab(char[] b, ref int k)
    {
        int j;
        if (b[k] == 's')
        {
            if (EndsWith(b, k, "sses", out j)) k -= 2;
            else if (EndsWith(b, k, "ies", out j)) k = SetTo(b, j, "i");
            else if (k >= 1 && b[k - 1] != 's') k--;
        }
        if (EndsWith(b, k, "eed", out j)) { if (Measure(b, j) > 0) k--; }
        else if ((EndsWith(b, k, "ed", out j) || EndsWith(b, k, "ing", out j)) && VowelInStem(b, j))
        {
            k = j;
            if (EndsWith(b, k, "at", out j)) k = SetTo(b, j, "ate");
            else if (EndsWith(b, k, "bl", out j)) k = SetTo(b, j, "ble");
            else if (EndsWith(b, k, "iz", out j)) k = SetTo(b, j, "ize");
            else if (DoubleConsonant(b, k)) { if (b[k] is not ('l' or 's' or 'z')) k--; }
            else if (Measure(b, k) == 1 && Cvc(b, k)) k = SetTo(b, k, "e");
        }
    }

    private static void Step1c(char[] b, int k)
    {
        if (b[k] == 'y' && k >= 1 && VowelInStem(b, k - 1)) b[k] = 'i';
    }

    private static readonly (string From, string To)[] Step2Rules =
    [
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"), ("bli", "ble"),
        ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"), ("ization", "ize"), ("ation", "ate"),
        ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"),
        ("iviti", "ive"), ("biliti", "ble"), ("logi", "log"),
    ];

    private static readonly (string From, string To)[] Step3Rules =
    [
        ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", ""),
    ];

    private static readonly string[] Step4Suffixes =
    [
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism", "ate",
        "iti", "ous", "ive", "ize",
    ];

    private static void Step2(char[] b, ref int k)
    {
        foreach (var (from, to) in Step2Rules)
        {
            if (EndsWith(b, k, from, out var j)) { ReplaceIfMeasure(b, ref k, j, to); return; }
        }
    }

    private static void Step3(char[] b, ref int k)
    {
        foreach (var (from, to) in Step3Rules)
        {
            if (EndsWith(b, k, from, out var j)) { ReplaceIfMeasure(b, ref k, j, to); return; }
        }
    }

    private static void Step4(char[] b, ref int k)
    {
        foreach (var suffix in Step4Suffixes)
        {
            if (!EndsWith(b, k, suffix, out var j)) continue;
            if (suffix == "ion" && (j < 0 || b[j] is not ('s' or 't'))) return;
            if (Measure(b, j) > 1) k = j;
            return;
        }
    }

    private static void Step5(char[] b, ref int k)
    {
        var j = k;
        if (b[k] == 'e')
        {
            var m = Measure(b, k - 1);
            if (m > 1 || (m == 1 && !Cvc(b, k - 1))) k--;
        }
        if (b[k] == 'l' && DoubleConsonant(b, k) && Measure(b, k - 1) > 1) k--;
        _ = j;
    }
}
