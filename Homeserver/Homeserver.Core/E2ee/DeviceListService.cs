using System.Text.Json.Nodes;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.E2ee;

/// <summary>
/// Who must re-fetch whose keys (spec "Tracking the device list for a user"): users sharing a room with someone
/// whose keys changed, users who newly share a room, and users who no longer share any.
/// </summary>
public sealed class DeviceListService(DeviceListStore store, CurrentStateStore current)
{
    public sealed record Delta(IReadOnlyList<string> Changed, IReadOnlyList<string> Left)
    {
        public static Delta None { get; } = new([], []);

        public bool IsEmpty => Changed.Count == 0 && Left.Count == 0;

        /// <summary>The <c>device_lists</c> object of a sync response or of <c>/keys/changes</c>.</summary>
        public JsonObject ToJson() => new()
        {
            ["changed"] = new JsonArray(Changed.Select(u => (JsonNode)u).ToArray()),
            ["left"] = new JsonArray(Left.Select(u => (JsonNode)u).ToArray()),
        };
    }

    /// <summary>Where the two streams a delta depends on stand: key changes, and memberships (the events stream).</summary>
    public readonly record struct Positions(long DeviceLists, long Events);

    /// <summary>The <c>device_lists</c> of a sync (or <c>/keys/changes</c>) for <paramref name="userId"/> between two tokens.</summary>
    public async Task<Delta> BetweenAsync(UserId userId, Positions since, Positions upto, bool membershipsChanged, CancellationToken ct)
    {
        // Most syncs see neither a key change nor a membership change; they cost no query here.
        var sharingChanged = membershipsChanged && upto.Events > since.Events;
        if (upto.DeviceLists <= since.DeviceLists && !sharingChanged)
            return new Delta([], []);
        var user = userId.ToString();
        var sharing = (await current.UsersSharingRoomWithAsync(user, ct)).ToHashSet(StringComparer.Ordinal);
        var changed = new SortedSet<string>(StringComparer.Ordinal);
        var left = new SortedSet<string>(StringComparer.Ordinal);
        if (upto.DeviceLists > since.DeviceLists)
            changed.UnionWith((await store.ChangedAsync(since.DeviceLists, upto.DeviceLists, ct)).Where(u => u == user || sharing.Contains(u)));
        if (sharingChanged)
        {
            changed.UnionWith(await store.NewlySharingAsync(user, since.Events, upto.Events, ct));
            left.UnionWith((await store.PartedAsync(user, since.Events, upto.Events, ct)).Where(u => !sharing.Contains(u)));
        }
        return new Delta([.. changed], [.. left]);
    }
}
