using System.Text.Json;

namespace Homeserver.Core.Rooms.Timeline;

/// <summary>
/// Where the top-level values a client event keeps lie in a PDU's UTF-8 JSON, found in one pass of a reader
/// without building a tree. A key that is absent or JSON <c>null</c> has an empty slice.
/// </summary>
internal readonly record struct PduFields(PduFields.Slice Type, PduFields.Slice Content, PduFields.Slice Sender, PduFields.Slice OriginServerTs,
    PduFields.Slice RoomId, PduFields.Slice StateKey, PduFields.Slice Redacts)
{
    /// <summary>A value's bytes, from <see cref="Start"/> up to <see cref="End"/>.</summary>
    public readonly record struct Slice(int Start, int End)
    {
        public int Length => End - Start;

        public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> json) => json[Start..End];
    }

    public static PduFields Find(ReadOnlySpan<byte> pdu)
    {
        Slice type = default, content = default, sender = default, ts = default, roomId = default, stateKey = default, redacts = default;
        var reader = new Utf8JsonReader(pdu);
        Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ref var slot = ref type;
            if (reader.ValueTextEquals("type"u8))
                slot = ref type;
            else if (reader.ValueTextEquals("content"u8))
                slot = ref content;
            else if (reader.ValueTextEquals("sender"u8))
                slot = ref sender;
            else if (reader.ValueTextEquals("origin_server_ts"u8))
                slot = ref ts;
            else if (reader.ValueTextEquals("room_id"u8))
                slot = ref roomId;
            else if (reader.ValueTextEquals("state_key"u8))
                slot = ref stateKey;
            else if (reader.ValueTextEquals("redacts"u8))
                slot = ref redacts;
            else
            {
                reader.Read();
                reader.Skip();
                continue;
            }
            slot = ValueAt(ref reader);
        }
        return new PduFields(type, content, sender, ts, roomId, stateKey, redacts);
    }

    /// <summary>The value of <paramref name="name"/> in the JSON object <paramref name="json"/>; empty when absent, null or not an object.</summary>
    public static Slice Member(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(name))
                return ValueAt(ref reader);
            reader.Read();
            reader.Skip();
        }
        return default;
    }

    /// <summary>Reads the value after the property name the reader is on and returns where it lies (empty for null).</summary>
    private static Slice ValueAt(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
            return default;
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return new Slice(start, (int)reader.BytesConsumed);
    }

    private static void Expect(bool condition)
    {
        if (!condition)
            throw new JsonException("A stored event is not a JSON object");
    }
}
