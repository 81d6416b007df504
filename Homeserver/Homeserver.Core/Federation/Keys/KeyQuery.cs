namespace Homeserver.Core.Federation.Keys;

/// <summary>One server asked about in a notary query: the key IDs wanted (none: any) and how long they must stay valid.</summary>
/// <param name="MinimumValidUntilTs">The latest <c>minimum_valid_until_ts</c> given for the server; null means now.</param>
public sealed record KeyQuery(string ServerName, IReadOnlyCollection<string> KeyIds, long? MinimumValidUntilTs);
