using Homeserver.Core.Encodings;
using Xunit;

// Not Homeserver.UnitTests.Encoding: that namespace would hide System.Text.Encoding from every test namespace.
namespace Homeserver.UnitTests.Encodings;

public sealed class UnpaddedBase64Tests
{
    // Spec appendices, "Unpadded Base64".
    public static TheoryData<string, string> SpecExamples => new()
    {
        { "", "" },
        { "f", "Zg" },
        { "fo", "Zm8" },
        { "foo", "Zm9v" },
        { "foob", "Zm9vYg" },
        { "fooba", "Zm9vYmE" },
        { "foobar", "Zm9vYmFy" },
    };

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public void Encode_SpecExample_ProducesSpecOutput(string plain, string encoded)
    {
        Assert.Equal(encoded, UnpaddedBase64.Encode(System.Text.Encoding.ASCII.GetBytes(plain)));
    }

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public void Decode_SpecExampleUnpaddedOrPadded_ReturnsOriginal(string plain, string encoded)
    {
        byte[] expected = System.Text.Encoding.ASCII.GetBytes(plain);
        string padded = encoded.PadRight((encoded.Length + 3) / 4 * 4, '=');

        Assert.Equal(expected, UnpaddedBase64.Decode(encoded));
        Assert.Equal(expected, UnpaddedBase64.Decode(padded));
        Assert.Equal(expected, UnpaddedBase64.DecodeUrlSafe(encoded));
    }

    [Theory]
    [InlineData("Z")]
    [InlineData("Zm9vY")]
    [InlineData("Zg=")]
    [InlineData("Zg===")]
    [InlineData("Zm8==")]
    [InlineData("=")]
    [InlineData("==")]
    [InlineData("Zm 9v")]
    [InlineData("Zm9v\n")]
    [InlineData(" Zm9v")]
    [InlineData("Zm9v-_")]
    [InlineData("Zm=9v")]
    [InlineData("Zm9vé")]
    public void Decode_InvalidInput_Throws(string input)
    {
        Assert.Throws<FormatException>(() => UnpaddedBase64.Decode(input));
        Assert.False(UnpaddedBase64.TryDecode(input, out _));
    }

    [Fact]
    public void TryDecode_Null_ReturnsFalse()
    {
        Assert.False(UnpaddedBase64.TryDecode(null, out _));
        Assert.False(UnpaddedBase64.TryDecodeUrlSafe(null, out _));
    }

    [Fact]
    public void Decode_NonZeroTrailingBits_IsTolerated()
    {
        Assert.Equal("f"u8.ToArray(), UnpaddedBase64.Decode("Zh"));
        Assert.Equal("fo"u8.ToArray(), UnpaddedBase64.Decode("Zm9"));
    }

    [Fact]
    public void EncodeUrlSafe_BytesNeedingSymbols_UsesMinusAndUnderscore()
    {
        byte[] data = [0xFB, 0xFF, 0xBF];

        Assert.Equal("+/+/", UnpaddedBase64.Encode(data));
        Assert.Equal("-_-_", UnpaddedBase64.EncodeUrlSafe(data));
        Assert.Equal(data, UnpaddedBase64.DecodeUrlSafe("-_-_"));
        Assert.Throws<FormatException>(() => UnpaddedBase64.DecodeUrlSafe("+/+/"));
        Assert.Throws<FormatException>(() => UnpaddedBase64.Decode("-_-_"));
    }

    [Fact]
    public void EncodeUrlSafe_Sha256EventId_Has43CharsWithoutPadding()
    {
        byte[] hash = System.Security.Cryptography.SHA256.HashData("event"u8);

        string encoded = UnpaddedBase64.EncodeUrlSafe(hash);

        Assert.Equal(43, encoded.Length);
        Assert.DoesNotContain('=', encoded);
        Assert.Equal(hash, UnpaddedBase64.DecodeUrlSafe(encoded));
    }

    [Fact]
    public void EncodeDecode_RandomData_RoundTripsAndMatchesFramework()
    {
        var random = new Random(42);
        for (int length = 0; length < 200; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);

            string standard = UnpaddedBase64.Encode(data);
            string urlSafe = UnpaddedBase64.EncodeUrlSafe(data);

            Assert.Equal(Convert.ToBase64String(data).TrimEnd('='), standard);
            Assert.Equal(standard.Replace('+', '-').Replace('/', '_'), urlSafe);
            Assert.Equal(data, UnpaddedBase64.Decode(standard));
            Assert.Equal(data, UnpaddedBase64.Decode(Convert.ToBase64String(data)));
            Assert.Equal(data, UnpaddedBase64.DecodeUrlSafe(urlSafe));
        }
    }
}
