using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Rooms;

/// <summary>
/// Every endpoint that names an event of a room answers an event of another room exactly as an unknown one, and the
/// read endpoints answer an event hidden by history visibility the same way too, so none of them is an oracle for
/// event IDs. Receipts and redactions check only the room, as Synapse does; a redaction naming an event of another
/// room is a bad request (400), as Synapse answers it.
/// </summary>
public sealed class EventGuardTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    /// <summary>Bob joined Alice's room after its hidden message (history visible to joined members only) and has an event of his own room.</summary>
    private sealed record Setup(HttpClient Bob, string RoomId, string Hidden, string OtherRoomEvent, string Unknown);

    private async Task<Setup> SetUpAsync(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var (_, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new
        {
            preset = "public_chat",
            initial_state = new[] { new { type = "m.room.history_visibility", state_key = "", content = new { history_visibility = "joined" } } },
        });
        var hidden = await a.SendTextAsync(roomId, "before bob");
        await b.JoinAsync(roomId);
        var otherRoomEvent = await b.SendTextAsync(await b.CreateRoomAsync(), "in bob's own room");
        return new Setup(b, roomId, hidden, otherRoomEvent, "$unknown" + Guid.NewGuid().ToString("N"));
    }

    public static TheoryData<string, string> ReadEndpoints => OnEveryEngine("event", "context", "relations", "report");

    public static TheoryData<string, string> RoomOnlyEndpoints => OnEveryEngine("receipt");

    private static TheoryData<string, string> OnEveryEngine(params string[] endpoints)
    {
        var data = new TheoryData<string, string>();
        foreach (var row in (IEnumerable<object[]>)TestEngines.All)
            foreach (var endpoint in endpoints)
                data.Add((string)row[0], endpoint);
        return data;
    }

    private static Task<HttpResponseMessage> CallAsync(HttpClient c, string endpoint, string roomId, string eventId)
    {
        var room = Uri.EscapeDataString(roomId);
        var ev = Uri.EscapeDataString(eventId);
        return endpoint switch
        {
            "event" => c.GetAsync($"/_matrix/client/v3/rooms/{room}/event/{ev}"),
            "context" => c.GetAsync($"/_matrix/client/v3/rooms/{room}/context/{ev}"),
            "relations" => c.GetAsync($"/_matrix/client/v1/rooms/{room}/relations/{ev}"),
            "report" => c.PostAsJsonAsync($"/_matrix/client/v3/rooms/{room}/report/{ev}", new { reason = "spam" }),
            "receipt" => c.PostAsJsonAsync($"/_matrix/client/v3/rooms/{room}/receipt/m.read/{ev}", new { }),
            "redact" => c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{room}/redact/{ev}/{Guid.NewGuid():N}", new { reason = "spam" }),
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
        };
    }

    private static async Task<string> NotFoundBodyAsync(HttpResponseMessage res)
    {
        await res.AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        return await res.Content.ReadAsStringAsync();
    }

    [Theory, MemberData(nameof(ReadEndpoints))]
    public async Task AnEventOfAnotherRoom_AndAHiddenOne_AnswerExactlyAsAnUnknownOne(string engine, string endpoint)
    {
        var s = await SetUpAsync(engine);

        var unknown = await NotFoundBodyAsync(await CallAsync(s.Bob, endpoint, s.RoomId, s.Unknown));
        Assert.Equal(unknown, await NotFoundBodyAsync(await CallAsync(s.Bob, endpoint, s.RoomId, s.OtherRoomEvent)));
        Assert.Equal(unknown, await NotFoundBodyAsync(await CallAsync(s.Bob, endpoint, s.RoomId, s.Hidden)));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Context_ForSomeoneNeverInARoomThatIsNotWorldReadable_IsForbidden(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var (_, stranger) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        var eventId = await a.SendTextAsync(roomId, "members only");

        await (await CallAsync(stranger, "context", roomId, eventId)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        // The same answer for an event that does not exist: the refusal is of the room, before any event is looked up.
        await (await CallAsync(stranger, "context", roomId, "$unknown" + Guid.NewGuid().ToString("N"))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    [Theory, MemberData(nameof(RoomOnlyEndpoints))]
    public async Task AnEventOfAnotherRoom_AnswersExactlyAsAnUnknownOne(string engine, string endpoint)
    {
        var s = await SetUpAsync(engine);

        var unknown = await NotFoundBodyAsync(await CallAsync(s.Bob, endpoint, s.RoomId, s.Unknown));
        Assert.Equal(unknown, await NotFoundBodyAsync(await CallAsync(s.Bob, endpoint, s.RoomId, s.OtherRoomEvent)));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ARedaction_OfAnEventOfAnotherRoom_IsABadRequest_AndOfAnUnknownOneNotFound(string engine)
    {
        var s = await SetUpAsync(engine);

        await NotFoundBodyAsync(await CallAsync(s.Bob, "redact", s.RoomId, s.Unknown));
        await (await CallAsync(s.Bob, "redact", s.RoomId, s.OtherRoomEvent)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AReceipt_MayMarkAnEventOfTheRoomThatHistoryVisibilityHides(string engine)
    {
        var s = await SetUpAsync(engine);

        await (await CallAsync(s.Bob, "receipt", s.RoomId, s.Hidden)).AssertOkAsync();
    }
}
