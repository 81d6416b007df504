using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.Timeline;
using Xunit;

namespace Homeserver.UnitTests.Rooms.Timeline;

/// <summary>
/// The formatter writes client events straight from the stored bytes; what it writes must be what rebuilding the
/// event as a JSON tree gives (<see cref="Reference"/>, the way events were formatted before), byte for byte as the
/// wire writes it.
/// </summary>
public sealed class ClientEventFormatterTests
{
    private const long Now = 1_700_000_100_000;
    private const string Room = "!room:hs";
    private static readonly JsonSerializerOptions Wire = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A PDU stored as the server stores one: serialised with the default (escaping) encoder.</summary>
    private static EventRow Row(string type, JsonObject content, string? stateKey = null, string? redactedBy = null, Action<JsonObject>? edit = null)
    {
        var pdu = new JsonObject
        {
            ["type"] = type,
            ["sender"] = "@alice:hs",
            ["content"] = content,
            ["prev_events"] = new JsonArray("$prev"),
            ["auth_events"] = new JsonArray("$a", "$b"),
            ["depth"] = 8,
            ["origin_server_ts"] = 1_700_000_000_000,
            ["room_id"] = Room,
            ["hashes"] = new JsonObject { ["sha256"] = "BIpOYj+uLKfUsWSXdFirLrDpxleevP9FEBHg/5WqIAc" },
            ["signatures"] = new JsonObject { ["hs"] = new JsonObject { ["ed25519:a"] = "sig" } },
            ["unsigned"] = new JsonObject { ["prev_content"] = new JsonObject { ["membership"] = "invite" } },
        };
        if (stateKey is not null)
            pdu["state_key"] = stateKey;
        edit?.Invoke(pdu);
        return new EventRow
        {
            EventId = "$ev" + type.Length + (stateKey ?? ""),
            RoomId = Room,
            EventType = type,
            StateKey = stateKey,
            Sender = "@alice:hs",
            OriginServerTs = 1_700_000_000_000,
            Json = pdu.ToJsonString(),
            RedactedBy = redactedBy,
        };
    }

