using System.Globalization;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Sync;

/// <summary>
/// A <c>since</c>/<c>next_batch</c> token: the position of each stream the client has seen (timeline events and
/// account data). Positions live in the database, so a token stays valid across restarts; it is never consumed.
/// </summary>
public readonly record struct SyncToken(long Events, long AccountData)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"s{Events}_{AccountData}");

    public static SyncToken Parse(string token)
    {
        var parts = token.StartsWith('s') ? token[1..].Split('_') : [];
        if (parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var events)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var accountData))
            return new SyncToken(events, accountData);
        throw MatrixException.InvalidParam($"Invalid sync token '{token}'");
    }
}
