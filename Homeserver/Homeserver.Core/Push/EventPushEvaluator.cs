using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Push.Rules;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Relations;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Push;

/// <summary>
/// Runs each recipient's push rules over a new event against the room's state at it: every local joined member
/// but the sender, and an invite's invitee. Members, display names and rule sets come from caches, so a message
/// in a large room costs no per-member queries.
/// </summary>
public sealed class EventPushEvaluator(ServerIdentity server, PushRuleService rules, StateService state, SnapshotMembers snapshotMembers, EventStore events)
{
    /// <summary>How far relations are followed to find an event's thread (the spec recommends at most 3 hops).</summary>
    private const int MaxThreadHops = 3;

    /// <summary>The recipients the event notifies or highlights, with the actions of the rule that matched.</summary>
    /// <param name="stateGroupBefore">The room state the event was authorised against; null for a room's create event.</param>
    public async Task<IReadOnlyList<PushActionsStore.Decision>> EvaluateAsync(Pdu pdu, long? stateGroupBefore, CancellationToken ct)
    {
        if (stateGroupBefore is not { } group)
            return [];
        var sender = pdu.Sender.ToString();
        var snapshot = await state.GetGroupAsync(group, ct);
        var members = await snapshotMembers.AtAsync(group, ct);
        var joined = members.Where(m => m.Membership == "join").ToList();
        var recipients = joined.Where(m => m.UserId != sender && IsLocal(m.UserId)).ToDictionary(m => m.UserId, m => m.DisplayName);
        if (pdu.Type == EventTypes.Member && pdu.StateKey is { } invitee && invitee != sender && IsLocal(invitee)
            && JsonFields.String(pdu.Content, "membership") == "invite")
            recipients.TryAdd(invitee, null);
        if (recipients.Count == 0)
            return [];

        var levels = await state.PowerLevelsAsync(snapshot, pdu.RoomVersion, ct);
        var context = new PushEventContext(ClientView(pdu), joined.Count, levels.GetUserLevel(sender), levels.NotificationLevel);
        var sets = await rules.GetManyAsync(recipients.Keys, ct);
        string? thread = null;
        var decisions = new List<PushActionsStore.Decision>();
        foreach (var (userId, displayName) in recipients)
        {
            if (PushRuleEvaluator.FirstMatch(sets[userId], context, displayName) is not { } rule)
                continue;
            var notify = PushActions.Notifies(rule.Actions);
            var highlight = PushActions.Highlights(rule.Actions);
            if (!notify && !highlight)
                continue;
            thread ??= await ThreadOfAsync(pdu.Content, pdu.RoomId.ToString(), ct);
            decisions.Add(new PushActionsStore.Decision(userId, thread, notify, highlight, rule.Actions.ToJsonString()));
        }
        return decisions;
    }

    private bool IsLocal(string userId) => UserId.TryParse(userId, out var id) && id.Value.ServerName == server.ServerName;

    /// <summary>The event as clients see it, which is what rule keys such as <c>content.body</c> and <c>room_id</c> address.</summary>
    private static JsonObject ClientView(Pdu pdu)
    {
        var view = new JsonObject
        {
            ["event_id"] = pdu.EventId.ToString(),
            ["room_id"] = pdu.RoomId.ToString(),
            ["type"] = pdu.Type,
            ["sender"] = pdu.Sender.ToString(),
            ["origin_server_ts"] = pdu.OriginServerTs,
            ["content"] = pdu.Content.DeepClone(),
        };
        if (pdu.StateKey is { } stateKey)
            view["state_key"] = stateKey;
        return view;
    }

    /// <summary>
    /// The thread root an event belongs to, following its relations a few hops within its room (a relation may
    /// name any event ID); 'main' when none.
    /// </summary>
    private async Task<string> ThreadOfAsync(JsonObject content, string roomId, CancellationToken ct)
    {
        for (var hop = 0; hop < MaxThreadHops; hop++)
        {
            if (content["m.relates_to"] is not JsonObject relation || JsonFields.String(relation, "event_id") is not { } target)
                break;
            if (await events.GetAsync(target, ct) is not { } parent || parent.RoomId != roomId)
                break;
            if (JsonFields.String(relation, "rel_type") == RelationStore.Thread)
                return target;
            if (JsonNode.Parse(parent.Json)?["content"] is not JsonObject parentContent)
                break;
            content = parentContent;
        }
        return PushActionsStore.MainThread;
    }
}
