using System.Text.Json.Nodes;
using Homeserver.Core.Accounts;
using Homeserver.Core.Identifiers;
using Microsoft.AspNetCore.Http;

namespace ClientApi.Admin;

/// <summary>The whois answer, shared by the client API's <c>/admin/whois</c> and Synapse's <c>/_synapse/admin/v1/whois</c>.</summary>
internal static class Whois
{
    public static IResult Answer(UserId target, IReadOnlyList<DeviceRecord> devices)
    {
        // This server keeps one session per device and its latest connection, so each device has one session
        // with at most one connection.
        var byDevice = new JsonObject();
        foreach (var d in devices)
        {
            var connections = new JsonArray();
            if (d.LastSeenTs is { } lastSeen)
                connections.Add(new JsonObject { ["ip"] = d.LastSeenIp, ["last_seen"] = lastSeen, ["user_agent"] = d.LastSeenUserAgent });
            byDevice[d.DeviceId] = new JsonObject { ["sessions"] = new JsonArray(new JsonObject { ["connections"] = connections }) };
        }
        var body = new JsonObject { ["user_id"] = target.ToString(), ["devices"] = byDevice };
        return Results.Text(body.ToJsonString(), "application/json");
    }
}
