using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Rooms.Directory;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Federation.Directory;

/// <summary>Asks another server for its public rooms (<c>/_matrix/federation/v1/publicRooms</c>), as Synapse does for <c>server=</c>.</summary>
public sealed class RemotePublicRooms(FederationClient client, ILogger<RemotePublicRooms> log) : IRemotePublicRooms
{
    private const string Path = "/_matrix/federation/v1/publicRooms";

    public async Task<JsonObject> ListAsync(string serverName, PublicRoomsRequest request, CancellationToken ct)
    {
        JsonObject answer;
        try
        {
            answer = request.Filter is null
                ? await client.SendForJsonAsync(HttpMethod.Get, serverName, Path + request.ToQueryString(), null, ct)
                : await client.SendForJsonAsync(HttpMethod.Post, serverName, Path, request.ToJson(), ct);
        }
        catch (FederationRequestException e) when (e.Refusal() is { } refusal)
        {
            throw refusal;
        }
        catch (HttpRequestException e)
        {
            log.LogInformation("Asking {Server} for its public rooms failed: {Reason}", serverName, e.Message);
            throw new MatrixException(502, "M_UNKNOWN", $"{serverName} could not be asked for its room directory");
        }
        if (answer["chunk"] is not JsonArray)
            throw new MatrixException(502, "M_UNKNOWN", $"{serverName} answered without a room list");
        return answer;
    }
}
