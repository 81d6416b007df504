using System.Text.Json;
using Homeserver.Core.Streams;

namespace Homeserver.Core.AppServices;

/// <summary>
/// Where a service stands in the streams that feed a transaction besides events (MSC2409, MSC3202). Kept as JSON in
/// <c>appservice_states</c>, so a stream added later needs no new column.
/// </summary>
public sealed record AppServiceStreamPositions(long Receipts, long Presence, long ToDevice, long DeviceLists)
{
    public static AppServiceStreamPositions At(StreamPositions.Snapshot now) =>
        new(now.Of(StreamNames.Receipts), now.Of(StreamNames.Presence), now.Of(StreamNames.ToDevice), now.Of(StreamNames.DeviceLists));

    public string ToJson() => JsonSerializer.Serialize(this);

    public static AppServiceStreamPositions? FromJson(string? json) => json is null ? null : JsonSerializer.Deserialize<AppServiceStreamPositions>(json);
}
