using Homeserver.Core.E2ee.Backup;
using Xunit;

namespace Homeserver.UnitTests.E2ee;

public sealed class BackedUpKeyTests
{
    private static BackedUpKey Key(bool verified, long firstIndex, long forwarded) =>
        new() { IsVerified = verified ? 1 : 0, FirstMessageIndex = firstIndex, ForwardedCount = forwarded };

    [Theory]
    // Verification decides first, whatever the indexes say.
    [InlineData(true, 9, 9, false, 0, 0, true)]
    [InlineData(false, 0, 0, true, 9, 9, false)]
    // Then the lower first message index.
    [InlineData(true, 1, 9, true, 2, 0, true)]
    [InlineData(false, 3, 0, false, 2, 9, false)]
    // Then the lower forwarded count.
    [InlineData(false, 2, 0, false, 2, 1, true)]
    [InlineData(false, 2, 1, false, 2, 0, false)]
    // A full tie keeps what is stored.
    [InlineData(true, 2, 1, true, 2, 1, false)]
    public void Replaces_FollowsTheSpecOrder(bool newVerified, long newIndex, long newForwarded, bool oldVerified, long oldIndex, long oldForwarded, bool expected) =>
        Assert.Equal(expected, Key(newVerified, newIndex, newForwarded).Replaces(Key(oldVerified, oldIndex, oldForwarded)));
}
