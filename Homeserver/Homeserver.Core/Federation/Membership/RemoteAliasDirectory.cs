using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.Directory;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Federation.Membership;

/// <summary>Asks an alias's own server which room it names (<c>GET /_matrix/federation/v1/query/directory</c>).</summary>
public sealed class RemoteAliasDirectory(FederationClient client, ILogger<RemoteAliasDirectory> log) : IRemoteAliasDirectory
{
    /// <summary>Servers beyond these are of no use to a join, which tries them one by one.</summary>
    private const int MaxServers = 20;

    public async Task<ResolvedAlias?> QueryAsync(RoomAlias alias, CancellationToken ct)
    {
        JsonObject answer;
        try
        {
            answer = await client.SendForJsonAsync(HttpMethod.Get, alias.ServerName,
                "/_matrix/federation/v1/query/directory?room_alias=" + Uri.EscapeDataString(alias.ToString()), null, ct);
        }
        catch (FederationRequestException e) when (e.Status == 404)
        {
            return null;
        }
        catch (HttpRequestException e)
        {
            log.LogInformation("Resolving {Alias} at its server failed: {Reason}", alias, e.Message);
            throw new MatrixException(502, "M_UNKNOWN", $"The server of {alias} could not be asked about it");
        }
        if (!RoomId.TryParse(JsonFields.String(answer, "room_id"), out var roomId))
            throw new MatrixException(502, "M_UNKNOWN", $"The server of {alias} answered without a valid room ID");
        var servers = (answer["servers"] as JsonArray ?? [])
            .Select(s => s is JsonValue v && v.TryGetValue<string>(out var name) ? name : null)
            .OfType<string>().Where(s => s.Length is > 0 and <= 255).Distinct().Take(MaxServers).ToList();
        if (!servers.Contains(alias.ServerName))
            servers.Add(alias.ServerName);
        return new ResolvedAlias(roomId.Value, servers);
    }
}
