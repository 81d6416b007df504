using Homeserver.Core.Rooms.Visibility;
using Xunit;

namespace Homeserver.UnitTests.Rooms.Visibility;

/// <summary>History visibility for a whole server: what one of its users could see, the server sees.</summary>
public sealed class ServerVisibilityRuleTests
{
    [Theory]
    // world_readable: every server, members or not.
    [InlineData("world_readable", "", false, true)]
    // A member joined at the event: seen whatever the setting.
    [InlineData("joined", "join", false, true)]
    [InlineData("invited", "leave,join", false, true)]
    [InlineData("shared", "join", false, true)]
    // shared: history for servers in the room now, not for those that never joined or have left.
    [InlineData("shared", "", true, true)]
    [InlineData("shared", "leave", true, true)]
    [InlineData("shared", "", false, false)]
    [InlineData("shared", "leave", false, false)]
    // invited: from the invite on.
    [InlineData("invited", "invite", false, true)]
    [InlineData("invited", "", true, false)]
    [InlineData("joined", "invite", true, false)]
    // joined: only while joined.
    [InlineData("joined", "", true, false)]
    [InlineData("joined", "leave,ban", true, false)]
    public void CanSee(string visibility, string memberships, bool inRoomNow, bool expected) =>
        Assert.Equal(expected, ServerVisibilityRule.CanSee(visibility,
            memberships.Split(',', StringSplitOptions.RemoveEmptyEntries), inRoomNow));
}
