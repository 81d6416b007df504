using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Json;
using Xunit;

namespace Homeserver.UnitTests.Json;

public sealed class CanonicalJsonTests
{
    // Every "Given ... should be produced" pair from the spec's Canonical JSON examples, except the
    // {"a":-0,"b":1e10} one, which is covered separately because exponents are rejected by design.
    public static TheoryData<string, string> SpecExamples => new()
    {
        { "{}", "{}" },
        {
            """
            {
                "one": 1,
                "two": "Two"
            }
            """,
            """{"one":1,"two":"Two"}"""
        },
        {
            """
            {
                "b": "2",
                "a": "1"
            }
            """,
            """{"a":"1","b":"2"}"""
        },
        { """{"b":"2","a":"1"}""", """{"a":"1","b":"2"}""" },
        {
            """
            {
                "auth": {
                    "success": true,
                    "mxid": "@john.doe:example.com",
                    "profile": {
                        "display_name": "John Doe",
                        "three_pids": [
                            {
                                "medium": "email",
                                "address": "john.doe@example.org"
                            },
                            {
                                "medium": "msisdn",
                                "address": "123456789"
                            }
                        ]
                    }
                }
            }
            """,
            """{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},"success":true}}"""
        },
        {
            """
            {
                "a": "日本語"
            }
            """,
            """{"a":"日本語"}"""
        },
        {
            """
            {
                "本": 2,
                "日": 1
            }
            """,
            """{"日":1,"本":2}"""
        },
        {
            """
            {
                "a": "\u65E5"
            }
            """,
            """{"a":"日"}"""
        },
        {
            """
            {
                "a": null
            }
            """,
            """{"a":null}"""
        },
    };

    public static TheoryData<string> NonCanonicalNumbers => new()
    {
        "1.0", "0.0", "-0.0", "1.5", "1e5", "1E5", "1e+5", "1e-5", "10e-1", "0e0", "1e10", "1e400",
    };

    public static TheoryData<string> OutOfRangeIntegers => new()
    {
        "9007199254740992", "-9007199254740992", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "18446744073709551616", "123456789012345678901234567890",
    };

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public void Encode_SpecExampleElement_ProducesSpecOutput(string input, string expected)
    {
        Assert.Equal(expected, EncodeElement(input));
    }

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public void Encode_SpecExampleNode_ProducesSpecOutput(string input, string expected)
    {
        Assert.Equal(expected, CanonicalJson.EncodeToString(JsonNode.Parse(input)));
    }

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public void Encode_SpecExample_ReturnsUtf8BytesWithoutBom(string input, string expected)
    {
        byte[] bytes = CanonicalJson.Encode(Parse(input));

        Assert.Equal(Encoding.UTF8.GetBytes(expected), bytes);
    }

    [Fact]
    public void Encode_SpecNegativeZero_WritesZero()
    {
        Assert.Equal("""{"a":0}""", EncodeElement("""{"a": -0}"""));
        Assert.Equal("""{"a":0}""", CanonicalJson.EncodeToString(JsonNode.Parse("""{"a": -0}""")));
    }

    [Fact]
    public void Encode_SpecExponentExample_IsRejectedByDesign()
    {
        // The spec canonicalises 1e10 to 10000000000; this server treats any exponent as a float (M_BAD_JSON).
        var ex = Assert.Throws<CanonicalJsonException>(() => EncodeElement("""{"a": -0, "b": 1e10}"""));

        Assert.Equal("$.b", ex.Path);
    }

    [Fact]
    public void Encode_AstralKeys_SortsByCodePointNotUtf16()
    {
        // UTF-16 ordinal order would put U+1F600 (surrogates D83D DE00) before U+E000 and U+FFFD.
        const string input = """{"\ud83d\ude00":3,"\ufffd":2,"\ue000":1,"z":0}""";

        Assert.Equal("{\"z\":0,\"\ue000\":1,\"\ufffd\":2,\"\ud83d\ude00\":3}", EncodeElement(input));
        Assert.Equal("{\"z\":0,\"\ue000\":1,\"\ufffd\":2,\"\ud83d\ude00\":3}", CanonicalJson.EncodeToString(JsonNode.Parse(input)));
    }

