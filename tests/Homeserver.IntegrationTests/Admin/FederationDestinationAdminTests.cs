using System.Net;
using System.Text.Json;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Xunit;

namespace Homeserver.IntegrationTests.Admin;

/// <summary>The federation destinations admin API over two real servers, the second stopped so the first backs off.</summary>
[Collection(SerialCollection.Name)]
public sealed class FederationDestinationAdminTests
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task BackingOffDestination_IsShown_ResetConnectionRetriesIt_AndItRecovers(string engine)
    {
        await using var network = await FederationNetwork.StartAsync(engine, 2);
        var (a, b) = (network[0], network[1]);
        var (_, admin) = await a.InProcess.RegisterAdminAsync();
        var (_, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat" });
        await (await bobClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?via={a.ServerName}", null)).AssertOkAsync();
        await aliceClient.WaitForMembershipAsync(roomId, bob.UserId, "join");
        var dest = $"/_synapse/admin/v1/federation/destinations/{b.ServerName}";

        await b.StopAsync();
        await aliceClient.SendTextAsync(roomId, "while b is down");
        JsonElement down = default;
        await RoomViews.EventuallyAsync(async () =>
        {
            down = await (await admin.GetAsync(dest)).AssertOkAsync();
            return down.GetProperty("retry_interval").GetInt64() > 0;
        }, () => Task.FromResult($"{b.ServerName} not backing off: {down}"));
        Assert.Equal(b.ServerName, down.GetProperty("destination").GetString());
        Assert.True(down.GetProperty("retry_last_ts").GetInt64() > 0);
        var failedSince = down.GetProperty("failure_ts").GetInt64();

        var list = await (await admin.GetAsync("/_synapse/admin/v1/federation/destinations?order_by=retry_interval&dir=b&limit=1")).AssertOkAsync();
        Assert.Equal(b.ServerName, list.GetProperty("destinations")[0].GetProperty("destination").GetString());
        Assert.True(list.GetProperty("total").GetInt32() >= 1);
        if (list.GetProperty("total").GetInt32() > 1)
            Assert.Equal("1", list.GetProperty("next_token").GetString());
        var rooms = await (await admin.GetAsync($"{dest}/rooms")).AssertOkAsync();
        var room = Assert.Single(rooms.GetProperty("rooms").EnumerateArray());
        Assert.Equal(roomId, room.GetProperty("room_id").GetString());
        Assert.True(room.GetProperty("stream_ordering").GetInt64() > 0);
        Assert.Equal(1, rooms.GetProperty("total").GetInt32());

        // The reset ends this run of failures and wakes the sender at once: its retry fails (b is still down) and a new
        // run begins, later than the first.
        await (await admin.PostAsync($"{dest}/reset_connection", null)).AssertOkAsync();
        await RoomViews.EventuallyAsync(async () =>
        {
            var now = await (await admin.GetAsync(dest)).AssertOkAsync();
            return now.GetProperty("failure_ts").ValueKind == JsonValueKind.Number && now.GetProperty("failure_ts").GetInt64() > failedSince;
        }, () => Task.FromResult("no retry after reset_connection"));

        await b.StartAsync();
        JsonElement up = default;
        await RoomViews.EventuallyAsync(async () =>
        {
            up = await (await admin.GetAsync(dest)).AssertOkAsync();
            return up.GetProperty("retry_interval").GetInt64() == 0;
        }, () => Task.FromResult($"{b.ServerName} still backing off: {up}"));
        Assert.Equal(0, up.GetProperty("retry_last_ts").GetInt64());
        Assert.Equal(JsonValueKind.Null, up.GetProperty("failure_ts").ValueKind);
        Assert.True(up.GetProperty("last_successful_stream_ordering").GetInt64() > 0);
        await (await admin.PostAsync($"{dest}/reset_connection", null)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");

        await (await admin.GetAsync("/_synapse/admin/v1/federation/destinations/unknown.example")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.PostAsync("/_synapse/admin/v1/federation/destinations/unknown.example/reset_connection", null)).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.GetAsync("/_synapse/admin/v1/federation/destinations?order_by=nope")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await aliceClient.GetAsync("/_synapse/admin/v1/federation/destinations")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }
}
