using System.Text.Json;

namespace Homeserver.Bench.Targets;

/// <summary>The two things a receiver needs from a sync response: its message bodies and next_batch.</summary>
public static class SyncResponse
{
    public static string Read(ReadOnlyMemory<byte> json, Action<string> onMessage)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.TryGetProperty("rooms", out var rooms) && rooms.TryGetProperty("join", out var join))
            foreach (var room in join.EnumerateObject())
                if (room.Value.TryGetProperty("timeline", out var timeline) && timeline.TryGetProperty("events", out var events))
                    foreach (var e in events.EnumerateArray())
                        if (e.TryGetProperty("content", out var content) && content.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.String
                            && e.TryGetProperty("type", out var type) && type.ValueEquals("m.room.message"))
                            onMessage(body.GetString()!);
        return root.GetProperty("next_batch").GetString()!;
    }
}
