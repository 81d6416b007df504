using System.Text;

namespace Homeserver.Core.Push.Rules;

/// <summary>
/// A push-rule glob (<c>*</c> any run, <c>?</c> one character), matched case-insensitively in time linear in the
/// text. The pattern is split at its stars; the pieces between are found left to right, each leftmost (which is
/// always as good as any later choice), with a bit-parallel scan, so no input makes the match backtrack.
/// </summary>
public sealed class GlobPattern
{
    private const int AnyOne = -1;
    private readonly Segment[] _segments;

    private GlobPattern(Segment[] segments) => _segments = segments;

    public static GlobPattern Parse(string pattern)
    {
        var segments = new List<Segment>();
        var current = new List<int>();
        foreach (var c in Fold(pattern))
        {
            if (c == '*')
            {
                segments.Add(new Segment(current.ToArray()));
                current.Clear();
            }
            else
                current.Add(c == '?' ? AnyOne : c);
        }
        segments.Add(new Segment(current.ToArray()));
        return new GlobPattern(segments.ToArray());
    }

    /// <summary>A pattern that matches <paramref name="text"/> literally, stars and question marks included.</summary>
    public static GlobPattern Literal(string text) => new([new Segment(Fold(text))]);

    /// <summary>Whether the pattern matches the whole of <paramref name="value"/>.</summary>
    public bool MatchesWhole(string value)
    {
        var text = Fold(value);
        var first = _segments[0];
        if (_segments.Length == 1)
            return text.Length == first.Length && first.MatchesAt(text, 0);
        var last = _segments[^1];
        var lastStart = text.Length - last.Length;
        if (lastStart < first.Length || !first.MatchesAt(text, 0) || !last.MatchesAt(text, lastStart))
            return false;
        var pos = first.Length;
        for (var i = 1; i < _segments.Length - 1; i++)
        {
            var at = _segments[i].Find(text, pos, lastStart, startBounded: false, endBounded: false);
            if (at < 0)
                return false;
            pos = at + _segments[i].Length;
        }
        return true;
    }

    /// <summary>
    /// Whether the pattern matches some substring of <paramref name="value"/> that starts and ends at a word
    /// boundary (the ends of the value, or any character outside <c>[A-Za-z0-9_]</c>), as <c>content.body</c> rules do.
    /// </summary>
    public bool MatchesWords(string value)
    {
        var text = Fold(value);
        var first = _segments[0];
        if (_segments.Length == 1)
            return first.Find(text, 0, text.Length, startBounded: true, endBounded: true) >= 0;
        var at = first.Find(text, 0, text.Length, startBounded: true, endBounded: false);
        if (at < 0)
            return false;
        var pos = at + first.Length;
        for (var i = 1; i < _segments.Length - 1; i++)
        {
            at = _segments[i].Find(text, pos, text.Length, startBounded: false, endBounded: false);
            if (at < 0)
                return false;
            pos = at + _segments[i].Length;
        }
        return _segments[^1].Find(text, pos, text.Length, startBounded: false, endBounded: true) >= 0;
    }

