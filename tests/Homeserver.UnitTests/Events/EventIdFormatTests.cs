using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Xunit;

namespace Homeserver.UnitTests.Events;

/// <summary>
/// Event IDs and the PDU formats per room version: v1–v2 carry an <c>event_id</c> their origin minted and cite
/// parents as <c>[ID, {"sha256": reference hash}]</c> pairs (pdu_v1); v3 uses the reference hash in standard
/// Base64, v4 onwards in URL-safe Base64, both with plain lists of IDs. Expected hashes were computed independently
/// in Python (hashlib, canonical JSON by <c>json.dumps</c> with sorted keys).
/// </summary>
public sealed class EventIdFormatTests : IDisposable
{
    // The message built by Message(): content hash and reference hash in both alphabets.
    private const string MessageContentHash = "GKIWU/diAWuiVgKDFi3c68EO+qi48feT0gTx1E3fo4I";
    private const string MessageIdV3 = "$SkOWeKH0V6azq9AoCtaixEqWBk8JDjkvlzWagGk+SQo";
    private const string MessageIdV4 = "$SkOWeKH0V6azq9AoCtaixEqWBk8JDjkvlzWagGk-SQo";

    // The spec's signed redactable event (a room version 1 event: it carries event_id "$0:domain").
    private const string SpecEventReferenceHash = "oFAil2fHTGY66j9PIsC3hnc+/6r2SQGxCzd1/FUgtOE";

    private readonly SigningKey _key = SpecVectors.CreateKey();

    public void Dispose() => _key.Dispose();

