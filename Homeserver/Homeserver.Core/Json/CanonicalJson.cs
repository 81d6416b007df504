using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Homeserver.Core.Json;

/// <summary>
/// Matrix canonical JSON (spec appendices, "Canonical JSON"): UTF-8, no insignificant whitespace,
/// object keys sorted by Unicode code point, minimal string escaping, integers only.
/// </summary>
/// <remarks>
/// Hand-written rather than built on Utf8JsonWriter because the writer escapes non-ASCII and
/// HTML-sensitive characters, and its output is not guaranteed to stay byte-stable across
/// runtime versions; signatures and event hashes depend on these exact bytes.
/// Any number written with a fraction or exponent is rejected, even when integral (1.0, 1e5):
/// this matches what real servers accept on the wire, and deliberately departs from the
/// spec's <c>1e10</c> example, which assumes a parser that has already turned it into an integer.
/// </remarks>
public static class CanonicalJson
{
    /// <summary>2^53 − 1, the largest integer an IEEE double represents exactly.</summary>
    public const long MaxSafeInteger = 9_007_199_254_740_991;

    // Guards the recursive walk against stack exhaustion on JsonNode trees built in code;
    // parsed documents are already capped far lower by JsonDocumentOptions.MaxDepth.
    private const int MaxDepth = 512;

    private const string FloatMessage = "float values are not allowed";
    private const string RangeMessage = "integer out of range [-(2^53)+1, (2^53)-1]";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly byte[] HexDigits = "0123456789abcdef"u8.ToArray();

