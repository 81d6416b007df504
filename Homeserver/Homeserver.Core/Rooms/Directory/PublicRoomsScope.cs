using Homeserver.Core.Errors;

namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// Which room list <c>/publicRooms</c> reads: the server's own directory, one application service's network
/// (<c>third_party_instance_id</c>, <c>SERVICE_ID|NETWORK_ID</c>), or both together (<c>include_all_networks</c>).
/// As in Synapse, the plain directory leaves the networks' rooms out.
/// </summary>
public sealed record PublicRoomsScope(string? AppServiceId, string? NetworkId, bool AllNetworks)
{
    public static PublicRoomsScope Main { get; } = new(null, null, false);

    public bool IsNetwork => AppServiceId is not null;

    public static PublicRoomsScope From(bool includeAllNetworks, string? thirdPartyInstanceId)
    {
        if (thirdPartyInstanceId is null)
            return includeAllNetworks ? new(null, null, true) : Main;
        if (includeAllNetworks)
            throw MatrixException.InvalidParam("include_all_networks cannot be used with third_party_instance_id");
        var bar = thirdPartyInstanceId.IndexOf('|');
        if (bar <= 0 || bar == thirdPartyInstanceId.Length - 1)
            throw MatrixException.InvalidParam("third_party_instance_id must be an instance_id from /thirdparty/protocols");
        return new(thirdPartyInstanceId[..bar], thirdPartyInstanceId[(bar + 1)..], false);
    }
}
