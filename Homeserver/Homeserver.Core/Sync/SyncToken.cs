using System.Globalization;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Sync;

/// <summary>
/// A <c>since</c>/<c>next_batch</c> token: the position of each stream the client has seen (timeline events,
/// account data, typing, receipts, presence, to-device messages, device-list changes). Every position but
/// typing lives in the database, so a token stays valid across restarts; the typing position is in memory and
/// restarts at zero, which sync treats as "send typing afresh". A token is never consumed.
/// </summary>
public readonly record struct SyncToken(long Events, long AccountData, long Typing = 0, long Receipts = 0,
    long Presence = 0, long ToDevice = 0, long DeviceLists = 0)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"s{Events}_{AccountData}_{Typing}_{Receipts}_{Presence}_{ToDevice}_{DeviceLists}");

    /// <summary>Accepts the shorter forms earlier versions handed out, with the missing positions at zero.</summary>
    public static SyncToken Parse(string token)
    {
        var parts = token.StartsWith('s') ? token[1..].Split('_') : [];
        var values = new long[7];
        if (parts.Length is < 2 or > 7)
            throw MatrixException.InvalidParam($"Invalid sync token '{token}'");
        for (var i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
                throw MatrixException.InvalidParam($"Invalid sync token '{token}'");
        return new SyncToken(values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
    }
}
