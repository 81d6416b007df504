using System.Globalization;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Sync;

/// <summary>
/// A <c>since</c>/<c>next_batch</c> token: the position of each stream the client has seen (timeline events,
/// account data, typing). Event and account-data positions live in the database, so a token stays valid across
/// restarts; the typing position is in memory and restarts at zero, which sync treats as "send typing afresh".
/// A token is never consumed.
/// </summary>
public readonly record struct SyncToken(long Events, long AccountData, long Typing = 0)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"s{Events}_{AccountData}_{Typing}");

    public static SyncToken Parse(string token)
    {
        var parts = token.StartsWith('s') ? token[1..].Split('_') : [];
        long typing = 0;
        if (parts.Length is 2 or 3
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var events)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var accountData)
            && (parts.Length == 2 || long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out typing)))
            return new SyncToken(events, accountData, typing);
        throw MatrixException.InvalidParam($"Invalid sync token '{token}'");
    }
}
