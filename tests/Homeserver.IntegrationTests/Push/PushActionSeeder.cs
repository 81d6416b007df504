using Homeserver.Core.Push;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Storage;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.IntegrationTests.Push;

/// <summary>
/// Writes an <c>event_push_actions</c> row for a real event and raises the commit signal, as push-rule evaluation
/// does when it persists the event; delivery is tested against that contract.
/// </summary>
public static class PushActionSeeder
{
    public const string NotifyWithSound = """["notify",{"set_tweak":"sound","value":"default"}]""";

    public static async Task NotifyAsync(this TestHomeserver hs, string userId, string eventId, string actions = NotifyWithSound, long? ts = null)
    {
        var row = await hs.Services.GetRequiredService<EventStore>().GetAsync(eventId, CancellationToken.None)
            ?? throw new InvalidOperationException($"no event {eventId}");
        await hs.Services.GetRequiredService<Database>().WriteAsync((c, tx) => c.RunAsync("""
            INSERT INTO event_push_actions (user_id, room_id, event_id, stream_ordering, thread_id, notif, highlight, actions, ts)
            VALUES (@UserId, @RoomId, @EventId, @StreamOrdering, 'main', 1, 0, @Actions, @Ts)
            """, new { UserId = userId, row.RoomId, row.EventId, row.StreamOrdering, Actions = actions, Ts = ts ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, CancellationToken.None, tx), CancellationToken.None);
        hs.Services.GetRequiredService<PushActionsSignal>().Raise([userId]);
    }
}
