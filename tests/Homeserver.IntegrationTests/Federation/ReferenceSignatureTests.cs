using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Storage;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// Every PDU our server emits verifies with the reference Python libraries (python3-signedjson, canonicaljson),
/// which share no code with ours: the signature over the redacted event, the content hash and the event ID, in
/// every room version, for the kinds of event a room's life produces (state, membership, messages, relations,
/// redactions).
/// </summary>
public sealed class ReferenceSignatureTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static readonly string[] Versions = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"];

    private sealed class Row
    {
        public string EventId { get; set; } = "";
        public string Json { get; set; } = "";
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task EveryEmittedPdu_VerifiesWithTheReferenceLibrary_InEveryRoomVersion(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var (carol, c) = await hs.RegisterClientAsync();
        var (keyId, publicKey) = await PublishedKeyAsync(hs);
        foreach (var version in Versions)
        {
            var roomId = await a.CreateRoomAsync(new { room_version = version, preset = "public_chat", name = "signed", topic = "checked by signedjson" });
            await b.JoinAsync(roomId);
            await a.InviteAsync(roomId, carol.UserId);
            await c.JoinAsync(roomId);
            // Room version 12 gives creators power by the create event and refuses them in 'users'.
            var users = version == "12" ? new Dictionary<string, int> { [bob.UserId] = 50 } : new() { [alice.UserId] = 100, [bob.UserId] = 50 };
            await Put(a, $"/_matrix/client/v3/rooms/{roomId}/state/m.room.power_levels",
                new { users, users_default = 0, events_default = 0, state_default = 50, ban = 50, kick = 50, redact = 50, invite = 0 });
            await Put(a, $"/_matrix/client/v3/rooms/{roomId}/state/m.room.history_visibility", new { history_visibility = "joined" });
            var message = await a.SendTextAsync(roomId, "héllo ☃ \u0001 \"quoted\"");
            await Put(b, $"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/edit", new Dictionary<string, object>
            {
                ["msgtype"] = "m.text",
                ["body"] = "* edited",
                ["m.new_content"] = new { msgtype = "m.text", body = "edited" },
                ["m.relates_to"] = new { rel_type = "m.replace", event_id = message },
            });
            await Put(b, $"/_matrix/client/v3/rooms/{roomId}/send/m.reaction/r", new Dictionary<string, object>
            {
                ["m.relates_to"] = new { rel_type = "m.annotation", event_id = message, key = "👍" },
            });
            var doomed = await b.SendTextAsync(roomId, "to be redacted");
            await Put(a, $"/_matrix/client/v3/rooms/{roomId}/redact/{Uri.EscapeDataString(doomed)}/x", new { reason = "test" });
            (await a.PostRoomAsync(roomId, "kick", new { user_id = carol.UserId, reason = "bye" })).EnsureSuccessStatusCode();
            (await a.PostRoomAsync(roomId, "ban", new { user_id = carol.UserId })).EnsureSuccessStatusCode();

            var rows = await RoomRowsAsync(hs, roomId);
            Assert.True(rows.Count >= 14, $"room version {version}: only {rows.Count} events");
            var pdus = rows.Select(r => (r.EventId, JsonNode.Parse(r.Json)!.AsObject())).ToList();
            var verdicts = await ReferenceSigning.VerifyAsync(TestHomeserver.ServerName, keyId, publicKey, version, pdus);

            Assert.Equal(rows.Select(r => r.EventId), verdicts.Select(v => v.EventId));
            foreach (var v in verdicts)
                Assert.True(v is { SignatureOk: true, ContentHashOk: true, EventIdOk: true }, $"room version {version}: {v}");
        }
    }

    /// <summary>The check itself can fail: a changed body breaks the content hash, a changed power level the signature.</summary>
    [Fact]
    public async Task TamperedPdus_FailTheReferenceCheck()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (_, a) = await hs.RegisterClientAsync();
        var (keyId, publicKey) = await PublishedKeyAsync(hs);
        var roomId = await a.CreateRoomAsync(new { room_version = "12" });
        var message = await a.SendTextAsync(roomId, "original");
        var rows = await RoomRowsAsync(hs, roomId);
        var messagePdu = JsonNode.Parse(rows.Single(r => r.EventId == message).Json)!.AsObject();
        messagePdu["content"]!["body"] = "changed";
        var powerRow = rows.Single(r => JsonNode.Parse(r.Json)!["type"]!.GetValue<string>() == "m.room.power_levels");
        var powerPdu = JsonNode.Parse(powerRow.Json)!.AsObject();
        powerPdu["content"]!["users_default"] = 100;

        var verdicts = await ReferenceSigning.VerifyAsync(TestHomeserver.ServerName, keyId, publicKey, "12",
            [(message, messagePdu), (powerRow.EventId, powerPdu)]);

        Assert.True(verdicts[0] is { SignatureOk: true, ContentHashOk: false, EventIdOk: true }, verdicts[0].ToString());
        Assert.True(verdicts[1] is { SignatureOk: false, ContentHashOk: false, EventIdOk: false }, verdicts[1].ToString());
    }

    private static async Task<(string KeyId, string PublicKey)> PublishedKeyAsync(TestHomeserver hs)
    {
        var keys = await (await hs.Client.GetAsync("/_matrix/key/v2/server")).AssertOkAsync();
        var key = keys.GetProperty("verify_keys").EnumerateObject().Single();
        return (key.Name, key.Value.GetProperty("key").GetString()!);
    }

    private static async Task Put(HttpClient c, string path, object body) =>
        await (await c.PutAsJsonAsync(path, body)).AssertOkAsync();

    private static async Task<List<Row>> RoomRowsAsync(TestHomeserver hs, string roomId) =>
        (await hs.Services.GetRequiredService<Database>().ReadAsync(c => c.ListAsync<Row>(
            "SELECT event_id, json FROM events WHERE room_id = @RoomId ORDER BY stream_ordering", new { RoomId = roomId }, default), default)).ToList();
}