    public static byte[] Encode(JsonElement value)
    {
        var output = new ArrayBufferWriter<byte>();
        WriteElement(value, output, []);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Encode(JsonNode? value) => EncodeWithout(value, []);

    /// <summary>
    /// Encodes <paramref name="value"/> as if the named top-level keys were absent, without mutating it.
    /// Signing drops <c>signatures</c>/<c>unsigned</c>; content hashing also drops <c>hashes</c>.
    /// </summary>
    public static byte[] EncodeWithout(JsonNode? value, params ReadOnlySpan<string> excludedTopLevelKeys)
    {
        var output = new ArrayBufferWriter<byte>();
        WriteNode(value, output, [], excludedTopLevelKeys);
        return output.WrittenSpan.ToArray();
    }

    public static string EncodeToString(JsonElement value) => StrictUtf8.GetString(Encode(value));

    public static string EncodeToString(JsonNode? value) => StrictUtf8.GetString(Encode(value));

    /// <summary>Reports the first value that cannot be canonically encoded, with its location.</summary>
    public static bool TryValidate(JsonElement value, out string? error)
    {
        try
        {
            WriteElement(value, null, []);
            error = null;
            return true;
        }
        catch (CanonicalJsonException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <inheritdoc cref="TryValidate(JsonElement, out string?)"/>
    public static bool TryValidate(JsonNode? value, out string? error)
    {
        try
        {
            WriteNode(value, null, [], []);
            error = null;
            return true;
        }
        catch (CanonicalJsonException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>
    /// Orders strings by Unicode code point. Plain ordinal comparison of UTF-16 code units puts
    /// astral characters (surrogates, 0xD800–0xDFFF) before U+E000–U+FFFF, which is wrong here.
    /// </summary>
    public static int CompareCodePoints(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        int common = Math.Min(x.Length, y.Length);
        for (int i = 0; i < common; i++)
        {
            char a = x[i];
            char b = y[i];
            if (a != b)
            {
                return SurrogatesLast(a) - SurrogatesLast(b);
            }
        }

        return x.Length - y.Length;
    }

    // Lifts surrogates above the rest of the BMP so that code-unit order becomes code-point order.
    private static int SurrogatesLast(char c) =>
        c < 0xD800 ? c : c < 0xE000 ? c + 0x2000 : c - 0x800;

    // output == null means "validate only": every check still runs, nothing is written.
    private static void WriteElement(JsonElement value, ArrayBufferWriter<byte>? output, List<(string? Key, int Index)> path)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                WriteElementObject(value, output, path);
                break;
            case JsonValueKind.Array:
                Enter(path);
                output?.Write("["u8);
                int index = 0;
                foreach (JsonElement item in value.EnumerateArray())
                {
                    if (index > 0)
                    {
                        output?.Write(","u8);
                    }

                    path.Add((null, index++));
                    WriteElement(item, output, path);
                    path.RemoveAt(path.Count - 1);
                }

                output?.Write("]"u8);
                break;
            case JsonValueKind.String:
                WriteString(GetString(value, path), output, path);
                break;
            case JsonValueKind.Number:
                if (!value.TryGetInt64(out long number))
                {
                    bool isFloat = value.GetRawText().AsSpan().IndexOfAny('.', 'e', 'E') >= 0;
                    throw Fail(isFloat ? FloatMessage : RangeMessage, path);
                }

                WriteInteger(number, output, path);
                break;
            case JsonValueKind.True:
                output?.Write("true"u8);
                break;
            case JsonValueKind.False:
                output?.Write("false"u8);
                break;
            case JsonValueKind.Null:
                output?.Write("null"u8);
                break;
            default:
                throw Fail("undefined JSON value", path);
        }
    }

    private static void WriteElementObject(JsonElement value, ArrayBufferWriter<byte>? output, List<(string? Key, int Index)> path)
    {
        Enter(path);
        var members = new List<(string Key, JsonElement Value)>();
        foreach (JsonProperty property in value.EnumerateObject())
        {
            string key;
            try
            {
                key = property.Name;
            }
            catch (InvalidOperationException ex)
            {
                throw Fail("object key is not valid Unicode", path, ex);
            }

            members.Add((key, property.Value));
        }

        members.Sort(static (a, b) => CompareCodePoints(a.Key, b.Key));

        output?.Write("{"u8);
        for (int i = 0; i < members.Count; i++)
        {
            (string key, JsonElement member) = members[i];

            // Parsers disagree on which duplicate wins, so signing one would let two servers see different content.
            if (i > 0 && string.Equals(members[i - 1].Key, key, StringComparison.Ordinal))
            {
                throw Fail($"duplicate object key {Describe(key)}", path);
            }

            if (i > 0)
            {
                output?.Write(","u8);
            }

            WriteString(key, output, path);
            output?.Write(":"u8);
            path.Add((key, 0));
            WriteElement(member, output, path);
            path.RemoveAt(path.Count - 1);
        }

        output?.Write("}"u8);
    }

    private static void WriteNode(JsonNode? node, ArrayBufferWriter<byte>? output, List<(string? Key, int Index)> path, ReadOnlySpan<string> excludedKeys)
    {
        switch (node)
        {
            case null:
                output?.Write("null"u8);
                break;
            case JsonObject obj:
                WriteNodeObject(obj, output, path, excludedKeys);
                break;
            case JsonArray array:
                Enter(path);
                output?.Write("["u8);
                for (int i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        output?.Write(","u8);
                    }

                    path.Add((null, i));
                    WriteNode(array[i], output, path, []);
                    path.RemoveAt(path.Count - 1);
                }

                output?.Write("]"u8);
                break;
            case JsonValue value:
                WriteNodeValue(value, output, path);
                break;
            default:
                throw Fail($"unsupported node type {node.GetType().Name}", path);
        }
    }

    private static void WriteNodeObject(JsonObject obj, ArrayBufferWriter<byte>? output, List<(string? Key, int Index)> path, ReadOnlySpan<string> excludedKeys)
    {
        Enter(path);
        var members = new List<KeyValuePair<string, JsonNode?>>(obj.Count);
        foreach (KeyValuePair<string, JsonNode?> member in obj)
        {
            if (!excludedKeys.Contains(member.Key))
            {
                members.Add(member);
            }
        }

        members.Sort(static (a, b) => CompareCodePoints(a.Key, b.Key));

        output?.Write("{"u8);
        for (int i = 0; i < members.Count; i++)
        {
            if (i > 0)
            {
                output?.Write(","u8);
            }

            WriteString(members[i].Key, output, path);
            output?.Write(":"u8);
            path.Add((members[i].Key, 0));
            WriteNode(members[i].Value, output, path, []);
            path.RemoveAt(path.Count - 1);
        }

        output?.Write("}"u8);
    }

    private static void WriteNodeValue(JsonValue value, ArrayBufferWriter<byte>? output, List<(string? Key, int Index)> path)
    {
        // Parsed nodes wrap a JsonElement, which keeps the original number text: "1.0" must stay a float.
        if (value.TryGetValue(out JsonElement element))
        {
            WriteElement(element, output, path);
        }
        else if (value.TryGetValue(out string? text))
        {
            WriteString(text, output, path);
        }
        else if (value.TryGetValue(out bool flag))
        {
            output?.Write(flag ? "true"u8 : "false"u8);
        }
        else if (value.TryGetValue(out long longValue))
        {
            WriteInteger(longValue, output, path);
        }
        else if (value.TryGetValue(out int intValue))
        {
            WriteInteger(intValue, output, path);
        }
        else if (value.TryGetValue(out double _) || value.TryGetValue(out float _)
            || value.TryGetValue(out decimal _) || value.TryGetValue(out Half _))
        {
            // Checked before the fallback because System.Text.Json writes 1.0d as "1".
            throw Fail(FloatMessage, path);
        }
        else
        {
            WriteElement(ToElement(value, path), output, path);
        }
    }

    // Other CLR values (uint, Guid, DateTimeOffset, enums...) go through their System.Text.Json form.
    private static JsonElement ToElement(JsonValue value, List<(string? Key, int Index)> path)
    {
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                value.WriteTo(writer);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw Fail($"value of type {value.GetValueKind()} cannot be serialized", path, ex);
        }

        using JsonDocument document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static string GetString(JsonElement value, List<(string? Key, int Index)> path)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            // System.Text.Json refuses lone surrogate escapes and invalid UTF-8; neither has a UTF-8 encoding.
            throw Fail("string is not valid Unicode", path, ex);
        }
    }

