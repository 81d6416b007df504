using System.Net.Http.Json;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Admin.PurgeHistoryTests;

namespace Homeserver.IntegrationTests.Admin;

/// <summary>Message retention: the scheduled purge job expiring events by their room's <c>m.room.retention</c> policy.</summary>
public sealed class RetentionTests
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PurgeJob_ExpiresOldMessages_KeepingTheNewestEventAndState_AndRoomsWithoutAPolicy(string engine)
    {
        await using var hs = await TestHomeserver.StartAsync(engine, o =>
        {
            o.Retention.Enabled = true;
            o.Retention.AllowedLifetimeMin = new Duration(TimeSpan.FromSeconds(5));
            o.Retention.PurgeJobs = [new RetentionPurgeJobOptions { Interval = new Duration(TimeSpan.FromMilliseconds(500)) }];
        });
        var (_, a) = await hs.RegisterClientAsync();
        var expiring = await a.CreateRoomAsync(new { name = "expiring" });
        var kept = await a.CreateRoomAsync(new { name = "kept" });
        // Below the allowed minimum: held to 5 s.
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{expiring}/state/m.room.retention/", new { max_lifetime = 500 })).AssertOkAsync();
        foreach (var room in new[] { expiring, kept })
        {
            await a.SendTextAsync(room, "first");
            await a.SendTextAsync(room, "second");
        }
        Assert.Equal(["second", "first"], (await PageBackAsync(a, expiring, await NextBatchAsync(a))).Bodies());

        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<string> bodies;
        do
        {
            await Task.Delay(500);
            bodies = (await PageBackAsync(a, expiring, await NextBatchAsync(a))).Bodies().ToList();
        }
        while (bodies.Count > 1 && DateTime.UtcNow < deadline);

        Assert.Equal(["second"], bodies);
        Assert.Equal("expiring", (await (await a.GetAsync($"/_matrix/client/v3/rooms/{expiring}/state/m.room.name")).AssertOkAsync()).GetProperty("name").GetString());
        Assert.Equal(500, (await (await a.GetAsync($"/_matrix/client/v3/rooms/{expiring}/state/m.room.retention")).AssertOkAsync()).GetProperty("max_lifetime").GetInt32());
        Assert.Equal(["second", "first"], (await PageBackAsync(a, kept, await NextBatchAsync(a))).Bodies());
        await a.SendTextAsync(expiring, "third");
        Assert.Equal("third", (await PageBackAsync(a, expiring, await NextBatchAsync(a))).Bodies().First());
    }
}
