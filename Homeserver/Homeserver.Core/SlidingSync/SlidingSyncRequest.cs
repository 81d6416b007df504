using Homeserver.Core.Identifiers;

namespace Homeserver.Core.SlidingSync;

/// <summary>
/// A simplified sliding sync request (MSC4186, the unstable format clients speak). Nothing is sticky: every request
/// carries all its lists, subscriptions and extensions, as Synapse expects.
/// </summary>
public sealed record SlidingSyncRequest(UserId UserId, string DeviceId, string ConnId, string? TxnId,
    IReadOnlyDictionary<string, SlidingSyncRequest.RoomList> Lists, IReadOnlyDictionary<string, SlidingSyncRequest.RoomConfig> Subscriptions,
    SlidingSyncRequest.ExtensionsRequest Extensions)
{
    /// <summary>What one room's entry carries.</summary>
    public sealed record RoomConfig(RequiredState RequiredState, int TimelineLimit)
    {
        public RoomConfig Merge(RoomConfig other) => new(RequiredState.Union(other.RequiredState), Math.Max(TimelineLimit, other.TimelineLimit));

        /// <summary>Changes when the client asks for other state or a longer timeline for the room.</summary>
        public string Key() => TimelineLimit + "\n" + RequiredState.Canonical();
    }

    /// <param name="Ranges">Inclusive, zero-based windows over the sorted list.</param>
    public sealed record RoomList(IReadOnlyList<(int Start, int End)> Ranges, RoomConfig Config, RoomListFilters Filters);

    /// <summary>An extension scoped to rooms: <paramref name="Lists"/> and <paramref name="Rooms"/> null or holding <c>*</c> mean all.</summary>
    public sealed record RoomScope(bool Enabled, IReadOnlyList<string>? Lists, IReadOnlyList<string>? Rooms);

    public sealed record ToDeviceRequest(bool Enabled, int Limit, long? Since);

    public sealed record ExtensionsRequest(ToDeviceRequest ToDevice, bool E2ee, RoomScope AccountData, RoomScope Receipts, RoomScope Typing)
    {
        public static ExtensionsRequest None { get; } = new(new(false, 0, null), false, new(false, null, null), new(false, null, null), new(false, null, null));
    }
}