    private static void WriteInteger(long number, ArrayBufferWriter<byte>? output, List<(string? Key, int Index)> path)
    {
        if (number is > MaxSafeInteger or < -MaxSafeInteger)
        {
            throw Fail(RangeMessage, path);
        }

        if (output is null)
        {
            return;
        }

        // "-0" parses to 0 and is written as "0", as the spec demands.
        Span<byte> span = output.GetSpan(20);
        number.TryFormat(span, out int written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    private static void WriteString(string text, ArrayBufferWriter<byte>? output, List<(string? Key, int Index)> path)
    {
        if (output is null)
        {
            try
            {
                StrictUtf8.GetByteCount(text);
            }
            catch (EncoderFallbackException ex)
            {
                throw Fail("string is not valid Unicode", path, ex);
            }

            return;
        }

        output.Write("\""u8);
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c >= 0x20 && c != '"' && c != '\\')
            {
                continue;
            }

            WriteUtf8(text.AsSpan(start, i - start), output, path);
            WriteEscape(c, output);
            start = i + 1;
        }

        WriteUtf8(text.AsSpan(start), output, path);
        output.Write("\""u8);
    }

    private static void WriteEscape(char c, ArrayBufferWriter<byte> output)
    {
        ReadOnlySpan<byte> shortForm = c switch
        {
            '"' => "\\\""u8,
            '\\' => "\\\\"u8,
            '\b' => "\\b"u8,
            '\f' => "\\f"u8,
            '\n' => "\\n"u8,
            '\r' => "\\r"u8,
            '\t' => "\\t"u8,
            _ => default,
        };

        if (!shortForm.IsEmpty)
        {
            output.Write(shortForm);
            return;
        }

        Span<byte> span = output.GetSpan(6);
        "\\u00"u8.CopyTo(span);
        span[4] = HexDigits[c >> 4];
        span[5] = HexDigits[c & 0xF];
        output.Advance(6);
    }

    private static void WriteUtf8(ReadOnlySpan<char> chars, ArrayBufferWriter<byte> output, List<(string? Key, int Index)> path)
    {
        if (chars.IsEmpty)
        {
            return;
        }

        Span<byte> span = output.GetSpan(StrictUtf8.GetMaxByteCount(chars.Length));
        int written;
        try
        {
            written = StrictUtf8.GetBytes(chars, span);
        }
        catch (EncoderFallbackException ex)
        {
            throw Fail("string is not valid Unicode", path, ex);
        }

        output.Advance(written);
    }

    private static void Enter(List<(string? Key, int Index)> path)
    {
        if (path.Count >= MaxDepth)
        {
            throw Fail($"nesting deeper than {MaxDepth} levels", path);
        }
    }

    private static CanonicalJsonException Fail(string problem, List<(string? Key, int Index)> path, Exception? inner = null)
    {
        string location = FormatPath(path);
        string message = $"Invalid canonical JSON at {location}: {problem}";
        return inner is null
            ? new CanonicalJsonException(message) { Path = location }
            : new CanonicalJsonException(message, inner) { Path = location };
    }

    private static string FormatPath(List<(string? Key, int Index)> path)
    {
        var builder = new StringBuilder("$");
        foreach ((string? key, int index) in path)
        {
            if (key is null)
            {
                builder.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else if (key.Length > 0 && key.Length <= 64 && key.All(static c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                builder.Append('.').Append(key);
            }
            else
            {
                builder.Append('[').Append(Describe(key)).Append(']');
            }
        }

        return builder.ToString();
    }

    // Keys come from untrusted input and end up in error responses and logs: keep them short and printable.
    private static string Describe(string key)
    {
        var builder = new StringBuilder("'");
        foreach (char c in key.Length > 64 ? key[..64] : key)
        {
            builder.Append(char.IsControl(c) || char.IsSurrogate(c) ? '?' : c);
        }

        return builder.Append(key.Length > 64 ? "…'" : "'").ToString();
    }
}