    [Fact]
    public void Encode_AstralKeys_MatchesUtf8ByteOrder()
    {
        var keys = new[] { "\U0001F600", "\uFFFF", "\uE000", "\uD7FF", "a", "\U00010000", "\U0010FFFF", "ab", "" };
        var obj = new JsonObject();
        foreach (string key in keys)
        {
            obj[key] = 1;
        }

        string[] expectedOrder = keys.OrderBy(k => Encoding.UTF8.GetBytes(k), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))).ToArray();
        string[] actualOrder = JsonNode.Parse(CanonicalJson.Encode(obj))!.AsObject().Select(p => p.Key).ToArray();

        Assert.Equal(expectedOrder, actualOrder);
    }

    [Fact]
    public void CompareCodePoints_RandomStrings_AgreesWithUtf32Comparison()
    {
        var random = new Random(20240601);
        char[] pool = ['a', 'b', '\u00e9', '\u65e5', '\ud7ff', '\ue000', '\uffff'];
        string[] astral = ["\U00010000", "\U0001F600", "\U0010FFFF"];

        for (int round = 0; round < 5000; round++)
        {
            string x = RandomString(random, pool, astral);
            string y = RandomString(random, pool, astral);

            int expected = Math.Sign(CompareUtf32(x, y));
            int actual = Math.Sign(CanonicalJson.CompareCodePoints(x, y));

            Assert.True(expected == actual, $"'{x}' vs '{y}': expected {expected}, got {actual}");
        }
    }

    [Theory]
    [InlineData(0x08, "\\b")]
    [InlineData(0x09, "\\t")]
    [InlineData(0x0A, "\\n")]
    [InlineData(0x0C, "\\f")]
    [InlineData(0x0D, "\\r")]
    [InlineData(0x00, "\\u0000")]
    [InlineData(0x01, "\\u0001")]
    [InlineData(0x07, "\\u0007")]
    [InlineData(0x0B, "\\u000b")]
    [InlineData(0x0E, "\\u000e")]
    [InlineData(0x0F, "\\u000f")]
    [InlineData(0x10, "\\u0010")]
    [InlineData(0x1A, "\\u001a")]
    [InlineData(0x1F, "\\u001f")]
    public void Encode_ControlCharacter_UsesSpecEscape(int code, string expectedEscape)
    {
        string input = $"\"x\\u{code:X4}y\"";

        Assert.Equal($"\"x{expectedEscape}y\"", EncodeElement(input));
    }

    [Fact]
    public void Encode_EveryControlCharacter_MatchesSpecGrammar()
    {
        for (int code = 0; code < 0x20; code++)
        {
            string encoded = CanonicalJson.EncodeToString(JsonValue.Create(((char)code).ToString()));
            string escape = encoded[1..^1];

            string expected = code switch
            {
                0x08 => "\\b",
                0x09 => "\\t",
                0x0A => "\\n",
                0x0C => "\\f",
                0x0D => "\\r",
                _ => $"\\u00{code:x2}",
            };
            Assert.Equal(expected, escape);
        }
    }

    [Fact]
    public void Encode_QuoteAndBackslash_AreEscaped()
    {
        Assert.Equal("""{"k\"\\":"v\"\\"}""", EncodeElement("""{"k\"\\":"v\"\\"}"""));
    }

    [Fact]
    public void Encode_CharactersOtherEncodersEscape_AreWrittenRaw()
    {
        // Utf8JsonWriter's default encoder would escape all of these; canonical JSON must not.
        const string input = """["\/", "<>&'+`", "\u007f", "\u2028\u2029", "\u00e9", "\ud83d\ude00", "\ufeff"]""";

        byte[] bytes = CanonicalJson.Encode(Parse(input));

        Assert.Equal(
            Encoding.UTF8.GetBytes("[\"/\",\"<>&'+`\",\"\u007f\",\"\u2028\u2029\",\"\u00e9\",\"\U0001F600\",\"\ufeff\"]"),
            bytes);
    }

    [Fact]
    public void Encode_AstralCharacter_IsFourByteUtf8()
    {
        byte[] bytes = CanonicalJson.Encode(Parse("\"\\uD83D\\uDE00\""));

        Assert.Equal(new byte[] { 0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22 }, bytes);
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"\\udc00\"")]
    [InlineData("\"a\\ud83dz\"")]
    [InlineData("{\"\\ud800\":1}")]
    public void Encode_LoneSurrogateEscape_Throws(string input)
    {
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Encode(Parse(input)));
    }

    [Fact]
    public void Encode_InvalidUtf8InString_Throws()
    {
        byte[] input = [(byte)'"', 0xFF, 0xFE, (byte)'"'];

        Exception ex = Record.Exception(() =>
        {
            using JsonDocument document = JsonDocument.Parse(input);
            CanonicalJson.Encode(document.RootElement);
        });

        // Either layer may refuse it; what matters is that no bytes are produced.
        Assert.True(ex is CanonicalJsonException or JsonException, $"unexpected {ex?.GetType()}");
    }

    [Fact]
    public void Encode_NodeWithLoneSurrogate_Throws()
    {
        // Built at run time: lone surrogates in theory data do not survive test-case serialization.
        foreach (string text in new[] { "\ud800", "a\udfffb", "\ud83d", "\ude00\ud83d" })
        {
            Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Encode(new JsonObject { ["k"] = text }));
            Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Encode(new JsonObject { [text] = 1 }));
            Assert.False(CanonicalJson.TryValidate(new JsonArray(text), out _));
        }
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-1", "-1")]
    [InlineData("42", "42")]
    [InlineData("9007199254740991", "9007199254740991")]
    [InlineData("-9007199254740991", "-9007199254740991")]
    public void Encode_IntegerInRange_IsWrittenVerbatim(string input, string expected)
    {
        Assert.Equal(expected, EncodeElement(input));
        Assert.Equal($"[{expected}]", CanonicalJson.EncodeToString(JsonNode.Parse($"[{input}]")));
    }

    [Theory]
    [MemberData(nameof(NonCanonicalNumbers))]
    public void Encode_FractionOrExponent_Throws(string number)
    {
        var ex = Assert.Throws<CanonicalJsonException>(() => EncodeElement($$"""{"n":{{number}}}"""));

        Assert.Contains("float", ex.Message, StringComparison.Ordinal);
        Assert.Equal("$.n", ex.Path);
    }

    [Theory]
    [MemberData(nameof(NonCanonicalNumbers))]
    public void Encode_ParsedNodeWithFractionOrExponent_Throws(string number)
    {
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Encode(JsonNode.Parse($$"""{"n":{{number}}}""")));
    }

    [Theory]
    [MemberData(nameof(OutOfRangeIntegers))]
    public void Encode_IntegerOutOfRange_Throws(string number)
    {
        var ex = Assert.Throws<CanonicalJsonException>(() => EncodeElement($"[{number}]"));

        Assert.Contains("range", ex.Message, StringComparison.Ordinal);
        Assert.Equal("$[0]", ex.Path);
    }

    [Theory]
    [InlineData(9_007_199_254_740_992L)]
    [InlineData(-9_007_199_254_740_992L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void Encode_NodeLongOutOfRange_Throws(long number)
    {
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Encode(new JsonArray(number)));
    }

    [Fact]
    public void Encode_NodeUlongOutOfRange_Throws()
    {
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Encode(JsonValue.Create(ulong.MaxValue)));
    }

    [Fact]
    public void Encode_NodeFloatingPointValues_ThrowEvenWhenIntegral()
    {
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Encode(JsonValue.Create(1.0d)));
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Encode(JsonValue.Create(2.0f)));
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Encode(JsonValue.Create(3m)));
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Encode(JsonValue.Create((Half)4)));
    }

    [Fact]
    public void Encode_NodeBuiltInCode_SortsAndWritesAllPrimitiveTypes()
    {
        var node = new JsonObject
        {
            ["s"] = "text",
            ["i"] = 7,
            ["l"] = -9_007_199_254_740_991L,
            ["u"] = 5u,
            ["b"] = (byte)200,
            ["t"] = true,
            ["f"] = false,
            ["n"] = null,
            ["a"] = new JsonArray(1, "two", null, new JsonObject()),
            ["g"] = Guid.Empty,
        };

        Assert.Equal(
            """{"a":[1,"two",null,{}],"b":200,"f":false,"g":"00000000-0000-0000-0000-000000000000","i":7,"l":-9007199254740991,"n":null,"s":"text","t":true,"u":5}""",
            CanonicalJson.EncodeToString(node));
    }

    [Fact]
    public void Encode_NodeWrappingJsonElement_UsesElementRules()
    {
        using JsonDocument document = JsonDocument.Parse("""["\u00e9", 5, 5.0]""");
        JsonElement[] items = document.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();

        var node = new JsonObject { ["s"] = JsonValue.Create(items[0]), ["i"] = JsonValue.Create(items[1]) };

        Assert.Equal("""{"i":5,"s":"é"}""", CanonicalJson.EncodeToString(node));
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Encode(JsonValue.Create(items[2])));
    }

    [Fact]
    public void Encode_NullNode_WritesNull()
    {
        Assert.Equal("null"u8.ToArray(), CanonicalJson.Encode((JsonNode?)null));
    }

    [Theory]
    [InlineData("[]", "[]")]
    [InlineData("[ [ [ ] ] , { } ]", "[[[]],{}]")]
    [InlineData("""[1, [2, [3, {"b": [], "a": {}}]]]""", """[1,[2,[3,{"a":{},"b":[]}]]]""")]
    [InlineData("""{"b": {"d": [true, false, null], "c": {"f": 1, "e": -1}}, "a": [{"y": 0, "x": ""}]}""",
        """{"a":[{"x":"","y":0}],"b":{"c":{"e":-1,"f":1},"d":[true,false,null]}}""")]
    [InlineData(" \r\n\t\"scalar\" \n", "\"scalar\"")]
    [InlineData("true", "true")]
    [InlineData("null", "null")]
    public void Encode_NestedValues_SortsAtEveryLevelAndStripsWhitespace(string input, string expected)
    {
        Assert.Equal(expected, EncodeElement(input));
        Assert.Equal(expected, CanonicalJson.EncodeToString(JsonNode.Parse(input)));
    }

    [Fact]
    public void Encode_KeysSharingPrefix_ShorterKeyFirst()
    {
        Assert.Equal("""{"":0,"a":1,"aa":2,"ab":3,"b":4}""", EncodeElement("""{"b":4,"ab":3,"aa":2,"a":1,"":0}"""));
    }

    [Fact]
    public void Encode_KeysNeedingEscapes_AreEscapedAndSortedByUnescapedValue()
    {
        Assert.Equal("{\"\\n\":1,\"\\\"\":2,\"A\":3}", EncodeElement("{\"A\":3,\"\\\"\":2,\"\\n\":1}"));
    }

    [Fact]
    public void Encode_DuplicateKeys_Throws()
    {
        var ex = Assert.Throws<CanonicalJsonException>(() => EncodeElement("""{"x":{"a":1,"b":2,"a":1}}"""));

        Assert.Equal("$.x", ex.Path);
        Assert.Contains("duplicate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_DuplicateKeysDifferentlyEscaped_Throws()
    {
        Assert.Throws<CanonicalJsonException>(() => EncodeElement("""{"a":1,"\u0061":2}"""));
    }

    [Fact]
    public void Encode_UndefinedElement_Throws()
    {
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Encode(default(JsonElement)));
    }

    [Fact]
    public void Encode_CanonicalOutput_IsFixedPoint()
    {
        const string input = """
            {"z": {"\ud83d\ude00": [1, -2, "\u0001\"\\"], "\ue000": null}, "a": [{"c": true, "b": false}], "日": "本"}
            """;

        string once = EncodeElement(input);

        Assert.Equal(once, EncodeElement(once));
    }

    [Fact]
    public void Encode_NodeNestedTooDeep_ThrowsInsteadOfOverflowingStack()
    {
        JsonNode root = new JsonArray();
        JsonNode current = root;
        for (int i = 0; i < 5_000; i++)
        {
            var child = new JsonArray();
            ((JsonArray)current).Add(child);
            current = child;
        }

        var ex = Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Encode(root));
        Assert.Contains("nesting", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_ModeratelyDeepDocument_Succeeds()
    {
        string input = new string('[', 200) + new string(']', 200);
        using JsonDocument document = JsonDocument.Parse(input, new JsonDocumentOptions { MaxDepth = 256 });

        Assert.Equal(input, CanonicalJson.EncodeToString(document.RootElement));
    }

    [Fact]
    public void EncodeWithout_ExcludedKeys_OnlyDroppedAtTopLevel()
    {
        var node = JsonNode.Parse("""{"signatures":{},"unsigned":{"age":1},"a":{"signatures":1,"unsigned":2}}""")!;

        string encoded = Encoding.UTF8.GetString(CanonicalJson.EncodeWithout(node, "signatures", "unsigned"));

        Assert.Equal("""{"a":{"signatures":1,"unsigned":2}}""", encoded);
        Assert.Equal(3, node.AsObject().Count);
    }

    [Theory]
    [InlineData(
        """{"room_id":"!x:domain","sender":"@a:domain","origin":"domain","origin_server_ts":1000000,"signatures":{},"hashes":{},"type":"X","content":{},"prev_events":[],"auth_events":[],"depth":3,"unsigned":{"age_ts":1000000}}""",
        "5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos")]
    [InlineData(
        """{"content":{"body":"Here is the message content"},"event_id":"$0:domain","origin":"domain","origin_server_ts":1000000,"type":"m.room.message","room_id":"!r:domain","sender":"@u:domain","signatures":{},"unsigned":{"age_ts":1000000}}""",
        "onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g")]
    public void EncodeWithout_SpecEventSigningVectors_ReproduceContentHash(string eventJson, string expectedSha256)
    {
        byte[] canonical = CanonicalJson.EncodeWithout(JsonNode.Parse(eventJson), "signatures", "unsigned", "hashes");

        Assert.Equal(expectedSha256, Convert.ToBase64String(SHA256.HashData(canonical)).TrimEnd('='));
    }

    [Fact]
    public void TryValidate_CanonicalDocument_ReturnsTrueWithoutError()
    {
        bool valid = CanonicalJson.TryValidate(Parse("""{"a":[1,-9007199254740991,"x",{"b":null}]}"""), out string? error);

        Assert.True(valid);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("""{"content":{"body":["ok",1.5]}}""", "$.content.body[1]", "float")]
    [InlineData("""{"content":{"n":9007199254740992}}""", "$.content.n", "range")]
    [InlineData("""[0,{"a b":{"c":1e3}}]""", "$[1]['a b'].c", "float")]
    [InlineData("""{"a":1,"a":2}""", "$", "duplicate")]
    [InlineData("""{"k":"\udc00"}""", "$.k", "Unicode")]
    public void TryValidate_NonCanonicalValue_ReportsFirstProblemWithLocation(string input, string path, string problem)
    {
        bool valid = CanonicalJson.TryValidate(Parse(input), out string? error);

        Assert.False(valid);
        Assert.NotNull(error);
        Assert.Contains(path + ":", error, StringComparison.Ordinal);
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryValidate_SeveralProblems_ReportsFirstInDocumentOrder()
    {
        CanonicalJson.TryValidate(Parse("""{"b":1.5,"a":[2e0]}"""), out string? error);

        // Keys are visited in canonical order, so "a" comes before "b".
        Assert.Contains("$.a[0]:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryValidate_Node_AgreesWithEncode()
    {
        Assert.True(CanonicalJson.TryValidate(new JsonObject { ["a"] = 1 }, out string? none));
        Assert.Null(none);
        Assert.False(CanonicalJson.TryValidate(new JsonObject { ["a"] = new JsonArray(0.5) }, out string? error));
        Assert.Contains("$.a[0]:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryValidate_UntrustedKeyInError_IsTruncatedAndSanitised()
    {
        string longKey = new string('k', 500) + "\n";
        string input = $$"""{"{{longKey.Replace("\n", "\\n", StringComparison.Ordinal)}}":1.5}""";

        CanonicalJson.TryValidate(Parse(input), out string? error);

        Assert.NotNull(error);
        Assert.True(error.Length < 200, error);
        Assert.DoesNotContain("\n", error, StringComparison.Ordinal);
    }

    private static JsonElement Parse(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string EncodeElement(string json) => CanonicalJson.EncodeToString(Parse(json));

    private static string RandomString(Random random, char[] pool, string[] astral)
    {
        var builder = new StringBuilder();
        int length = random.Next(0, 5);
        for (int i = 0; i < length; i++)
        {
            if (random.Next(3) == 0)
            {
                builder.Append(astral[random.Next(astral.Length)]);
            }
            else
            {
                builder.Append(pool[random.Next(pool.Length)]);
            }
        }

        return builder.ToString();
    }

    private static int CompareUtf32(string x, string y)
    {
        int[] a = x.EnumerateRunes().Select(r => r.Value).ToArray();
        int[] b = y.EnumerateRunes().Select(r => r.Value).ToArray();
        return a.AsSpan().SequenceCompareTo(b);
    }

}
