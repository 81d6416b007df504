using System.Text.Json.Nodes;
using Homeserver.Core.Accounts;
using Homeserver.Core.Errors;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Identifiers;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Federation.Profiles;

/// <summary>Asks a user's server for their profile (<c>GET /_matrix/federation/v1/query/profile</c>).</summary>
public sealed class RemoteProfiles(FederationClient client, ILogger<RemoteProfiles> log) : IRemoteProfiles
{
    public async Task<IReadOnlyDictionary<string, string>> QueryAsync(UserId userId, string? field, CancellationToken ct)
    {
        var path = "/_matrix/federation/v1/query/profile?user_id=" + Uri.EscapeDataString(userId.ToString())
            + (field is null ? "" : "&field=" + Uri.EscapeDataString(field));
        JsonObject answer;
        try
        {
            answer = await client.SendForJsonAsync(HttpMethod.Get, userId.ServerName, path, null, ct);
        }
        catch (FederationRequestException e) when (e.Status == 404)
        {
            throw MatrixException.NotFound(ProfileService.NotFound);
        }
        catch (FederationRequestException e) when (e.Refusal() is { } refusal)
        {
            throw refusal;
        }
        catch (HttpRequestException e)
        {
            log.LogInformation("Asking {Server} for the profile of {User} failed: {Reason}", userId.ServerName, userId, e.Message);
            throw new MatrixException(502, "M_UNKNOWN", $"{userId.ServerName} could not be asked for the profile");
        }
        // Only string values are a profile's: anything else another server sends is not handed on to clients.
        return answer
            .Where(p => (field is null || p.Key == field) && p.Value is JsonValue v && v.TryGetValue<string>(out _))
            .ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
    }
}
