using System.Text.Json.Nodes;
using Homeserver.Core.Federation.Acl;
using Xunit;

namespace Homeserver.UnitTests.Federation.Acl;

/// <summary>The spec's order for <c>m.room.server_acl</c>: IP literals, then deny, then allow, else denied; ports ignored, case folded.</summary>
public sealed class ServerAclEvaluatorTests
{
    private static ServerAclEvaluator Acl(string json) => ServerAclEvaluator.FromContent(JsonNode.Parse(json)!.AsObject());

    [Theory]
    [InlineData("good.example", true)]
    [InlineData("good.example:8448", true)]
    [InlineData("evil.com", false)]
    [InlineData("evil.com:8448", false)]
    [InlineData("evil.com:1234", false)]
    [InlineData("EVIL.COM", false)]
    [InlineData("sub.evil.com", false)]
    [InlineData("notevil.com", true)]
    [InlineData("ev1l.net", false)]
    [InlineData("evil.net", false)]
    [InlineData("eviil.net", true)]
    public void DenyWinsOverAllow_WithGlobsPortsAndCase(string server, bool allowed) =>
        Assert.Equal(allowed, Acl("""{"allow":["*"],"deny":["evil.com","*.evil.com","ev?l.net"]}""").IsAllowed(server));

    [Theory]
    [InlineData("matrix.org", true)]
    [InlineData("Matrix.ORG:443", true)]
    [InlineData("a.matrix.org", true)]
    [InlineData("matrix.org.evil", false)]
    [InlineData("other.example", false)]
    public void OnlyWhatAllowMatches_IsAllowed(string server, bool allowed) =>
        Assert.Equal(allowed, Acl("""{"allow":["matrix.org","*.matrix.org"]}""").IsAllowed(server));

    [Theory]
    [InlineData("1.2.3.4")]
    [InlineData("1.2.3.4:8448")]
    [InlineData("[::1]")]
    [InlineData("[2001:db8::1]:8448")]
    public void IpLiterals_AreDenied_WhenAllowIpLiteralsIsFalse(string server)
    {
        Assert.False(Acl("""{"allow":["*"],"allow_ip_literals":false}""").IsAllowed(server));
        Assert.True(Acl("""{"allow":["*"],"allow_ip_literals":true}""").IsAllowed(server));
        // Anything but the boolean false is the default, true.
        Assert.True(Acl("""{"allow":["*"],"allow_ip_literals":"false"}""").IsAllowed(server));
        Assert.True(Acl("""{"allow":["*"]}""").IsAllowed(server));
    }

    [Theory]
    [InlineData("1.example")]
    [InlineData("1.2.3")]
    [InlineData("1234")]
    public void NamesThatOnlyLookNumeric_AreNotIpLiterals(string server) =>
        Assert.True(Acl("""{"allow":["*"],"allow_ip_literals":false}""").IsAllowed(server));

    [Fact]
    public void AnIpLiteralCanBeDeniedByGlob_WhileLiteralsAreAllowed()
    {
        var acl = Acl("""{"allow":["*"],"deny":["10.*","[::1]"]}""");
        Assert.False(acl.IsAllowed("10.0.0.1:8448"));
        Assert.False(acl.IsAllowed("[::1]:8448"));
        Assert.True(acl.IsAllowed("11.0.0.1"));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"deny":["evil.com"]}""")]
    [InlineData("""{"allow":"*"}""")]
    [InlineData("""{"allow":[1, null, {"a":"*"}]}""")]
    public void WithoutAnAllowEntry_EveryServerIsDenied(string content) =>
        Assert.False(Acl(content).IsAllowed("good.example"));

    [Fact]
    public void EntriesThatAreNotStrings_AreSkipped_TheOthersStillApply()
    {
        var acl = Acl("""{"allow":[1, "*"],"deny":[false, "evil.com"]}""");
        Assert.True(acl.IsAllowed("good.example"));
        Assert.False(acl.IsAllowed("evil.com"));
    }

    [Theory]
    [InlineData("example.org:8448", "example.org")]
    [InlineData("example.org", "example.org")]
    [InlineData("[::1]:8448", "[::1]")]
    [InlineData("[::1]", "[::1]")]
    public void HostOf_StripsThePortOnly(string server, string host) =>
        Assert.Equal(host, ServerAclEvaluator.HostOf(server));
}
