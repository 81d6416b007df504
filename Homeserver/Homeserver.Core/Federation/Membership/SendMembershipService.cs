using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Federation.Membership;

/// <summary>
/// <c>send_join</c>, <c>send_leave</c> and <c>send_knock</c>: another server hands back the membership event its user
/// signed from our template. It must be exactly that kind of event, of that user, of that server, with the ID the
/// path names; it then goes through <see cref="EventIngest"/> like any event from elsewhere (signatures, content hash,
/// auth events, the state before it). A restricted join names one of our users as its authoriser, and we sign it too.
/// </summary>
public sealed class SendMembershipService(ResidentRoom resident, EventIngest ingest, EventStore events, RoomLocks locks,
    ServerIdentity server, SigningKey key)
{
    /// <summary>The event as persisted (with our signature for a restricted join) and where it sits.</summary>
    public sealed record Accepted(Pdu Event, EventRow Row);

    public async Task<Accepted> AcceptAsync(RoomId roomId, EventId eventId, JsonObject body, string membership, string origin, CancellationToken ct)
    {
        var version = await resident.VersionAsync(roomId, origin, ct);
        // As Synapse, the signature comes before the shape: an event its server did not sign (no signature of it, no
        // content hash to sign) is forbidden, not malformed.
        if (body["signatures"] is not JsonObject signatures || signatures[origin] is not JsonObject || body["hashes"] is not JsonObject)
            throw MatrixException.Forbidden($"The event is not signed by {origin}");
        var pdu = Parse(body, version);
        Check(pdu, roomId, eventId, membership, origin);
        using var _ = await locks.AcquireAsync(roomId, ct);
        if (await events.GetAsync(eventId.ToString(), ct) is { } known)
        {
            // Room versions 1–2 let the sender choose the ID: a stored event of that ID must be this very membership.
            if (known.RoomId != roomId.ToString() || known.EventType != EventTypes.Member || known.StateKey != pdu.StateKey)
                throw MatrixException.BadJson($"{eventId} is another event");
            return new Accepted(FromRow(known, version), known);
        }
        if (membership == "join" && AuthoriserIsOurs(pdu))
        {
            // Signing rewrites the content hash from the content: it must be the one the sender signed first.
            if (!EventVerifier.VerifyContentHash(pdu.Json))
                throw MatrixException.BadJson("The event's content hash is wrong");
            var json = (JsonObject)pdu.Json.DeepClone();
            EventSigner.Sign(json, version, server.ServerName, key);
            pdu = Pdu.FromJson(json, version);
        }
        try
        {
            if (await ingest.IngestAsync(new IngestContext { Event = pdu, Origin = origin, IsLocal = false }, ct) is null)
                throw MatrixException.Forbidden("The event is not allowed by the room's current state");
        }
        catch (EventRefusedException e)
        {
            throw MatrixException.Forbidden(e.Message);
        }
        return new Accepted(pdu, await events.GetAsync(eventId.ToString(), ct)
            ?? throw new InvalidOperationException($"{eventId} was persisted but cannot be read"));
    }

    private static Pdu FromRow(EventRow row, RoomVersion version) =>
        Pdu.FromJson(JsonNode.Parse(row.Json)!.AsObject(), version);

    private static Pdu Parse(JsonObject body, RoomVersion version)
    {
        try
        {
            return Pdu.FromJson((JsonObject)body.DeepClone(), version);
        }
        catch (Exception e) when (e is InvalidEventException or EventTooLargeException or FormatException or MatrixException)
        {
            throw MatrixException.BadJson($"Not an event of room version {version.Id}: {e.Message}");
        }
    }

    /// <summary>The spec's refusals before any signature is looked at: each is the sending server's mistake or lie.</summary>
    internal static void Check(Pdu pdu, RoomId roomId, EventId eventId, string membership, string origin)
    {
        if (pdu.EventId != eventId)
            throw MatrixException.BadJson($"The event's ID is {pdu.EventId}, not {eventId}");
        if (pdu.RoomId != roomId)
            throw MatrixException.BadJson($"The event is of room {pdu.RoomId}, not {roomId}");
        if (pdu.Type != EventTypes.Member || pdu.StateKey is null)
            throw MatrixException.BadJson($"Expected an {EventTypes.Member} event");
        if (JsonFields.String(pdu.Content, "membership") != membership)
            throw MatrixException.BadJson($"Expected membership '{membership}'");
        if (pdu.StateKey != pdu.Sender.ToString())
            throw MatrixException.BadJson("The event's state_key is not its sender");
        ResidentRoom.EnsureOfOrigin(pdu.Sender, origin);
    }

    private bool AuthoriserIsOurs(Pdu pdu) =>
        pdu.RoomVersion.SupportsRestrictedJoinRule
        && JsonFields.String(pdu.Content, AuthEventSelection.JoinAuthorisedViaUsersServerKey) is { } authoriser
        && UserId.TryParse(authoriser, out var user) && user.Value.ServerName == server.ServerName;
}
