using System.Text.Json.Nodes;

namespace Homeserver.Core.Federation.Keys;

/// <summary>The latest key response of a server that carried <paramref name="KeyId"/>, as the server signed it.</summary>
/// <param name="ValidUntilTs">The response's own <c>valid_until_ts</c>.</param>
public sealed record CachedKeyResponse(string KeyId, JsonObject Response, long ValidUntilTs, long FetchedTs);
