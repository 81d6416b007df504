using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;

namespace Federation.Events;

/// <summary>The transaction shape <c>/event</c> and <c>/backfill</c> answer in: this server as origin, the time now, the PDUs.</summary>
internal static class FederationTransaction
{
    public static object Of(ServerIdentity server, TimeProvider time, IReadOnlyList<JsonObject> pdus) => new
    {
        origin = server.ServerName,
        origin_server_ts = time.GetUtcNow().ToUnixTimeMilliseconds(),
        pdus,
    };
}
