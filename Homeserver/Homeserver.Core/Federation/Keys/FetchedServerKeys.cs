using System.Text.Json.Nodes;

namespace Homeserver.Core.Federation.Keys;

/// <summary>A server's keys as read from its key response, and that response as the server signed it.</summary>
public sealed record FetchedServerKeys(JsonObject Response, IReadOnlyList<ServerKey> Keys)
{
    /// <summary>The response's own <c>valid_until_ts</c>, which notary queries are compared against.</summary>
    public long ValidUntilTs => Response["valid_until_ts"]!.GetValue<long>();
}
