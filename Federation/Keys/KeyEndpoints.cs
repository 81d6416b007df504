using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Federation.Keys;
using Homeserver.Core.Json;
using Homeserver.Core.Keys;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Keys;

/// <summary>The key API: our key, and the notary queries. Neither is X-Matrix authenticated: the spec makes keys public.</summary>
public static class KeyEndpoints
{
    public static void MapServerKey(IEndpointRouteBuilder app)
    {
        // GET /_matrix/key/v2/server — our signing key, self-signed as the spec's "Publishing Keys" requires.
        app.MapGet("/_matrix/key/v2/server", OwnKey);
        // The deprecated form naming a key ID, which older servers (and SyTest) still ask; as Synapse, the answer
        // holds all our keys whatever the ID.
        app.MapGet("/_matrix/key/v2/server/{keyId}", OwnKey);
    }

    private static IResult OwnKey(ServerIdentity server, SigningKey key, TimeProvider time) =>
        Results.Text(CanonicalJson.EncodeToString(OwnKeyResponse.Build(server, key, time)), "application/json");

    /// <summary>
    /// The notary endpoints, which fetch from other servers, so only mapped while federation is on, and limited per
    /// address because anyone may ask.
    /// </summary>
    public static void MapQuery(IEndpointRouteBuilder app)
    {
        // GET /_matrix/key/v2/query/{serverName} — one server's keys, signed by it and by us.
        app.MapGet("/_matrix/key/v2/query/{serverName}", async (string serverName, long? minimum_valid_until_ts, KeyQueryService notary, CancellationToken ct) =>
            Answer(await notary.QueryAsync([new KeyQuery(serverName, [], minimum_valid_until_ts)], ct))).RequireRateLimiting(RateLimitPolicies.KeyQuery);

        // The deprecated form naming one key ID, still asked by older servers (and SyTest), as Synapse serves it.
        app.MapGet("/_matrix/key/v2/query/{serverName}/{keyId}", async (string serverName, string keyId, long? minimum_valid_until_ts, KeyQueryService notary, CancellationToken ct) =>
            Answer(await notary.QueryAsync([new KeyQuery(serverName, [keyId], minimum_valid_until_ts)], ct))).RequireRateLimiting(RateLimitPolicies.KeyQuery);

        // POST /_matrix/key/v2/query — several servers' keys: {"server_keys": {server: {keyId: {minimum_valid_until_ts}}}}.
        app.MapPost("/_matrix/key/v2/query", async (HttpContext ctx, KeyQueryService notary, CancellationToken ct) =>
            Answer(await notary.QueryAsync(ReadQueries(await JsonBody.ReadObjectAsync(ctx.Request, ct)), ct))).RequireRateLimiting(RateLimitPolicies.KeyQuery);
    }

    private static IResult Answer(JsonArray keys) =>
        Results.Text(CanonicalJson.EncodeToString(new JsonObject { ["server_keys"] = keys }), "application/json");

    private static List<KeyQuery> ReadQueries(JsonElement body)
    {
        if (!body.TryGetProperty("server_keys", out var servers) || servers.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson("'server_keys' must be an object of server names");
        var queries = new List<KeyQuery>();
        foreach (var s in servers.EnumerateObject())
        {
            if (s.Value.ValueKind != JsonValueKind.Object)
                throw MatrixException.BadJson($"'server_keys.{s.Name}' must be an object of key IDs");
            long? minimum = null;
            var keyIds = new List<string>();
            foreach (var k in s.Value.EnumerateObject())
            {
                keyIds.Add(k.Name);
                if (k.Value.ValueKind != JsonValueKind.Object)
                    throw MatrixException.BadJson($"'server_keys.{s.Name}.{k.Name}' must be an object");
                if (k.Value.TryGetProperty("minimum_valid_until_ts", out var ts))
                    minimum = Math.Max(minimum ?? long.MinValue, ts.ValueKind == JsonValueKind.Number && ts.TryGetInt64(out var v) ? v
                        : throw MatrixException.BadJson($"'server_keys.{s.Name}.{k.Name}.minimum_valid_until_ts' must be an integer"));
            }
            queries.Add(new KeyQuery(s.Name, keyIds, minimum));
        }
        return queries;
    }
}
