using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.AccountData;

/// <summary>
/// A user's tags on a room (<c>/user/{userId}/rooms/{roomId}/tags</c>), kept as the room's <c>m.tag</c> account
/// data, which is what sync sends clients: <c>{"tags": {"tag": {...}}}</c>.
/// </summary>
public sealed class RoomTagService(AccountDataStore store)
{
    public const string AccountDataType = "m.tag";

    /// <summary>Adding and removing read the whole map and write it back; one at a time, so neither loses the other's tag.</summary>
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public async Task<JsonObject> GetAsync(UserId userId, RoomId roomId, CancellationToken ct)
    {
        var content = await store.GetAsync(userId.ToString(), roomId.ToString(), AccountDataType, ct);
        if (content is null || JsonNode.Parse(content) is not JsonObject { } data || data["tags"] is not JsonObject tags)
            return new JsonObject();
        // Detached from the content it was read from, so a change can put it into new content.
        data.Remove("tags");
        return tags;
    }

    /// <summary>Adds or replaces a tag; its content is kept as sent, where clients put <c>order</c> (a number).</summary>
    public Task PutAsync(UserId userId, RoomId roomId, string tag, JsonElement content, CancellationToken ct)
    {
        if (content.TryGetProperty("order", out var order) && order.ValueKind != JsonValueKind.Number)
            throw MatrixException.BadJson("'order' must be a number");
        return ChangeAsync(userId, roomId, tags => tags[tag] = JsonNode.Parse(content.GetRawText()), ct);
    }

    /// <summary>Adds the user's tags of one room to another's (a room upgrade), keeping any the other already has.</summary>
    public async Task CopyAsync(UserId userId, RoomId from, RoomId to, CancellationToken ct)
    {
        var tags = await GetAsync(userId, from, ct);
        if (tags.Count > 0)
            await ChangeAsync(userId, to, target =>
            {
                foreach (var (tag, content) in tags)
                    target[tag] = content?.DeepClone();
            }, ct);
    }

    public Task DeleteAsync(UserId userId, RoomId roomId, string tag, CancellationToken ct) =>
        ChangeAsync(userId, roomId, tags => tags.Remove(tag), ct);

    private async Task ChangeAsync(UserId userId, RoomId roomId, Action<JsonObject> change, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct);
        try
        {
            var tags = await GetAsync(userId, roomId, ct);
            change(tags);
            var content = new JsonObject { ["tags"] = tags };
            await store.PutAsync(userId.ToString(), roomId.ToString(), AccountDataType, content.ToJsonString(), ct);
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
