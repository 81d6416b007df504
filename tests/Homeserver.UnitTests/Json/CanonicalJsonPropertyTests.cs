using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Json;
using Xunit;

namespace Homeserver.UnitTests.Json;

/// <summary>
/// Property tests over generated documents: canonical JSON parses back to an equal value, encoding is
/// byte-stable under re-encoding and key reordering, and the output follows the grammar the spec fixes.
/// </summary>
public sealed class CanonicalJsonPropertyTests
{
    private const int Cases = 500;

    [Fact]
    public void Encode_RandomDocuments_RoundTripAndAreByteStable()
    {
        var random = new Random(7341);
        for (var i = 0; i < Cases; i++)
        {
            var doc = RandomValue(random, depth: 0);
            var once = CanonicalJson.Encode(doc);
            var reparsed = JsonNode.Parse(once);
            Assert.True(JsonNode.DeepEquals(doc, reparsed), $"case {i}: {Encoding.UTF8.GetString(once)}");
            Assert.Equal(once, CanonicalJson.Encode(reparsed));
            Assert.Equal(once, CanonicalJson.Encode(Shuffled(reparsed, random)));
            AssertCanonicalShape(once);
        }
    }

    [Fact]
    public void Encode_JsonElementAndJsonNode_AgreeOnRandomDocuments()
    {
        var random = new Random(99);
        for (var i = 0; i < Cases; i++)
        {
            var doc = RandomValue(random, depth: 0);
            using var element = JsonDocument.Parse(doc?.ToJsonString() ?? "null");
            Assert.Equal(CanonicalJson.Encode(doc), CanonicalJson.Encode(element.RootElement));
        }
    }

    /// <summary>No whitespace outside strings; object keys strictly increasing by code point at every level.</summary>
    private static void AssertCanonicalShape(byte[] bytes)
    {
        using var doc = JsonDocument.Parse(bytes);
        AssertSorted(doc.RootElement);
        var text = Encoding.UTF8.GetString(bytes);
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString && c == '\\')
            {
                i++;
                continue;
            }
            if (c == '"')
                inString = !inString;
            else if (!inString)
                Assert.False(char.IsWhiteSpace(c), $"whitespace outside a string at {i}");
        }
    }

    private static void AssertSorted(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            string? previous = null;
            foreach (var p in e.EnumerateObject())
            {
                if (previous is not null)
                    Assert.True(CanonicalJson.CompareCodePoints(previous, p.Name) < 0, $"{previous} before {p.Name}");
                previous = p.Name;
                AssertSorted(p.Value);
            }
        }
        else if (e.ValueKind == JsonValueKind.Array)
            foreach (var item in e.EnumerateArray())
                AssertSorted(item);
    }

    private static JsonNode? Shuffled(JsonNode? node, Random random) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(_ => random.Next()).Select(kv => KeyValuePair.Create(kv.Key, Shuffled(kv.Value, random)))),
        JsonArray a => new JsonArray(a.Select(x => Shuffled(x, random)).ToArray()),
        _ => node?.DeepClone(),
    };

    private static readonly string[] Fragments = ["a", "Z", "é", "日本", "😀", "\n", "\t", "\"", "\\", "\u0001", "\u001f", "/", "<>", " ", "\u2028", "𝄞"];

    private static string RandomString(Random random)
    {
        var sb = new StringBuilder();
        for (var n = random.Next(0, 6); n > 0; n--)
            sb.Append(Fragments[random.Next(Fragments.Length)]);
        return sb.ToString();
    }

    private static JsonNode? RandomValue(Random random, int depth)
    {
        var kind = random.Next(depth > 3 ? 4 : 6);
        switch (kind)
        {
            case 0:
                return null;
            case 1:
                return JsonValue.Create(random.Next(2) == 0);
            case 2:
                var magnitude = random.Next(4) switch { 0 => 10L, 1 => 1L << 31, 2 => 1L << 40, _ => CanonicalJson.MaxSafeInteger };
                return JsonValue.Create(random.NextInt64(-magnitude, magnitude + 1));
            case 3:
                return JsonValue.Create(RandomString(random));
            case 4:
                var array = new JsonArray();
                for (var n = random.Next(0, 5); n > 0; n--)
                    array.Add(RandomValue(random, depth + 1));
                return array;
            default:
                var obj = new JsonObject();
                for (var n = random.Next(0, 6); n > 0; n--)
                    obj[RandomString(random) + n] = RandomValue(random, depth + 1);
                return obj;
        }
    }
}
