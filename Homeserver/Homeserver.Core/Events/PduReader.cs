using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Events;

/// <summary>Typed, throwing reads of PDU members for <see cref="PduValidator"/>; each failure names the key.</summary>
internal sealed class PduReader(JsonObject pdu)
{
    public JsonObject Pdu { get; } = pdu;

    public string RequiredString(string key, EventSizeLimit limit) =>
        OptionalString(key, limit) ?? throw new InvalidEventException($"Event has no '{key}'");

    /// <summary>Reads a string member, enforcing the 255-byte limit measured in UTF-8 bytes, not characters.</summary>
    public string? OptionalString(string key, EventSizeLimit limit)
    {
        if (!Pdu.TryGetPropertyValue(key, out JsonNode? node))
        {
            return null;
        }

        if (!TryGetString(node, out string? value))
        {
            throw new InvalidEventException($"'{key}' must be a string");
        }

        int bytes = IdentifierText.Utf8Length(value);
        if (bytes > PduValidator.MaxKeyBytes)
        {
            throw new EventTooLargeException(limit, bytes, PduValidator.MaxKeyBytes);
        }

        return value;
    }

    public long RequiredInteger(string key, long min)
    {
        if (!TryGetInteger(Pdu[key], out long number))
        {
            throw new InvalidEventException($"'{key}' must be an integer");
        }

        return number >= min ? number : throw new InvalidEventException($"'{key}' must be at least {min}");
    }

    public JsonObject RequiredObject(string key) =>
        Pdu[key] as JsonObject ?? throw new InvalidEventException($"'{key}' must be an object");

    public void RequiredEventIds(string key, int max, RoomVersion version)
    {
        if (Pdu[key] is not JsonArray array)
        {
            throw new InvalidEventException($"'{key}' must be an array of event IDs");
        }

        if (array.Count > max)
        {
            throw new InvalidEventException($"'{key}' lists {array.Count} events; at most {max} are allowed");
        }

        foreach (JsonNode? item in array)
        {
            JsonNode? idNode = version.EventReferencesCarryHashes ? ReferenceWithHashes(key, item) : item;
            if (!TryGetString(idNode, out string? text) || !EventId.TryParse(text, out EventId? id) || !version.IsValidEventId(id.Value))
            {
                throw new InvalidEventException($"'{key}' holds something that is not a room version {version.Id} event ID");
            }
        }
    }

    /// <summary>
    /// The event ID of a v1-format reference, <c>[event ID, {"sha256": …}]</c> (pdu_v1, event_hash). The hash is
    /// never used (events are found by ID), so an empty hashes object is taken, as Synapse takes it.
    /// </summary>
    private static JsonNode? ReferenceWithHashes(string key, JsonNode? item)
    {
        if (item is not JsonArray { Count: 2 } pair
            || pair[1] is not JsonObject hashes
            || (hashes[PduKeys.Sha256] is { } hash && !TryGetString(hash, out _)))
        {
            throw new InvalidEventException($"'{key}' must list [event ID, {{\"sha256\": hash}}] pairs");
        }

        return pair[0];
    }

    public void RequiredContentHash()
    {
        if (RequiredObject(PduKeys.Hashes)[PduKeys.Sha256] is not JsonValue hash || !hash.TryGetValue(out string? _))
        {
            throw new InvalidEventException("'hashes' must have a string 'sha256'");
        }
    }

    /// <summary>Signatures map server names to objects of key ID → signature string (pdu_base schema).</summary>
    public void RequiredSignatures()
    {
        foreach ((string server, JsonNode? keys) in RequiredObject(PduKeys.Signatures))
        {
            if (keys is not JsonObject byKey || byKey.Any(pair => !TryGetString(pair.Value, out _)))
            {
                throw new InvalidEventException($"'signatures.{server}' must map key IDs to strings");
            }
        }
    }

    /// <summary>The redacted event ID, where the version keeps it: top level before v11, <c>content</c> from v11.</summary>
    public void OptionalRedacts(RoomVersion version)
    {
        JsonObject holder = version.RedactsInContent ? RequiredObject(PduKeys.Content) : Pdu;
        if (holder.TryGetPropertyValue(PduKeys.Redacts, out JsonNode? node)
            && !(TryGetString(node, out string? text) && EventId.TryParse(text, out EventId? id) && version.IsValidEventId(id.Value)))
        {
            throw new InvalidEventException("'redacts' must be an event ID");
        }
    }

    public static bool TryGetString(JsonNode? node, [NotNullWhen(true)] out string? value)
    {
        value = null;
        return node is JsonValue jsonValue && jsonValue.GetValueKind() == JsonValueKind.String && jsonValue.TryGetValue(out value);
    }

    /// <summary>
    /// Reads an integer however the node was made (parsed element, boxed int or long). Goes through the
    /// JSON text because JsonValue only converts between exactly matching CLR types; floats are refused.
    /// </summary>
    public static bool TryGetInteger(JsonNode? node, out long value)
    {
        value = 0;
        return node is JsonValue jsonValue
            && jsonValue.GetValueKind() == JsonValueKind.Number
            && long.TryParse(jsonValue.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}
