using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Json;
using Xunit;

namespace Homeserver.UnitTests.Events;

/// <summary>
/// The redaction algorithm per room version: fragments "v1-redactions" (v1–v5), "v6-redactions" (v6, v7), the v8 page,
/// "v9-redactions" (v9, v10) and "v11-redactions" (v11, v12).
/// </summary>
public sealed class EventRedactorTests
{
    private const string Member = """
        {"membership": "join", "join_authorised_via_users_server": "@admin:hs", "displayname": "Alice", "avatar_url": "mxc://hs/a",
         "third_party_invite": {"display_name": "alice@example.org", "signed": {"mxid": "@alice:hs", "token": "tok", "signatures": {}}}}
        """;

    private const string Create = """
        {"creator": "@alice:hs", "room_version": "10", "m.federate": false, "type": "m.space",
         "predecessor": {"room_id": "!old:hs"}, "additional_creators": ["@bob:hs"]}
        """;

    private const string JoinRules = """
        {"join_rule": "restricted", "allow": [{"type": "m.room_membership", "room_id": "!space:hs"}], "extra": 1}
        """;

    private const string PowerLevels = """
        {"ban": 50, "events": {"m.room.name": 50}, "events_default": 0, "invite": 0, "kick": 50, "redact": 50,
         "state_default": 50, "users": {"@alice:hs": 100}, "users_default": 0, "notifications": {"room": 50}, "extra": true}
        """;

    private const string PowerLevelsKeptUpToV10 = """
        {"ban": 50, "events": {"m.room.name": 50}, "events_default": 0, "kick": 50, "redact": 50,
         "state_default": 50, "users": {"@alice:hs": 100}, "users_default": 0}
        """;

    private const string PowerLevelsKeptFromV11 = """
        {"ban": 50, "events": {"m.room.name": 50}, "events_default": 0, "invite": 0, "kick": 50, "redact": 50,
         "state_default": 50, "users": {"@alice:hs": 100}, "users_default": 0}
        """;

    public static TheoryData<string, string, string, string> ContentCases => new()
    {
        // version, type, content, expected content after redaction
        { "1", EventTypes.Member, Member, """{"membership": "join"}""" },
        { "7", EventTypes.Member, Member, """{"membership": "join"}""" },
        { "8", EventTypes.Member, Member, """{"membership": "join"}""" },
        { "9", EventTypes.Member, Member, """{"membership": "join", "join_authorised_via_users_server": "@admin:hs"}""" },
        { "1", EventTypes.Create, Create, """{"creator": "@alice:hs"}""" },
        { "1", EventTypes.JoinRules, JoinRules, """{"join_rule": "restricted"}""" },
        { "7", EventTypes.JoinRules, JoinRules, """{"join_rule": "restricted"}""" },
        { "8", EventTypes.JoinRules, JoinRules, """{"join_rule": "restricted", "allow": [{"type": "m.room_membership", "room_id": "!space:hs"}]}""" },
        { "1", EventTypes.PowerLevels, PowerLevels, PowerLevelsKeptUpToV10 },
        { "1", EventTypes.HistoryVisibility, """{"history_visibility": "shared", "extra": 1}""", """{"history_visibility": "shared"}""" },
        { "1", EventTypes.Redaction, """{"redacts": "$abc", "reason": "spam"}""", "{}" },
        { "1", EventTypes.Aliases, """{"aliases": ["#a:hs"], "extra": 1}""", """{"aliases": ["#a:hs"]}""" },
        { "5", EventTypes.Aliases, """{"aliases": ["#a:hs"], "extra": 1}""", """{"aliases": ["#a:hs"]}""" },
        { "6", EventTypes.Aliases, """{"aliases": ["#a:hs"]}""", "{}" },
        { "1", "m.room.message", """{"body": "hello", "msgtype": "m.text"}""", "{}" },
        { "10", EventTypes.Member, Member, """{"membership": "join", "join_authorised_via_users_server": "@admin:hs"}""" },
        { "11", EventTypes.Member, Member, """{"membership": "join", "join_authorised_via_users_server": "@admin:hs", "third_party_invite": {"signed": {"mxid": "@alice:hs", "token": "tok", "signatures": {}}}}""" },
        { "12", EventTypes.Member, Member, """{"membership": "join", "join_authorised_via_users_server": "@admin:hs", "third_party_invite": {"signed": {"mxid": "@alice:hs", "token": "tok", "signatures": {}}}}""" },
        { "11", EventTypes.Member, """{"membership": "invite", "third_party_invite": {"display_name": "x"}}""", """{"membership": "invite", "third_party_invite": {}}""" },
        { "11", EventTypes.Member, """{"membership": "invite", "third_party_invite": "bogus"}""", """{"membership": "invite"}""" },
        { "10", EventTypes.Create, Create, """{"creator": "@alice:hs"}""" },
        { "11", EventTypes.Create, Create, Create },
        { "12", EventTypes.Create, Create, Create },
        { "10", EventTypes.JoinRules, JoinRules, """{"join_rule": "restricted", "allow": [{"type": "m.room_membership", "room_id": "!space:hs"}]}""" },
        { "11", EventTypes.JoinRules, JoinRules, """{"join_rule": "restricted", "allow": [{"type": "m.room_membership", "room_id": "!space:hs"}]}""" },
        { "12", EventTypes.JoinRules, JoinRules, """{"join_rule": "restricted", "allow": [{"type": "m.room_membership", "room_id": "!space:hs"}]}""" },
        { "10", EventTypes.PowerLevels, PowerLevels, PowerLevelsKeptUpToV10 },
        { "11", EventTypes.PowerLevels, PowerLevels, PowerLevelsKeptFromV11 },
        { "12", EventTypes.PowerLevels, PowerLevels, PowerLevelsKeptFromV11 },
        { "10", EventTypes.HistoryVisibility, """{"history_visibility": "shared", "extra": 1}""", """{"history_visibility": "shared"}""" },
        { "12", EventTypes.HistoryVisibility, """{"history_visibility": "shared", "extra": 1}""", """{"history_visibility": "shared"}""" },
        { "10", EventTypes.Redaction, """{"redacts": "$abc", "reason": "spam"}""", "{}" },
        { "11", EventTypes.Redaction, """{"redacts": "$abc", "reason": "spam"}""", """{"redacts": "$abc"}""" },
        { "12", EventTypes.Redaction, """{"redacts": "$abc", "reason": "spam"}""", """{"redacts": "$abc"}""" },
        { "10", EventTypes.Aliases, """{"aliases": ["#a:hs"]}""", "{}" },
        { "11", EventTypes.Aliases, """{"aliases": ["#a:hs"]}""", "{}" },
        { "10", "m.room.message", """{"body": "hello", "msgtype": "m.text"}""", "{}" },
        { "12", "m.room.message", """{"body": "hello", "msgtype": "m.text"}""", "{}" },
        { "12", "m.room.name", """{"name": "Room"}""", "{}" },
        { "12", EventTypes.ThirdPartyInvite, """{"display_name": "a", "key_validity_url": "https://x", "public_key": "k"}""", "{}" },
    };

