using Homeserver.Core.Rooms.AuthRules;
using Xunit;

namespace Homeserver.UnitTests.Rooms.AuthRules;

internal static class AuthAssert
{
    public static void Allowed(AuthResult result) => Assert.True(result.IsAllowed, $"Expected allowed, got {result}");

    /// <summary>Denied, and by the rule expected: its reason contains <paramref name="reasonPart"/>.</summary>
    public static void Denied(AuthResult result, string reasonPart)
    {
        Assert.False(result.IsAllowed, $"Expected denied ({reasonPart}), got allowed");
        Assert.Contains(reasonPart, result.Reason, StringComparison.Ordinal);
    }
}
