using Homeserver.Core.Errors;
using Homeserver.Core.Streams;
using Homeserver.Core.Sync;
using Xunit;

namespace Homeserver.UnitTests.Sync;

public sealed class SyncTokenTests
{
    [Fact]
    public void RoundTrips_EveryPosition()
    {
        var t = new SyncToken(1, 2, 3, 4, 5, 6, 7);
        Assert.Equal("s1_2_3_4_5_6_7", t.ToString());
        Assert.Equal(t, SyncToken.Parse(t.ToString()));
    }

    [Theory]
    [InlineData("s9_8", 9, 8, 0, 0)]
    [InlineData("s9_8_7", 9, 8, 7, 0)]
    [InlineData("s9_8_7_6", 9, 8, 7, 6)]
    public void ShorterFormsFromEarlierVersions_StillParse(string token, long events, long accountData, long typing, long receipts)
    {
        var t = SyncToken.Parse(token);
        Assert.Equal((events, accountData, typing, receipts, 0L, 0L, 0L), (t.Events, t.AccountData, t.Typing, t.Receipts, t.Presence, t.ToDevice, t.DeviceLists));
    }

    [Fact]
    public void IsAMapFromStreamToPosition()
    {
        var t = new SyncToken(1, 2, 3, 4, 5, 6, 7).With(StreamNames.Receipts, 40);
        Assert.Equal(40, t[StreamNames.Receipts]);
        Assert.Equal(1, t[StreamNames.Events]);
        Assert.Equal("s1_2_3_40_5_6_7", t.ToString());
        Assert.Equal(t, SyncToken.From(SyncToken.Streams.ToDictionary(s => s, s => t[s])));
        Assert.Throws<ArgumentException>(() => t[StreamNames.StateGroups]);
    }

    [Fact]
    public void Ordering_NeedsEveryStreamAtOrBefore()
    {
        var t = new SyncToken(5, 5, 5, 5, 5, 5, 5);
        Assert.True(t.IsAtOrBefore(t.With(StreamNames.Presence, 6)));
        Assert.False(t.With(StreamNames.Presence, 6).IsAtOrBefore(t));
        Assert.False(t.With(StreamNames.Events, 6).IsAtOrBefore(t.With(StreamNames.ToDevice, 6)));
    }

    [Theory]
    [InlineData("s1")]
    [InlineData("s1_2_3_4_5_6_7_8")]
    [InlineData("x1_2")]
    [InlineData("s1_-2")]
    [InlineData("s1_a")]
    public void Malformed_IsInvalidParam(string token) =>
        Assert.Equal("M_INVALID_PARAM", Assert.ThrowsAny<MatrixException>(() => SyncToken.Parse(token)).Errcode);
}
