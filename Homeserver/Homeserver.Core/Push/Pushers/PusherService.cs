using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Push.Delivery;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Push.Pushers;

/// <summary>Sets, deletes and activates pushers (<c>/pushers/set</c>, MSC4174's <c>/pushers/ack</c>).</summary>
public sealed class PusherService(Database db, PusherStore store, PusherValidator validator, PushDeliveryWorker worker, TimeProvider time)
{
    public Task<IReadOnlyList<PusherRecord>> ListAsync(UserId userId, CancellationToken ct) => store.ListAsync(userId.ToString(), ct);

    /// <summary>
    /// Creates or updates the pusher, owned by the device of the request. Returns true when it is a Web Push pusher
    /// that must be activated before it gets notifications: new, or with a new URL or secret.
    /// </summary>
    public async Task<bool> SetAsync(UserId userId, string deviceId, PusherRequest r, CancellationToken ct)
    {
        validator.Check(r);
        var key = new PusherKey(userId.ToString(), r.AppId, r.Pushkey);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var needsActivation = await db.WriteAsync(async (c, tx) =>
        {
            var existing = await PusherStore.GetAsync(c, tx, key, ct);
            var needsActivation = r.Kind == PusherRecord.WebPushKind && (existing is null || existing.Kind != r.Kind || SubscriptionChanged(existing, r.Data));
            var keepActivation = r.Kind == PusherRecord.WebPushKind && !needsActivation;
            await PusherStore.UpsertAsync(c, tx, new PusherRecord
            {
                UserId = userId.ToString(), AppId = r.AppId, Pushkey = r.Pushkey, DeviceId = deviceId, Kind = r.Kind,
                AppDisplayName = r.AppDisplayName, DeviceDisplayName = r.DeviceDisplayName, ProfileTag = r.ProfileTag,
                Lang = r.Lang, Data = r.Data.ToJsonString(), PushkeyTs = now,
                LastStreamOrdering = existing?.LastStreamOrdering ?? await PusherStore.LatestActionAsync(c, tx, userId.ToString(), ct),
                Activated = r.Kind == PusherRecord.HttpKind || (keepActivation && existing!.Activated),
                AckToken = needsActivation ? Guid.NewGuid().ToString() : keepActivation ? existing!.AckToken : null,
                AckTokenTs = needsActivation ? now : keepActivation ? existing!.AckTokenTs : null,
            }, ct);
            if (!r.Append)
                await PusherStore.DeleteForOtherUsersAsync(c, tx, key, ct);
            return needsActivation;
        }, ct);
        worker.PusherChanged(key);
        return needsActivation;
    }

    public Task DeleteAsync(UserId userId, string appId, string pushkey, CancellationToken ct)
    {
        PusherValidator.CheckKey(appId, pushkey);
        return store.DeleteAsync(new PusherKey(userId.ToString(), appId, pushkey), ct);
    }

    /// <summary>MSC4174: the client returns the token the activation push carried; the pusher then gets notifications.</summary>
    public Task AckAsync(UserId userId, string appId, string ackToken, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var ofApp = await PusherStore.ListForAppAsync(c, tx, userId.ToString(), appId, ct);
            if (ofApp.Count == 0)
                throw MatrixException.NotFound($"No pusher with app_id '{appId}'");
            var pusher = ofApp.FirstOrDefault(p => p.AckToken == ackToken)
                ?? throw new MatrixException(400, ErrorCodes.UnknownActivationToken, "Unknown activation token");
            if (time.GetUtcNow().ToUnixTimeMilliseconds() - pusher.AckTokenTs > PushDeliveryWorker.AckTokenLifetime.TotalMilliseconds)
                throw new MatrixException(400, ErrorCodes.ExpiredActivationToken, "The activation token has expired; set the pusher again for a new one");
            await PusherStore.ActivateAsync(c, tx, pusher.Key, ct);
        }, ct);

    private static bool SubscriptionChanged(PusherRecord existing, JsonObject data)
    {
        var old = JsonNode.Parse(existing.Data)!;
        return !JsonNode.DeepEquals(old["url"], data["url"]) || !JsonNode.DeepEquals(old["auth"], data["auth"]);
    }
}
