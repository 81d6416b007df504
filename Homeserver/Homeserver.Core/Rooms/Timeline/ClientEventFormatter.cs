using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Events;

namespace Homeserver.Core.Rooms.Timeline;

/// <summary>
/// Turns a stored PDU into the client-server "ClientEvent" shape: the federation-only keys dropped,
/// <c>event_id</c> added, a redacted event's content pruned by its room version's algorithm, and
/// <c>unsigned</c> computed for the viewer (age, the sender's own <c>transaction_id</c>, relations, the redaction).
/// </summary>
/// <remarks>
/// The event is written as UTF-8 straight from the stored JSON, the kept values copied as they are: a sync formats
/// thousands of events per response, and parsing each PDU into a tree to rebuild it cost most of an initial sync.
/// </remarks>
public static class ClientEventFormatter
{
    /// <summary>What <c>unsigned</c> carries for one viewer beyond the event's age.</summary>
    /// <param name="Relations">The server-side aggregations (<c>m.relations</c>), if any.</param>
    /// <param name="RedactedBecause">The formatted redaction event of a redacted event; without it only its ID is given.</param>
    public readonly record struct Unsigned(string? TransactionId = null, JsonObject? Relations = null, byte[]? RedactedBecause = null);

    // As the wire writes text (MatrixJson): UTF-8 as it is, not \u escapes.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions PduSerialization = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Reused per thread: formatting is synchronous and never nests (what goes into unsigned is formatted beforehand).
    [ThreadStatic] private static ArrayBufferWriter<byte>? _buffer;
    [ThreadStatic] private static Utf8JsonWriter? _writer;

    /// <summary>The client event as a tree, for callers that read or change it.</summary>
    public static JsonObject Format(EventRow row, RoomVersion version, long nowMs, Unsigned unsigned = default) =>
        JsonNode.Parse(Write(row, version, nowMs, unsigned))!.AsObject();

    /// <summary>The client event as UTF-8 JSON, to be sent as it is (see <see cref="Json.RawJson"/>).</summary>
    public static byte[] FormatUtf8(EventRow row, RoomVersion version, long nowMs, Unsigned unsigned = default) =>
        Write(row, version, nowMs, unsigned).ToArray();

    /// <summary>The client event as a node of a response tree that is written out as it is, never read.</summary>
    public static JsonNode FormatRaw(EventRow row, RoomVersion version, long nowMs, Unsigned unsigned = default) =>
        new Json.RawJson(FormatUtf8(row, version, nowMs, unsigned)).ToNode();

    /// <summary>The event in the calling thread's buffer, valid until the thread formats again.</summary>
    private static ReadOnlySpan<byte> Write(EventRow row, RoomVersion version, long nowMs, Unsigned unsigned)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = _writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        if (row.RedactedBy is not null)
        {
            // Rare, so the redaction algorithm's tree form is good enough.
            var redacted = EventRedactor.Redact(JsonNode.Parse(row.JsonUtf8)!.AsObject(), version);
            WriteEvent(writer, JsonSerializer.SerializeToUtf8Bytes(redacted, PduSerialization), row, version, nowMs, unsigned);
        }
        else
            WriteEvent(writer, row.JsonUtf8, row, version, nowMs, unsigned);
        writer.Flush();
        return buffer.WrittenSpan;
    }

    private static void WriteEvent(Utf8JsonWriter w, ReadOnlySpan<byte> pdu, EventRow row, RoomVersion version, long nowMs, Unsigned unsigned)
    {
        var fields = PduFields.Find(pdu);
        w.WriteStartObject();
        // In the order clients have always been sent them.
        WriteRaw(w, "type"u8, pdu, fields.Type);
        WriteRaw(w, "content"u8, pdu, fields.Content);
        WriteRaw(w, "sender"u8, pdu, fields.Sender);
        WriteRaw(w, "origin_server_ts"u8, pdu, fields.OriginServerTs);
        if (fields.RoomId.Length > 0)
            w.WriteString("room_id"u8, row.RoomId);
        WriteRaw(w, "state_key"u8, pdu, fields.StateKey);
        if (fields.Content.Length == 0)
        {
            w.WriteStartObject("content"u8);
            w.WriteEndObject();
        }
        w.WriteString("event_id"u8, row.EventId);
        if (fields.RoomId.Length == 0)
            w.WriteString("room_id"u8, row.RoomId);
        if (!version.RedactsInContent && fields.Redacts.Length > 0 && row.RedactedBy is null)
            WriteRaw(w, "redacts"u8, pdu, fields.Redacts);
        else if (row.EventType == EventTypes.Redaction && fields.Content.Length > 0)
            WriteRaw(w, "redacts"u8, fields.Content.Of(pdu), PduFields.Member(fields.Content.Of(pdu), "redacts"u8));
        w.WriteStartObject("unsigned"u8);
        w.WriteNumber("age"u8, Math.Max(0, nowMs - row.OriginServerTs));
        if (row.RedactedBy is not null)
        {
            // Both, as Synapse gives them: SyTest and clients read either the ID or the whole redaction.
            w.WriteString("redacted_by"u8, row.RedactedBy);
            w.WritePropertyName("redacted_because"u8);
            if (unsigned.RedactedBecause is not null)
                w.WriteRawValue(unsigned.RedactedBecause, skipInputValidation: true);
            else
            {
                w.WriteStartObject();
                w.WriteString("event_id"u8, row.RedactedBy);
                w.WriteEndObject();
            }
        }
        if (unsigned.TransactionId is not null)
            w.WriteString("transaction_id"u8, unsigned.TransactionId);
        if (unsigned.Relations is not null)
        {
            w.WritePropertyName("m.relations"u8);
            unsigned.Relations.WriteTo(w);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Copies <paramref name="value"/> of <paramref name="json"/> under <paramref name="name"/>; nothing when it is absent.</summary>
    private static void WriteRaw(Utf8JsonWriter w, ReadOnlySpan<byte> name, ReadOnlySpan<byte> json, PduFields.Slice value)
    {
        if (value.Length == 0)
            return;
        w.WritePropertyName(name);
        var bytes = value.Of(json);
        if (!bytes.Contains((byte)'\\'))
        {
            w.WriteRawValue(bytes, skipInputValidation: true);
            return;
        }
        // Stored events escape every non-ASCII character; written again, text goes out as UTF-8, as long as before.
        var reader = new Utf8JsonReader(bytes);
        using var document = JsonDocument.ParseValue(ref reader);
        document.RootElement.WriteTo(w);
    }
}