    public static TheoryData<string, EventRow, RoomVersion> Events => new()
    {
        { "plain message", Row("m.room.message", new JsonObject { ["msgtype"] = "m.text", ["body"] = "hello" }), RoomVersions.V12 },
        {
            "text the store escapes: +, HTML, accents, CJK, emoji, quotes, control characters",
            Row("m.room.message", new JsonObject
            {
                ["msgtype"] = "m.text", ["body"] = "1+1 <b>é</b> 日本語 😀 \"q\" \\ \n\t\u0001 '&'",
                ["format"] = "org.matrix.custom.html", ["formatted_body"] = "<a href=\"https://x/?a=1&b=2\">é</a>",
            }),
            RoomVersions.V12
        },
        {
            "numbers, nesting and empty values",
            Row("m.custom", new JsonObject
            {
                ["n"] = -12345678901234, ["f"] = 1.5e-7, ["t"] = true, ["nil"] = null,
                ["a"] = new JsonArray(1, new JsonObject(), new JsonArray()), ["o"] = new JsonObject { ["x"] = new JsonObject { ["y"] = "z" } },
            }),
            RoomVersions.V12
        },
        { "state event", Row("m.room.name", new JsonObject { ["name"] = "Zimmer für alle" }, stateKey: ""), RoomVersions.V12 },
        { "membership", Row("m.room.member", new JsonObject { ["membership"] = "join", ["displayname"] = "Älice" }, stateKey: "@alice:hs"), RoomVersions.V12 },
        {
            "power levels",
            Row("m.room.power_levels", new JsonObject { ["users"] = new JsonObject { ["@alice:hs"] = 100 }, ["events"] = new JsonObject { ["m.room.name"] = 50 } }, stateKey: ""),
            RoomVersions.V11
        },
        {
            "redacted message",
            Row("m.room.message", new JsonObject { ["msgtype"] = "m.text", ["body"] = "secret" }, redactedBy: "$redaction"),
            RoomVersions.V12
        },
        {
            "redacted membership keeps its membership",
            Row("m.room.member", new JsonObject { ["membership"] = "join", ["displayname"] = "gone" }, stateKey: "@alice:hs", redactedBy: "$redaction"),
            RoomVersions.V10
        },
        {
            "v10 redaction: redacts at the top level",
            Row(EventTypes.Redaction, new JsonObject { ["reason"] = "spam" }, edit: p => p["redacts"] = "$target"),
            RoomVersions.V10
        },
        { "v11 redaction: redacts in content", Row(EventTypes.Redaction, new JsonObject { ["redacts"] = "$target", ["reason"] = "spam" }), RoomVersions.V11 },
        {
            "v11 redaction with a stray top-level redacts",
            Row(EventTypes.Redaction, new JsonObject { ["redacts"] = "$target" }, edit: p => p["redacts"] = "$other"),
            RoomVersions.V11
        },
        { "v11 redaction without redacts", Row(EventTypes.Redaction, new JsonObject { ["reason"] = "x" }), RoomVersions.V11 },
        {
            "redacted v11 redaction keeps content.redacts",
            Row(EventTypes.Redaction, new JsonObject { ["redacts"] = "$target", ["reason"] = "spam" }, redactedBy: "$r2"),
            RoomVersions.V11
        },
        { "no content", Row("m.room.message", [], edit: p => p.Remove("content")), RoomVersions.V12 },
        { "null content", Row("m.room.message", [], edit: p => p["content"] = null), RoomVersions.V12 },
        { "no room_id (v12 create)", Row("m.room.create", new JsonObject { ["room_version"] = "12" }, stateKey: "", edit: p => p.Remove("room_id")), RoomVersions.V12 },
        {
            "escaped key names",
            Row("m.room.message", [], edit: p => { p.Remove("type"); p["content"] = new JsonObject { ["<b>"] = "+" }; }),
            RoomVersions.V12
        },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void Utf8_IsTheTreeFormattedEvent_ByteForByte(string _, EventRow row, RoomVersion version)
    {
        var expected = Reference(row, version, default).ToJsonString(Wire);
        Assert.Equal(expected, Encoding.UTF8.GetString(ClientEventFormatter.FormatUtf8(row, version, Now)));
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void Tree_IsTheTreeFormattedEvent(string _, EventRow row, RoomVersion version) =>
        Assert.True(JsonNode.DeepEquals(Reference(row, version, default), ClientEventFormatter.Format(row, version, Now)));

    [Fact]
    public void Unsigned_CarriesTransactionIdRelationsAndTheRedaction_InTheirOrder()
    {
        var row = Row("m.room.message", new JsonObject { ["body"] = "x" }, redactedBy: "$redaction");
        var redaction = Row(EventTypes.Redaction, new JsonObject { ["redacts"] = row.EventId, ["reason"] = "+1 ü" });
        var thread = Row("m.room.message", new JsonObject { ["body"] = "in thread" });
        var relations = () => new JsonObject
        {
            ["m.thread"] = new JsonObject { ["latest_event"] = new RawJson(ClientEventFormatter.FormatUtf8(thread, RoomVersions.V12, Now)).ToNode(), ["count"] = 2 },
            ["m.replace"] = new JsonObject { ["event_id"] = "$edit", ["sender"] = "@alice:hs" },
        };
        var unsigned = new ClientEventFormatter.Unsigned("txn+1", relations(), ClientEventFormatter.FormatUtf8(redaction, RoomVersions.V12, Now));

        var expected = Reference(row, RoomVersions.V12, "txn+1");
        var expectedUnsigned = expected["unsigned"]!.AsObject();
        expectedUnsigned["m.relations"] = JsonNode.Parse(relations().ToJsonString());
        expectedUnsigned["redacted_because"] = Reference(redaction, RoomVersions.V12, null);
        Assert.Equal(expected.ToJsonString(Wire), Encoding.UTF8.GetString(ClientEventFormatter.FormatUtf8(row, RoomVersions.V12, Now, unsigned)));
        Assert.Equal(["age", "redacted_by", "redacted_because", "transaction_id", "m.relations"], expectedUnsigned.Select(kv => kv.Key));
    }

    [Fact]
    public void Age_IsNeverNegative()
    {
        var row = Row("m.room.message", []);
        var ev = ClientEventFormatter.Format(row, RoomVersions.V12, row.OriginServerTs - 5000);
        Assert.Equal(0, ev["unsigned"]!["age"]!.GetValue<long>());
    }

    [Fact]
    public void ANonObjectPdu_IsRejected() =>
        Assert.ThrowsAny<JsonException>(() => ClientEventFormatter.FormatUtf8(new EventRow { EventId = "$x", RoomId = Room, Json = "[1]" }, RoomVersions.V12, Now));

    /// <summary>The client event built as a tree from the parsed PDU, as the server formatted events before writing them from bytes.</summary>
    private static JsonObject Reference(EventRow row, RoomVersion version, string? transactionId)
    {
        var pdu = JsonNode.Parse(row.Json)!.AsObject();
        var source = row.RedactedBy is null ? pdu : EventRedactor.Redact(pdu, version);
        var ev = new JsonObject();
        foreach (var key in new[] { "type", "content", "sender", "origin_server_ts", "room_id", "state_key" })
            if (source.TryGetPropertyValue(key, out var value) && value is not null)
                ev[key] = value.DeepClone();
        ev["content"] ??= new JsonObject();
        ev["event_id"] = row.EventId;
        ev["room_id"] = row.RoomId;
        if (version.RedactsInContent is false && pdu["redacts"] is { } topRedacts && row.RedactedBy is null)
            ev["redacts"] = topRedacts.DeepClone();
        else if (row.EventType == EventTypes.Redaction && ev["content"]?["redacts"] is { } redacts)
            ev["redacts"] = redacts.DeepClone();
        var unsigned = new JsonObject { ["age"] = Math.Max(0, Now - row.OriginServerTs) };
        if (row.RedactedBy is not null)
        {
            unsigned["redacted_by"] = row.RedactedBy;
            unsigned["redacted_because"] = new JsonObject { ["event_id"] = row.RedactedBy };
        }
        if (transactionId is not null)
            unsigned["transaction_id"] = transactionId;
        ev["unsigned"] = unsigned;
        return ev;
    }
}
