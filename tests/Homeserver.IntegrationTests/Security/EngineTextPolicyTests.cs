using System.Net;
using System.Net.Http.Json;
using System.Text;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 10: PostgreSQL refused what SQLite stored. U+0000 in a message body, room name, display
/// name, device ID or display name, media file name or receipt thread ID, and a very long device or thread ID
/// (an index row too large), answered 500 on PostgreSQL and succeeded on SQLite. Each input now gets the same
/// answer on both engines: event JSON keeps U+0000 faithfully; identifiers over 255 bytes or with control
/// characters, and other stored text with U+0000, are 400 <c>M_INVALID_PARAM</c>.
/// </summary>
public sealed class EngineTextPolicyTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static readonly string Long = new('d', 100_000);

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task EventContentWithNul_IsStoredFaithfully(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, c) = await hs.RegisterClientAsync();
        var roomId = await c.CreateRoomAsync(new { name = "room\0name" });
        var eventId = await c.SendTextAsync(roomId, "hello\0world");
        await (await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.reaction/r1",
            new Dictionary<string, object> { ["m.relates_to"] = new { rel_type = "m.annotation", event_id = eventId, key = "k\0y" } })).AssertOkAsync();
        await (await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/r2",
            new Dictionary<string, object> { ["body"] = "x", ["m.relates_to"] = new { rel_type = "m.thread", event_id = "$" + new string('e', 5000) } })).AssertOkAsync();

        var ev = await (await c.GetRoomAsync(roomId, "event/" + Uri.EscapeDataString(eventId))).AssertOkAsync();
        Assert.Equal("hello\0world", ev.GetProperty("content").GetProperty("body").GetString());
        var name = await (await c.GetRoomAsync(roomId, "state/m.room.name/")).AssertOkAsync();
        Assert.Equal("room\0name", name.GetProperty("name").GetString());
    }

    public static TheoryData<string, string> RefusedInputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var engine in new[] { "sqlite", "postgres" })
            foreach (var shape in new[] { "displayname", "avatar_url", "login_device_id_nul", "login_device_id_long", "device_display_name",
                         "upload_filename", "thread_id_nul", "thread_id_long", "event_type_control", "state_key_long" })
                data.Add(engine, shape);
        return data;
    }

    [Theory]
    [MemberData(nameof(RefusedInputs))]
    public async Task TextTheEnginesCannotBothStore_IsRefusedAlike(string engine, string shape)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, c) = await hs.RegisterClientAsync();
        var roomId = await c.CreateRoomAsync();
        var room = Uri.EscapeDataString(roomId);
        var eventId = await c.SendTextAsync(roomId, "target");
        var profile = $"/_matrix/client/v3/profile/{Uri.EscapeDataString(user.UserId)}";
        var receipt = $"/_matrix/client/v3/rooms/{room}/receipt/m.read/{Uri.EscapeDataString(eventId)}";
        var res = shape switch
        {
            "displayname" => await c.PutAsJsonAsync(profile + "/displayname", new { displayname = "a\0b" }),
            "avatar_url" => await c.PutAsJsonAsync(profile + "/avatar_url", new { avatar_url = "mxc://a/b\0" }),
            "login_device_id_nul" => await Login(hs, user, "dev\0ice"),
            "login_device_id_long" => await Login(hs, user, Long),
            "device_display_name" => await c.PutAsJsonAsync($"/_matrix/client/v3/devices/{user.DeviceId}", new { display_name = "my\0phone" }),
            "upload_filename" => await c.PostAsync("/_matrix/media/v3/upload?filename=a%00b.txt", new ByteArrayContent([1, 2, 3])),
            "thread_id_nul" => await c.PostAsJsonAsync(receipt, new { thread_id = "th\0read" }),
            "thread_id_long" => await c.PostAsJsonAsync(receipt, new { thread_id = Long }),
            "event_type_control" => await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{room}/send/m.%01x/t1", new { body = "x" }),
            "state_key_long" => await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{room}/state/m.custom/{new string('k', 1000)}", new { a = 1 }),
            _ => throw new ArgumentException(shape),
        };
        await res.AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        // The server and the account are fine afterwards.
        await (await c.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
    }

    private static Task<HttpResponseMessage> Login(TestHomeserver hs, TestUser user, string deviceId) =>
        hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password",
            identifier = new { type = "m.id.user", user = user.Localpart },
            password = user.Password,
            device_id = deviceId,
        });
}
