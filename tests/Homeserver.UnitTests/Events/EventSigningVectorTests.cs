using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Json;
using Homeserver.Core.Keys;
using Xunit;

namespace Homeserver.UnitTests.Events;

/// <summary>
/// The spec's "Event Signing" vectors (appendices, "Cryptographic Test Vectors"). They predate room
/// version 11 and keep the top-level <c>origin</c>, so they hold for the v1–v10 redaction algorithm,
/// which room version 10 uses. The v11 signatures were computed independently (Python, hashlib and
/// the cryptography package) over the same events with <c>origin</c> redacted away.
/// </summary>
public sealed class EventSigningVectorTests : IDisposable
{
    private readonly SigningKey _key = SpecVectors.CreateKey();

    public void Dispose() => _key.Dispose();

    [Fact]
    public void Sign_SpecMinimalEventV10_EmitsSpecSignedEvent()
    {
        JsonObject pdu = JsonNode.Parse(SpecVectors.MinimalEvent)!.AsObject();

        EventSigner.Sign(pdu, RoomVersions.V10, SpecVectors.ServerName, _key);

        JsonNode expected = JsonNode.Parse("""
            {
                "auth_events": [],
                "content": {},
                "depth": 3,
                "hashes": {
                    "sha256": "5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos"
                },
                "origin": "domain",
                "origin_server_ts": 1000000,
                "prev_events": [],
                "room_id": "!x:domain",
                "sender": "@a:domain",
                "signatures": {
                    "domain": {
                        "ed25519:1": "KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg"
                    }
                },
                "type": "X",
                "unsigned": {
                    "age_ts": 1000000
                }
            }
            """)!;
        Assert.Equal(CanonicalJson.EncodeToString(expected), CanonicalJson.EncodeToString(pdu));
    }

    [Fact]
    public void Sign_SpecRedactableEventV10_EmitsSpecSignedEvent()
    {
        JsonObject pdu = JsonNode.Parse(SpecVectors.RedactableEvent)!.AsObject();

        EventSigner.Sign(pdu, RoomVersions.V10, SpecVectors.ServerName, _key);

        JsonNode expected = JsonNode.Parse("""
            {
                "content": {
                    "body": "Here is the message content"
                },
                "event_id": "$0:domain",
                "hashes": {
                    "sha256": "onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g"
                },
                "origin": "domain",
                "origin_server_ts": 1000000,
                "type": "m.room.message",
                "room_id": "!r:domain",
                "sender": "@u:domain",
                "signatures": {
                    "domain": {
                        "ed25519:1": "Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA"
                    }
                },
                "unsigned": {
                    "age_ts": 1000000
                }
            }
            """)!;
        Assert.Equal(CanonicalJson.EncodeToString(expected), CanonicalJson.EncodeToString(pdu));
    }

    [Theory]
    [InlineData(SpecVectors.MinimalEvent, "5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos")]
    [InlineData(SpecVectors.RedactableEvent, "onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g")]
    public void ContentHash_SpecEvents_MatchSpecHashes(string json, string expected)
    {
        Assert.Equal(expected, ContentHasher.ComputeBase64(JsonNode.Parse(json)!.AsObject()));
    }

    [Theory]
    [InlineData(SpecVectors.MinimalEvent, "Jxp+1glFcZM+nnHpY0EkedRR7u0VmKsJYGnQqIvqus3UvL5X/p1y6wSkLhGoTBel6MZ9lrMIzUqrjqFquWJKBw")]
    [InlineData(SpecVectors.RedactableEvent, "4WQB/6LN2OtkUN/+18xUNB/U4RTX1N3EeKBdlCxux08YO8izKDrSRqML1XB8V97IK7AujkNO1xMl7TaBLA4kDw")]
    public void Sign_SpecEventsV11_SignatureExcludesOrigin(string json, string expectedSignature)
    {
        JsonObject pdu = JsonNode.Parse(json)!.AsObject();

        EventSigner.Sign(pdu, RoomVersions.V11, SpecVectors.ServerName, _key);

        Assert.Equal(expectedSignature, (string?)pdu["signatures"]!["domain"]!["ed25519:1"]);
        Assert.Equal("domain", (string?)pdu["origin"]);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("11")]
    [InlineData("12")]
    public void Verify_SignedSpecEvent_ValidAndStillValidWhenRedacted(string versionId)
    {
        RoomVersions.TryGet(versionId, out RoomVersion? version);
        JsonObject pdu = JsonNode.Parse(SpecVectors.RedactableEvent)!.AsObject();
        EventSigner.Sign(pdu, version!, SpecVectors.ServerName, _key);

        JsonObject redacted = EventRedactor.Redact(pdu, version!);

        Assert.Equal(EventVerification.Valid, EventVerifier.Verify(pdu, version!, "domain", "ed25519:1", _key.PublicKey));
        Assert.Equal(EventVerification.ContentHashMismatch, EventVerifier.Verify(redacted, version!, "domain", "ed25519:1", _key.PublicKey));
    }
}