    [Theory]
    [MemberData(nameof(ContentCases))]
    public void Redact_Content_KeepsOnlyVersionsPreservedKeys(string versionId, string type, string content, string expected)
    {
        JsonObject pdu = new() { ["type"] = type, ["content"] = JsonNode.Parse(content) };

        JsonObject redacted = EventRedactor.Redact(pdu, Version(versionId));

        Assert.Equal(Canonical(expected), CanonicalJson.EncodeToString(redacted["content"]));
    }

    private const string AllTopLevelKeys = """
        {"event_id": "$e", "type": "m.room.redaction", "room_id": "!r:hs", "sender": "@a:hs", "state_key": "",
         "content": {}, "hashes": {"sha256": "h"}, "signatures": {"hs": {"ed25519:1": "s"}}, "depth": 5,
         "prev_events": ["$p"], "auth_events": ["$a"], "origin": "hs", "origin_server_ts": 1, "membership": "join",
         "prev_state": [], "unsigned": {"age_ts": 1}, "redacts": "$x", "age_ts": 1, "extra": "x"}
        """;

    [Theory]
    [InlineData("1", "auth_events,content,depth,event_id,hashes,membership,origin,origin_server_ts,prev_events,prev_state,room_id,sender,signatures,state_key,type")]
    [InlineData("6", "auth_events,content,depth,event_id,hashes,membership,origin,origin_server_ts,prev_events,prev_state,room_id,sender,signatures,state_key,type")]
    [InlineData("10", "auth_events,content,depth,event_id,hashes,membership,origin,origin_server_ts,prev_events,prev_state,room_id,sender,signatures,state_key,type")]
    [InlineData("11", "auth_events,content,depth,event_id,hashes,origin_server_ts,prev_events,room_id,sender,signatures,state_key,type")]
    [InlineData("12", "auth_events,content,depth,event_id,hashes,origin_server_ts,prev_events,room_id,sender,signatures,state_key,type")]
    public void Redact_TopLevel_KeepsOnlyVersionsPreservedKeys(string versionId, string expectedKeys)
    {
        JsonObject redacted = EventRedactor.Redact(JsonNode.Parse(AllTopLevelKeys)!.AsObject(), Version(versionId));

        Assert.Equal(expectedKeys, string.Join(',', redacted.Select(p => p.Key).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void Redact_Input_IsNotModified()
    {
        JsonObject pdu = JsonNode.Parse(AllTopLevelKeys)!.AsObject();
        pdu["content"] = JsonNode.Parse(Member);
        pdu["type"] = EventTypes.Member;
        string before = CanonicalJson.EncodeToString(pdu);

        JsonObject redacted = EventRedactor.Redact(pdu, RoomVersions.V11);
        redacted["content"]!["membership"] = "leave";

        Assert.Equal(before, CanonicalJson.EncodeToString(pdu));
    }

    [Theory]
    [InlineData("""{"type": "m.room.member"}""")]
    [InlineData("""{"type": "m.room.member", "content": "not an object"}""")]
    [InlineData("""{"type": 5, "content": {"membership": "join"}}""")]
    public void Redact_MissingOrMalformedContent_YieldsEmptyContent(string json)
    {
        JsonObject redacted = EventRedactor.Redact(JsonNode.Parse(json)!.AsObject(), RoomVersions.V12);

        Assert.Equal("{}", CanonicalJson.EncodeToString(redacted["content"]));
    }

    [Fact]
    public void Redact_Twice_IsIdempotent()
    {
        JsonObject pdu = JsonNode.Parse(AllTopLevelKeys)!.AsObject();
        pdu["type"] = EventTypes.PowerLevels;
        pdu["content"] = JsonNode.Parse(PowerLevels);

        foreach (RoomVersion version in RoomVersions.All)
        {
            JsonObject once = EventRedactor.Redact(pdu, version);
            Assert.Equal(CanonicalJson.EncodeToString(once), CanonicalJson.EncodeToString(EventRedactor.Redact(once, version)));
        }
    }

    private static RoomVersion Version(string id) =>
        RoomVersions.TryGet(id, out RoomVersion? version) ? version : throw new ArgumentException(id);

    private static string Canonical(string json) => CanonicalJson.EncodeToString(JsonNode.Parse(json));
}
