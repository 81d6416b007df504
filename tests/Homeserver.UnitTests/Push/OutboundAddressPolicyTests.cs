using System.Net;
using Homeserver.Core.Outbound;
using Xunit;

namespace Homeserver.UnitTests.Push;

public sealed class OutboundAddressPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.20.30.40")]
    [InlineData("172.16.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    public void PrivateAndSpecialAddresses_AreRefused(string address) =>
        Assert.False(new OutboundAddressPolicy([]).IsAllowed(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700:4700::1111")]
    public void PublicAddresses_AreAllowed(string address) =>
        Assert.True(new OutboundAddressPolicy([]).IsAllowed(IPAddress.Parse(address)));

    [Fact]
    public void AllowList_OpensOnlyItsRange()
    {
        var policy = new OutboundAddressPolicy(["127.0.0.1/32", "10.1.0.0/16"]);
        Assert.True(policy.IsAllowed(IPAddress.Parse("127.0.0.1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("10.1.200.3")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("127.0.0.2")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("10.2.0.1")));
        Assert.True(policy.IsAllowListed(IPAddress.Parse("10.1.0.1")));
        Assert.False(policy.IsAllowListed(IPAddress.Parse("8.8.8.8")));
    }

    [Fact]
    public void DenyList_RefusesPublicRangesUnlessAllowListed()
    {
        var policy = new OutboundAddressPolicy(["203.0.114.7/32"], ["203.0.114.0/24"]);
        Assert.False(policy.IsAllowed(IPAddress.Parse("203.0.114.8")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("::ffff:203.0.114.8")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("203.0.114.7")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("8.8.8.8")));
    }
}
