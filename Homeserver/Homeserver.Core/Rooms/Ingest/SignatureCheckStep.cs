using Homeserver.Core.Events;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// Step 2, for events from elsewhere: every server the rules name must have signed the event with a key known and
/// valid at its timestamp, or it is dropped; an event whose content hash is wrong goes on redacted, as the spec
/// says. An event this server built and signed a moment ago needs neither check.
/// </summary>
public sealed class SignatureCheckStep(IVerifyKeys keys) : IIngestStep
{
    public async ValueTask RunAsync(IngestContext ctx, CancellationToken ct)
    {
        if (ctx.IsLocal)
            return;
        var ev = ctx.Event;
        foreach (var server in SigningServers.Required(ev))
        {
            if (ev.Signatures[server] is not System.Text.Json.Nodes.JsonObject byKey || byKey.Count == 0)
                throw new EventRefusedException(nameof(SignatureCheckStep), $"Event {ev.EventId} is not signed by {server}");
            var verified = false;
            foreach (var (keyId, _) in byKey)
            {
                if (!keyId.StartsWith(SigningKey.Algorithm + ":", StringComparison.Ordinal)
                    || await keys.FindAsync(server, keyId, ev.RoomVersion.EnforcesKeyValidity ? ev.OriginServerTs : null, ct) is not { } publicKey)
                    continue;
                if (!EventVerifier.VerifySignature(ev.Json, ev.RoomVersion, server, keyId, publicKey))
                    throw new EventRefusedException(nameof(SignatureCheckStep), $"Event {ev.EventId} has a bad signature by {server} ({keyId})");
                verified = true;
            }
            if (!verified)
                throw new EventRefusedException(nameof(SignatureCheckStep), $"Event {ev.EventId} has no signature by {server} with a key known here");
        }
        if (!EventVerifier.VerifyContentHash(ev.Json))
            ctx.Event = Pdu.FromJson(EventRedactor.Redact(ev.Json, ev.RoomVersion), ev.RoomVersion);
    }
}
