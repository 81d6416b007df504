using Homeserver.Core.Errors;

namespace Homeserver.Core.Events;

/// <summary>
/// An event breaks one of the spec's size limits (client-server API, "Size limits"). Answered as
/// 413 <c>M_TOO_LARGE</c>, as Synapse does for every one of these limits; federation drops the event.
/// </summary>
public sealed class EventTooLargeException(EventSizeLimit limit, int actualBytes, int maxBytes)
    : MatrixException(413, ErrorCodes.TooLarge, $"Event {Describe(limit)} is {actualBytes} bytes; the limit is {maxBytes}")
{
    public EventSizeLimit Limit { get; } = limit;

    /// <summary>The UTF-8 length found; <see cref="int.MaxValue"/> for strings with no UTF-8 form.</summary>
    public int ActualBytes { get; } = actualBytes;

    public int MaxBytes { get; } = maxBytes;

    private static string Describe(EventSizeLimit limit) => limit switch
    {
        EventSizeLimit.Event => "as canonical JSON",
        EventSizeLimit.Sender => "'sender'",
        EventSizeLimit.RoomId => "'room_id'",
        EventSizeLimit.StateKey => "'state_key'",
        EventSizeLimit.Type => "'type'",
        EventSizeLimit.EventId => "'event_id'",
        _ => limit.ToString(),
    };
}