    [Theory]
    [InlineData("3", MessageIdV3)]
    [InlineData("4", MessageIdV4)]
    [InlineData("9", MessageIdV4)]
    public void Build_HashVersions_IdIsReferenceHashInTheVersionsAlphabet(string versionId, string expected)
    {
        Pdu message = Message(Version(versionId)).Build(_key);

        Assert.Equal(MessageContentHash, message.ContentHash);
        Assert.Equal(expected, message.EventId.ToString());
        Assert.False(message.Json.ContainsKey("event_id"));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    public void Build_V1Format_MintsServerIdCarriedInTheEvent(string versionId)
    {
        Pdu first = Message(Version(versionId)).Build(_key);
        Pdu second = Message(Version(versionId)).Build(_key);

        Assert.Equal("domain", first.EventId.ServerName);
        Assert.Equal(first.EventId.ToString(), (string?)first.Json["event_id"]);
        Assert.NotEqual(first.EventId, second.EventId);
        Assert.True(first.RoomVersion.IsValidEventId(first.EventId));
        // The ID is not the hash: the same event under another ID is another event.
        Assert.Equal(first.EventId, Pdu.FromJson((JsonObject)first.Json.DeepClone(), first.RoomVersion).EventId);
    }

    [Fact]
    public void ReferenceHash_SpecSignedEventV1_MatchesIndependentComputation()
    {
        JsonObject pdu = JsonNode.Parse(SpecVectors.RedactableEvent)!.AsObject();
        EventSigner.Sign(pdu, RoomVersions.V1, SpecVectors.ServerName, _key);

        Assert.Equal(SpecEventReferenceHash, Homeserver.Core.Encodings.UnpaddedBase64.Encode(ReferenceHasher.Compute(pdu, RoomVersions.V1)));
    }

    [Fact]
    public void Build_V1Format_CitesParentsWithTheirReferenceHashes()
    {
        JsonObject parentJson = JsonNode.Parse(SpecVectors.RedactableEvent)!.AsObject();
        parentJson.Remove("unsigned");
        parentJson["prev_events"] = new JsonArray();
        parentJson["auth_events"] = new JsonArray();
        parentJson["depth"] = 1;
        EventSigner.Sign(parentJson, RoomVersions.V1, SpecVectors.ServerName, _key);
        Pdu parent = Pdu.FromJson(parentJson, RoomVersions.V1);

        Pdu child = Message(RoomVersions.V1, [parent.EventId], ReferenceHasher.ByEventId([parent])).Build(_key);

        string expectedHash = Homeserver.Core.Encodings.UnpaddedBase64.Encode(ReferenceHasher.Compute(parentJson, RoomVersions.V1));
        foreach (string key in new[] { "prev_events", "auth_events" })
        {
            JsonArray pair = Assert.IsType<JsonArray>(Assert.Single(child.Json[key]!.AsArray()));
            Assert.Equal("$0:domain", (string?)pair[0]);
            Assert.Equal(expectedHash, (string?)pair[1]!["sha256"]);
        }

        Assert.Equal([EventId.Parse("$0:domain")], child.PrevEvents);
        Assert.Equal([EventId.Parse("$0:domain")], child.AuthEvents);
    }

    [Fact]
    public void Build_V1FormatWithoutParentsHash_Refused()
    {
        EventBuilder builder = Message(RoomVersions.V1, [EventId.Parse("$p:domain")]);

        Assert.Throws<ArgumentException>(() => builder.Build(_key));
    }

    [Theory]
    [InlineData("1", """{"event_id": "$e:domain", "prev_events": [["$p:domain", {"sha256": "aGFzaA"}]]}""", true)]
    [InlineData("2", """{"event_id": "$e:domain", "prev_events": []}""", true)]
    [InlineData("1", """{"prev_events": [["$p:domain", {"sha256": "aGFzaA"}]]}""", false)] // no event_id
    [InlineData("1", """{"event_id": "$SkOWeKH0V6azq9AoCtaixEqWBk8JDjkvlzWagGk-SQo", "prev_events": []}""", false)] // hash ID
    [InlineData("1", """{"event_id": "$e:domain", "prev_events": ["$p:domain"]}""", false)] // v3 list
    [InlineData("1", """{"event_id": "$e:domain", "prev_events": [["$p:domain"]]}""", false)] // no hashes
    [InlineData("1", """{"event_id": "$e:domain", "prev_events": [["$p:domain", {}]]}""", true)] // no sha256: unused, as Synapse takes it
    [InlineData("1", """{"event_id": "$e:domain", "prev_events": [["$p:domain", {"sha256": 5}]]}""", false)] // a hash that is not a string
    [InlineData("1", """{"event_id": "$e:domain", "prev_events": [["$p:domain", "aGFzaA"]]}""", false)] // hashes not an object
    [InlineData("3", """{"prev_events": [["$SkOWeKH0V6azq9AoCtaixEqWBk8JDjkvlzWagGk+SQo", {"sha256": "aGFzaA"}]]}""", false)]
    [InlineData("3", """{"prev_events": ["$SkOWeKH0V6azq9AoCtaixEqWBk8JDjkvlzWagGk+SQo"]}""", true)]
    [InlineData("3", """{"prev_events": ["$SkOWeKH0V6azq9AoCtaixEqWBk8JDjkvlzWagGk-SQo"]}""", false)] // v4 alphabet
    [InlineData("4", """{"prev_events": ["$SkOWeKH0V6azq9AoCtaixEqWBk8JDjkvlzWagGk-SQo"]}""", true)]
    [InlineData("4", """{"prev_events": ["$p:domain"]}""", false)]
    public void Validate_ReferencesAndEventId_FollowTheVersionsFormat(string versionId, string fields, bool valid)
    {
        JsonObject pdu = new()
        {
            ["type"] = "m.room.message", ["sender"] = "@u:domain", ["room_id"] = "!r:domain", ["content"] = new JsonObject(),
            ["auth_events"] = new JsonArray(), ["depth"] = 2, ["origin_server_ts"] = 1,
            ["hashes"] = new JsonObject { ["sha256"] = "aGFzaA" }, ["signatures"] = new JsonObject(),
        };
        foreach ((string key, JsonNode? value) in JsonNode.Parse(fields)!.AsObject())
        {
            pdu[key] = value?.DeepClone();
        }

        Exception? error = Record.Exception(() => PduValidator.Validate(pdu, Version(versionId)));

        Assert.Equal(valid, error is null);
        if (error is not null)
        {
            Assert.IsType<InvalidEventException>(error);
        }
    }

    // A message citing parents as both its prev and auth events.
    private static EventBuilder Message(
        RoomVersion version, IReadOnlyList<EventId>? parents = null, IReadOnlyDictionary<EventId, byte[]>? referenceHashes = null)
    {
        return new EventBuilder
        {
            RoomVersion = version, Type = "m.room.message", Sender = UserId.Parse("@u:domain"), RoomId = RoomId.Parse("!r:domain"),
            Content = new JsonObject { ["body"] = "Here is the message content" }, Depth = parents is null ? 1 : 2, OriginServerTs = 1_000_000,
            PrevEvents = parents ?? [], AuthEvents = parents ?? [], ReferenceHashes = referenceHashes ?? new Dictionary<EventId, byte[]>(),
        };
    }

    private static RoomVersion Version(string id) =>
        RoomVersions.TryGet(id, out RoomVersion? version) ? version : throw new ArgumentException(id);
}
