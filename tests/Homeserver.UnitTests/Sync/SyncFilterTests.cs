using Homeserver.Core.Errors;
using Homeserver.Core.Sync;
using Xunit;

namespace Homeserver.UnitTests.Sync;

public sealed class SyncFilterTests
{
    [Fact]
    public void Parse_ReadsEverySection()
    {
        var f = SyncFilter.FromJson("""
            {"presence":{"not_types":["*"]},"account_data":{"types":["a.*"],"limit":3},
             "room":{"rooms":["!r:hs"],"not_rooms":["!x:hs"],"include_leave":true,
                     "timeline":{"limit":7,"senders":["@a:hs"],"unread_thread_notifications":true},
                     "state":{"lazy_load_members":true,"include_redundant_members":true},"ephemeral":{"types":["m.receipt"]}}}
            """);
        Assert.Equal(7, f.TimelineLimit);
        Assert.True(f.IncludeLeave);
        Assert.True(f.IncludesRoom("!r:hs"));
        Assert.False(f.IncludesRoom("!x:hs"));
        Assert.False(f.IncludesRoom("!other:hs"));
        Assert.False(f.Presence.Matches("m.presence", "@a:hs"));
        Assert.True(f.AccountData.Matches("a.b", null));
        Assert.False(f.AccountData.Matches("b.a", null));
        Assert.Equal(3, f.AccountData.Limit);
        Assert.True(f.Timeline.UnreadThreadNotifications);
        Assert.True(f.Timeline.Matches("m.room.message", "@a:hs"));
        Assert.False(f.Timeline.Matches("m.room.message", "@b:hs"));
        Assert.True(f.State.LazyLoadMembers);
        Assert.True(f.State.IncludeRedundantMembers);
        Assert.True(f.Ephemeral.Matches("m.receipt", null));
        Assert.False(f.Ephemeral.Matches("m.typing", null));
    }

    [Fact]
    public void Defaults_IncludeEverything_WithTenEventTimelines()
    {
        var f = SyncFilter.FromJson("{}");
        Assert.Equal(SyncFilter.DefaultTimelineLimit, f.TimelineLimit);
        Assert.False(f.IncludeLeave);
        Assert.True(f.IncludesRoom("!any:hs"));
        Assert.True(f.Presence.Matches("m.presence", "@a:hs"));
        Assert.False(f.State.LazyLoadMembers);
    }

    [Fact]
    public void HugeTimelineLimit_IsCapped() =>
        Assert.Equal(SyncFilter.MaxTimelineLimit, SyncFilter.FromJson("""{"room":{"timeline":{"limit":100000000}}}""").TimelineLimit);

    [Theory]
    [InlineData("""{"room":{"timeline":{"limit":-1}}}""")]
    [InlineData("""{"room":{"timeline":{"limit":"ten"}}}""")]
    [InlineData("""{"room":{"state":{"lazy_load_members":"yes"}}}""")]
    [InlineData("""{"room":{"rooms":"!r:hs"}}""")]
    [InlineData("""{"room":[]}""")]
    [InlineData("""not json""")]
    [InlineData("""42""")]
    public void Malformed_IsAMatrixError(string json)
    {
        var e = Assert.ThrowsAny<MatrixException>(() => SyncFilter.FromJson(json));
        Assert.Equal(400, e.Status);
    }
}
