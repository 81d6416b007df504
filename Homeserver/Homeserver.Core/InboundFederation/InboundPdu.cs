using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;

namespace Homeserver.Core.InboundFederation;

/// <summary>Reading a PDU another server sent, in the version of our copy of its room.</summary>
public static class InboundPdu
{
    /// <summary>
    /// The event, validated against <paramref name="version"/> and with its event ID computed as that version says.
    /// <c>unsigned</c> is dropped: the sender writes it outside the signatures, so nothing in it can be trusted.
    /// </summary>
    /// <exception cref="InvalidEventException">The event is malformed for the version.</exception>
    /// <exception cref="EventTooLargeException">The event breaks a size limit.</exception>
    public static Pdu Read(JsonObject json, RoomVersion version)
    {
        var copy = (JsonObject)json.DeepClone();
        copy.Remove(PduKeys.Unsigned);
        return Pdu.FromJson(copy, version);
    }

    /// <summary>
    /// The events of a list another server answered with (at most <paramref name="max"/>) that read in
    /// <paramref name="version"/> and are of <paramref name="roomId"/>; what cannot be read is left out and told to
    /// <paramref name="unreadable"/>, with the reason.
    /// </summary>
    public static List<Pdu> ReadOfRoom(JsonArray list, int max, RoomId roomId, RoomVersion version, Action<string> unreadable)
    {
        var found = new List<Pdu>();
        foreach (var item in list.Take(max))
        {
            if (item is not JsonObject json)
                continue;
            try
            {
                var pdu = Read(json, version);
                if (pdu.RoomId == roomId)
                    found.Add(pdu);
            }
            catch (Exception e) when (e is InvalidEventException or EventTooLargeException)
            {
                unreadable(e.Message);
            }
        }
        return found;
    }

    /// <summary>
    /// The ID under which to answer about a PDU that could not be read: the ID it carries, else its reference hash in
    /// <paramref name="version"/> (the default room version when its room is unknown here); null when neither can be had.
    /// </summary>
    public static string? FallbackId(JsonObject json, RoomVersion? version)
    {
        if (PduReader.TryGetString(json[PduKeys.EventId], out var carried))
            return carried;
        var assumed = version ?? RoomVersions.Default;
        if (assumed.EventIdFormat == EventIdFormat.ServerGenerated)
            return null;
        try
        {
            return ReferenceHasher.ComputeEventId(json, assumed).ToString();
        }
        catch (Exception e) when (e is CanonicalJsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }
}
