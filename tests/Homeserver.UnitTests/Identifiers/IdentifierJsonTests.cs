using System.Text.Json;
using Homeserver.Core.Identifiers;
using Xunit;

namespace Homeserver.UnitTests.Identifiers;

public sealed class IdentifierJsonTests
{
    private sealed record Body(UserId user_id, RoomId room_id, EventId event_id);

    [Fact]
    public void Serialize_TypedIds_WritesTheirText()
    {
        var body = new Body(UserId.Parse("@alice:example.org"), RoomId.Parse("!r:example.org"), EventId.Parse("$abc"));

        Assert.Equal("""{"user_id":"@alice:example.org","room_id":"!r:example.org","event_id":"$abc"}""", JsonSerializer.Serialize(body));
    }

    [Fact]
    public void Deserialize_Text_ParsesBackAndRefusesOtherIds()
    {
        Assert.Equal(RoomId.Parse("!r:example.org"), JsonSerializer.Deserialize<RoomId>("\"!r:example.org\""));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<RoomId>("\"@alice:example.org\""));
    }

    [Fact]
    public void UserId_BuiltFromParts_EqualsTheParsedText()
    {
        var built = new UserId("alice", "example.org");
        var parsed = UserId.Parse("@alice:example.org");

        Assert.Equal(parsed, built);
        Assert.Equal(parsed.GetHashCode(), built.GetHashCode());
        Assert.NotEqual(UserId.Parse("@alice:example.com"), built);
        Assert.Equal("@alice:example.org", built.ToString());
    }
}
