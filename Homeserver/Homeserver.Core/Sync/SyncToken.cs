using System.Globalization;
using Homeserver.Core.Errors;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Sync;

/// <summary>
/// A <c>since</c>/<c>next_batch</c> token: a map from each stream sync serves to the position the client has seen.
/// It is written as <c>s</c> and the positions in <see cref="Streams"/> order joined by <c>_</c>; a stream added
/// later goes at the end, so tokens handed out earlier (shorter) still parse, with the missing positions at zero.
/// Every position but typing lives in the database, so a token stays valid across restarts; the typing position
/// is in memory and restarts at zero, which sync treats as "send typing afresh". A token is never consumed.
/// </summary>
public readonly struct SyncToken : IEquatable<SyncToken>
{
    /// <summary>The streams a token holds, in the order it is written.</summary>
    public static readonly IReadOnlyList<string> Streams =
    [
        StreamNames.Events, StreamNames.AccountData, StreamNames.Typing, StreamNames.Receipts, StreamNames.Presence,
        StreamNames.ToDevice, StreamNames.DeviceLists,
    ];

    // The oldest tokens held events and account data only.
    private const int OldestLength = 2;

    private readonly long[]? _positions;

    private SyncToken(long[] positions) => _positions = positions;

    public SyncToken(long events, long accountData, long typing = 0, long receipts = 0, long presence = 0, long toDevice = 0, long deviceLists = 0)
        : this([events, accountData, typing, receipts, presence, toDevice, deviceLists])
    {
    }

    /// <summary>A token at the given positions; a stream missing from the map is at zero.</summary>
    public static SyncToken From(IReadOnlyDictionary<string, long> positions) =>
        new(Streams.Select(s => positions.GetValueOrDefault(s)).ToArray());

    /// <summary>The position of a stream the token holds.</summary>
    public long this[string stream]
    {
        get
        {
            var i = IndexOf(stream);
            return _positions is null ? 0 : _positions[i];
        }
    }

    /// <summary>This token with one stream moved.</summary>
    public SyncToken With(string stream, long position)
    {
        var copy = _positions?.ToArray() ?? new long[Streams.Count];
        copy[IndexOf(stream)] = position;
        return new SyncToken(copy);
    }

    public long Events => this[StreamNames.Events];
    public long AccountData => this[StreamNames.AccountData];
    public long Typing => this[StreamNames.Typing];
    public long Receipts => this[StreamNames.Receipts];
    public long Presence => this[StreamNames.Presence];
    public long ToDevice => this[StreamNames.ToDevice];
    public long DeviceLists => this[StreamNames.DeviceLists];

    /// <summary>Whether every stream of this token is at or before the other's: nothing this token saw is news to the other.</summary>
    public bool IsAtOrBefore(SyncToken other)
    {
        foreach (var s in Streams)
            if (this[s] > other[s])
                return false;
        return true;
    }

    private static int IndexOf(string stream)
    {
        for (var i = 0; i < Streams.Count; i++)
            if (Streams[i] == stream)
                return i;
        throw new ArgumentException($"Sync tokens do not hold the '{stream}' stream", nameof(stream));
    }

    public override string ToString()
    {
        var positions = _positions ?? new long[Streams.Count];
        return "s" + string.Join('_', positions.Select(p => p.ToString(CultureInfo.InvariantCulture)));
    }

    public static SyncToken Parse(string token)
    {
        var parts = token.StartsWith('s') ? token[1..].Split('_') : [];
        var values = new long[Streams.Count];
        if (parts.Length < OldestLength || parts.Length > Streams.Count)
            throw MatrixException.InvalidParam($"Invalid sync token '{token}'");
        for (var i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
                throw MatrixException.InvalidParam($"Invalid sync token '{token}'");
        return new SyncToken(values);
    }

    public bool Equals(SyncToken other)
    {
        foreach (var s in Streams)
            if (this[s] != other[s])
                return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is SyncToken t && Equals(t);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var s in Streams)
            hash.Add(this[s]);
        return hash.ToHashCode();
    }

    public static bool operator ==(SyncToken a, SyncToken b) => a.Equals(b);
    public static bool operator !=(SyncToken a, SyncToken b) => !a.Equals(b);
}
