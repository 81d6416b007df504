using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.State;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation.Reads;

/// <summary>
/// Membership events of another server's users in a room <paramref name="host"/> holds, signed with
/// <paramref name="remote"/>'s key and received through the host's ingest pipeline as from that server: how a member
/// of the remote server gets into the room without the join handshake. Events are built on the room's one
/// extremity (the tests' rooms do not fork), in any room version.
/// </summary>
internal sealed class RemoteMembers(TestHomeserver host, TestHomeserver remote)
{
    public string UserId(string localpart) => $"@{localpart}:{remote.Options.ServerName}";

    /// <summary>The remote user joins (the room's join rules must let them); the join event's ID.</summary>
    public Task<string> JoinAsync(string roomId, string localpart) => MembershipAsync(roomId, UserId(localpart), localpart, "join", remote);

    public Task<string> LeaveAsync(string roomId, string localpart) => MembershipAsync(roomId, UserId(localpart), localpart, "leave", remote);

    /// <summary>An invite of the remote user by a local member, made and signed by the host as its own event.</summary>
    public Task<string> InviteAsync(string roomId, string inviter, string localpart) => MembershipAsync(roomId, inviter, localpart, "invite", host);

    private async Task<string> MembershipAsync(string roomId, string sender, string localpart, string membership, TestHomeserver signer)
    {
        var room = RoomId.Parse(roomId);
        var version = await host.Services.GetRequiredService<RoomStore>().VersionOfAsync(roomId, default);
        var state = host.Services.GetRequiredService<StateService>();
        var parent = Assert.Single(await host.Services.GetRequiredService<RoomStore>().ForwardExtremitiesAsync(roomId, default));
        var snapshot = await state.GetGroupAsync(parent.StateGroup!.Value, default);
        var content = new JsonObject { ["membership"] = membership };
        var target = UserId(localpart);
        var auth = new List<Pdu>();
        foreach (var key in AuthEventSelection.Keys(version, EventTypes.Member, Homeserver.Core.Identifiers.UserId.Parse(sender), target, content))
            if (snapshot.TryGetValue(key, out var id))
                auth.Add((await state.GetEventAsync(id, version, default))!);
        var prev = (await state.GetEventAsync(parent.EventId, version, default))!;
        var pdu = new EventBuilder
        {
            RoomVersion = version, Type = EventTypes.Member, Sender = Homeserver.Core.Identifiers.UserId.Parse(sender), RoomId = room,
            StateKey = target, Content = content, PrevEvents = [prev.EventId], AuthEvents = auth.Select(e => e.EventId).ToList(),
            ReferenceHashes = version.EventReferencesCarryHashes ? ReferenceHasher.ByEventId([.. auth, prev]) : new Dictionary<EventId, byte[]>(),
            Depth = parent.Depth + 1, OriginServerTs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        }.Build(signer.Services.GetRequiredService<SigningKey>());
        var persisted = await host.Services.GetRequiredService<EventIngest>().IngestAsync(new IngestContext
        {
            Event = pdu, Origin = signer.Options.ServerName, IsLocal = signer == host,
        }, default);
        if (persisted is null)
            throw new InvalidOperationException($"{membership} of {target} was soft-failed");
        return pdu.EventId.ToString();
    }
}
