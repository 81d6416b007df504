using System.Text;
using Homeserver.Core.Accounts.Sso;
using Xunit;

namespace Homeserver.UnitTests.Accounts;

/// <summary>What the server makes of a CAS server's answer and of an identity provider's user name.</summary>
public sealed class SsoParsingTests
{
    private static CasIdentity? Parse(string xml) => CasClient.Parse(Encoding.UTF8.GetBytes(xml));

    [Theory]
    [InlineData("cas_user!", "cas_user=21")]
    [InlineData("Alice.Smith", "alice.smith")]
    [InlineData("_bridge", "=5fbridge")]
    [InlineData("a=b", "a=3db")]
    [InlineData("jürgen", "j=c3=bcrgen")]
    [InlineData("a b/c-d", "a=20b/c-d")]
    public void Localpart_IsMappedAsSynapseMapsIt(string username, string localpart) =>
        Assert.Equal(localpart, SsoLocalpart.From(username));

    [Fact]
    public void Success_GivesTheUserAndAttributes()
    {
        var identity = Parse("""
            <cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
              <cas:authenticationSuccess>
                <cas:user> alice </cas:user>
                <cas:attributes><cas:name>Alice</cas:name><cas:group>staff</cas:group><cas:group>ops</cas:group></cas:attributes>
              </cas:authenticationSuccess>
            </cas:serviceResponse>
            """);
        Assert.NotNull(identity);
        Assert.Equal("alice", identity.User);
        Assert.Equal(["Alice"], identity.Attributes["name"]);
        Assert.Equal(["staff", "ops"], identity.Attributes["group"]);
    }

    [Theory]
    [InlineData("""<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationFailure code="INVALID_TICKET">no</cas:authenticationFailure></cas:serviceResponse>""")]
    [InlineData("""<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user></cas:user></cas:authenticationSuccess></cas:serviceResponse>""")]
    [InlineData("""<serviceResponse><authenticationSuccess><user>alice</user></authenticationSuccess></serviceResponse>""")]
    [InlineData("not xml at all")]
    [InlineData("""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY u "alice">]><cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>&u;</cas:user></cas:authenticationSuccess></cas:serviceResponse>""")]
    public void AnythingButASuccessWithAUser_IsNoIdentity(string xml) => Assert.Null(Parse(xml));
}
