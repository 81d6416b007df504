using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.Memberships;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Federation.Membership;

/// <summary>
/// A local user joins (knocks on, or refuses an invite to) a room held elsewhere: <c>make_join</c> on each candidate server in turn until one answers with
/// a template we accept (<see cref="MembershipTemplate"/>), our join signed on it, <c>send_join</c>, the answer
/// verified (<see cref="JoinStateVerifier"/>) and stored (<see cref="RemoteRoomSeeder"/>), then our join persisted
/// through <see cref="EventIngest"/> on that state. A server that is down, refuses, or answers with something we
/// refuse is logged and the next one is tried. A leave or a knock takes the same steps (<c>make_leave</c>/<c>send_leave</c>,
/// <c>make_knock</c>/<c>send_knock</c>) and is kept as the user's membership (<see cref="RemoteMembershipStore"/>): we hold
/// no state of that room to add it to.
/// </summary>
public sealed class RemoteMembershipService(FederationClient client, JoinStateVerifier verifier, RemoteRoomSeeder seeder, EventIngest ingest,
    RemoteMembershipStore memberships, RoomLocks locks, SigningKey key, ServerIdentity server, TimeProvider time,
    ILogger<RemoteMembershipService> log) : IRemoteMembership
{
    /// <summary>A big room's state and auth chain run to many megabytes.</summary>
    private const long MaxSendJoinBytes = 64L << 20;

    private static readonly string SupportedVersions = string.Join("&", RoomVersions.All.Select(v => "ver=" + Uri.EscapeDataString(v.Id)));

    public Task JoinAsync(RoomId roomId, UserId userId, JsonObject content, IReadOnlyList<string> servers, CancellationToken ct) =>
        ThroughFirstAsync(roomId, userId, "join", servers, via => JoinViaAsync(via, roomId, userId, content, ct));

    public Task LeaveAsync(RoomId roomId, UserId userId, JsonObject content, IReadOnlyList<string> servers, CancellationToken ct) =>
        ThroughFirstAsync(roomId, userId, "leave", servers, via => LeaveViaAsync(via, roomId, userId, content, ct));

    public async Task LeaveOutOfBandAsync(Pdu membership, JsonObject content, CancellationToken ct)
    {
        var ours = (JsonObject)content.DeepClone();
        ours["membership"] = "leave";
        var user = UserId.Parse(membership.StateKey!);
        // On the invite or knock alone, as Synapse builds it: we know nothing else of the room.
        var leave = new EventBuilder
        {
            RoomVersion = membership.RoomVersion,
            Type = EventTypes.Member,
            Sender = user,
            RoomId = membership.RoomId,
            StateKey = user.ToString(),
            Content = ours,
            PrevEvents = [membership.EventId],
            AuthEvents = [membership.EventId],
            ReferenceHashes = ReferenceHasher.ByEventId([membership]),
            Depth = membership.Depth + 1,
            OriginServerTs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        }.Build(key);
        await memberships.RecordAsync(leave, "leave", null, user.ToString(), ct);
        log.LogInformation("{UserId} left {RoomId} here alone, its servers not taking the leave", user, membership.RoomId);
    }

    public Task KnockAsync(RoomId roomId, UserId userId, JsonObject content, IReadOnlyList<string> servers, CancellationToken ct) =>
        ThroughFirstAsync(roomId, userId, "knock", servers, via => KnockViaAsync(via, roomId, userId, content, ct));

    private async Task ThroughFirstAsync(RoomId roomId, UserId userId, string membership, IReadOnlyList<string> servers, Func<string, Task> through)
    {
        var candidates = servers.Where(s => s != server.ServerName).Distinct(StringComparer.Ordinal).ToList();
        if (candidates.Count == 0)
            throw MatrixException.NotFound("No server is known to be in this room");
        FederationRequestException? refusal = null;
        foreach (var candidate in candidates)
        {
            try
            {
                await through(candidate);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or RemoteRoomException)
            {
                log.LogInformation("{Membership} of {UserId} in {RoomId} through {Server} failed: {Reason}", membership, userId, roomId, candidate, e.Message);
                // A refusal says more than not knowing the room, and a 403 more than any other.
                if (e is FederationRequestException { Status: >= 400 and < 500 } refused && refusal?.Status != 403)
                    refusal = refused;
            }
        }
        // The remote's own error goes to the client as it came, as Synapse passes a resident server's refusal on.
        throw refusal?.Refusal() ?? refusal?.Status switch
        {
            403 => MatrixException.Forbidden($"The servers of the room refused the {membership}"),
            404 => MatrixException.NotFound("No server could be found in this room"),
            _ => new MatrixException(502, "M_UNKNOWN", $"No server of the room took the {membership}"),
        };
    }

    private async Task JoinViaAsync(string via, RoomId roomId, UserId userId, JsonObject content, CancellationToken ct)
    {
        var room = Uri.EscapeDataString(roomId.ToString());
        var (template, join) = await MakeAsync(via, "make_join", "join", roomId, userId, content, ct);
        var answer = await client.PutV2OrV1Async(via, $"/send_join/{room}/{Uri.EscapeDataString(join.EventId.ToString())}", join.Json, () => join.Json,
            ct, MaxSendJoinBytes);
        join = Countersigned(answer, join, template);
        var verified = await verifier.VerifyAsync(answer, join, via, ct);
        using var _ = await locks.AcquireAsync(roomId, ct);
        var stateBefore = await seeder.SeedAsync(roomId, template.Version, verified, ct);
        await ingest.IngestAsync(new IngestContext
        {
            Event = join, Origin = server.ServerName, IsLocal = true,
            AuthEvents = join.AuthEvents.Select(id => verified.Events[id]).ToList(), StateBefore = stateBefore,
        }, ct);
        log.LogInformation("{UserId} joined {RoomId} through {Server}", userId, roomId, via);
    }

    private async Task LeaveViaAsync(string via, RoomId roomId, UserId userId, JsonObject content, CancellationToken ct)
    {
        var (_, leave) = await MakeAsync(via, "make_leave", "leave", roomId, userId, content, ct);
        await client.PutV2OrV1Async(via, $"/send_leave/{Uri.EscapeDataString(roomId.ToString())}/{Uri.EscapeDataString(leave.EventId.ToString())}",
            leave.Json, () => leave.Json, ct);
        await memberships.RecordAsync(leave, "leave", null, userId.ToString(), ct);
        log.LogInformation("{UserId} left {RoomId} through {Server}", userId, roomId, via);
    }

    private async Task KnockViaAsync(string via, RoomId roomId, UserId userId, JsonObject content, CancellationToken ct)
    {
        var (_, knock) = await MakeAsync(via, "make_knock", "knock", roomId, userId, content, ct);
        var answer = await client.SendForJsonAsync(HttpMethod.Put, via,
            $"/_matrix/federation/v1/send_knock/{Uri.EscapeDataString(roomId.ToString())}/{Uri.EscapeDataString(knock.EventId.ToString())}", knock.Json, ct);
        var stripped = StrippedStateReader.Sanitize(answer["knock_room_state"]);
        stripped.Add(StrippedStateReader.Strip(knock));
        await memberships.RecordAsync(knock, "knock", stripped.ToJsonString(), userId.ToString(), ct);
        log.LogInformation("{UserId} knocked on {RoomId} through {Server}", userId, roomId, via);
    }

    /// <summary>The resident server's template, checked, and our event on it.</summary>
    private async Task<(MembershipTemplate Template, Pdu Event)> MakeAsync(string via, string endpoint, string membership, RoomId roomId,
        UserId userId, JsonObject content, CancellationToken ct)
    {
        var made = await client.SendForJsonAsync(HttpMethod.Get, via,
            $"/_matrix/federation/v1/{endpoint}/{Uri.EscapeDataString(roomId.ToString())}/{Uri.EscapeDataString(userId.ToString())}?{SupportedVersions}", null, ct);
        var template = MembershipTemplate.Check(made, roomId, userId, membership);
        var ours = (JsonObject)content.DeepClone();
        ours["membership"] = membership;
        return (template, template.Build(roomId, userId, ours, time.GetUtcNow().ToUnixTimeMilliseconds(), key));
    }

    /// <summary>
    /// A restricted join comes back signed by the resident server too, which the room's other servers will ask for; it
    /// must be our very event (same ID) for us to keep it.
    /// </summary>
    private static Pdu Countersigned(JsonObject answer, Pdu join, MembershipTemplate template)
    {
        if (answer["event"] is not JsonObject returned)
            return template.Authoriser is null ? join
                : throw new RemoteRoomException("A restricted join came back without the resident server's signature");
        Pdu signed;
        try
        {
            signed = Pdu.FromJson((JsonObject)returned.DeepClone(), join.RoomVersion);
        }
        catch (Exception e) when (e is InvalidEventException or EventTooLargeException or FormatException or MatrixException)
        {
            throw new RemoteRoomException($"The returned join is malformed: {e.Message}");
        }
        if (!JsonNode.DeepEquals(Unsigned(signed.Json), Unsigned(join.Json)))
            throw new RemoteRoomException("The returned join is not the event we sent");
        return signed;
    }

    private static JsonObject Unsigned(JsonObject pdu)
    {
        var copy = (JsonObject)pdu.DeepClone();
        copy.Remove(PduKeys.Signatures);
        copy.Remove(PduKeys.Unsigned);
        return copy;
    }
}