    /// <summary>The text as lower-cased code points, so <c>?</c> stands for one character even outside the BMP.</summary>
    private static int[] Fold(string s)
    {
        var folded = new int[s.Length];
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsSurrogate(c))
                return FoldRunes(s);
            folded[i] = c < 128 ? (c is >= 'A' and <= 'Z' ? c + 32 : c) : char.ToLowerInvariant(c);
        }
        return folded;
    }

    private static int[] FoldRunes(string s)
    {
        var runes = new List<int>(s.Length);
        foreach (var r in s.EnumerateRunes())
            runes.Add(Rune.ToLowerInvariant(r).Value);
        return runes.ToArray();
    }

    private static bool IsWordChar(int c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_';

    private static bool BoundaryBefore(int[] text, int i) => i == 0 || !IsWordChar(text[i - 1]);

    private static bool BoundaryAfter(int[] text, int end) => end == text.Length || !IsWordChar(text[end]);

    /// <summary>A star-free piece of the pattern, with shift-and masks: bit i of a character's mask says position i accepts it.</summary>
    private sealed class Segment
    {
        private const int Ascii = 128;
        private readonly int[] _chars;
        private readonly int _words;
        private readonly ulong[] _anyMask;
        /// <summary>Masks of ASCII characters, <c>_words</c> per character; other characters are in <see cref="_otherMasks"/>. Null when none occur.</summary>
        private readonly ulong[]? _asciiMasks;
        private readonly Dictionary<int, ulong[]>? _otherMasks;

        public Segment(int[] chars)
        {
            _chars = chars;
            _words = Math.Max(1, (chars.Length + 63) / 64);
            _anyMask = new ulong[_words];
            for (var i = 0; i < chars.Length; i++)
            {
                var bit = 1UL << (i % 64);
                var c = chars[i];
                if (c == AnyOne)
                    _anyMask[i / 64] |= bit;
                else if (c < Ascii)
                    (_asciiMasks ??= new ulong[Ascii * _words])[c * _words + i / 64] |= bit;
                else
                {
                    _otherMasks ??= new Dictionary<int, ulong[]>();
                    (_otherMasks.TryGetValue(c, out var m) ? m : _otherMasks[c] = new ulong[_words])[i / 64] |= bit;
                }
            }
        }

        public int Length => _chars.Length;

        public bool MatchesAt(int[] text, int at)
        {
            if (at < 0 || at + _chars.Length > text.Length)
                return false;
            for (var i = 0; i < _chars.Length; i++)
                if (_chars[i] != AnyOne && _chars[i] != text[at + i])
                    return false;
            return true;
        }

        /// <summary>The leftmost start of an occurrence within <c>text[from..to)</c> meeting the boundary requirements, or -1.</summary>
        public int Find(int[] text, int from, int to, bool startBounded, bool endBounded)
        {
            var m = _chars.Length;
            if (m == 0)
            {
                for (var p = from; p <= to; p++)
                    if ((!startBounded || BoundaryBefore(text, p)) && (!endBounded || BoundaryAfter(text, p)))
                        return p;
                return -1;
            }
            return _words == 1 ? FindShort(text, from, to, startBounded, endBounded) : FindLong(text, from, to, startBounded, endBounded);
        }

        private bool Accept(int[] text, int end, bool startBounded, bool endBounded) =>
            (!startBounded || BoundaryBefore(text, end - _chars.Length)) && (!endBounded || BoundaryAfter(text, end));

        /// <summary>Segments of up to 64 characters: the whole automaton state is one word.</summary>
        private int FindShort(int[] text, int from, int to, bool startBounded, bool endBounded)
        {
            var any = _anyMask[0];
            var top = 1UL << (_chars.Length - 1);
            var state = 0UL;
            for (var j = from; j < to; j++)
            {
                var c = text[j];
                var mask = c < Ascii ? _asciiMasks?[c] ?? 0 : _otherMasks is not null && _otherMasks.TryGetValue(c, out var m) ? m[0] : 0;
                state = ((state << 1) | 1UL) & (any | mask);
                if ((state & top) != 0 && Accept(text, j + 1, startBounded, endBounded))
                    return j + 1 - _chars.Length;
            }
            return -1;
        }

        private int FindLong(int[] text, int from, int to, bool startBounded, bool endBounded)
        {
            var state = new ulong[_words];
            var topWord = (_chars.Length - 1) / 64;
            var topBit = 1UL << ((_chars.Length - 1) % 64);
            for (var j = from; j < to; j++)
            {
                var c = text[j];
                var other = c < Ascii ? null : _otherMasks?.GetValueOrDefault(c);
                for (var w = _words - 1; w >= 0; w--)
                {
                    var mask = c < Ascii ? _asciiMasks?[c * _words + w] ?? 0 : other?[w] ?? 0;
                    var carry = w > 0 ? state[w - 1] >> 63 : 1UL;
                    state[w] = ((state[w] << 1) | carry) & (_anyMask[w] | mask);
                }
                if ((state[topWord] & topBit) != 0 && Accept(text, j + 1, startBounded, endBounded))
                    return j + 1 - _chars.Length;
            }
            return -1;
        }
    }
}
