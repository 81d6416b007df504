using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Http.Auth;

/// <summary>
/// The authenticated user and device behind a request. An application service acting without <c>device_id</c> has
/// no device: <see cref="DeviceId"/> is empty, and what needs a device refuses (<see cref="RequireDevice"/>).
/// </summary>
public sealed record Requester(UserId UserId, string DeviceId, string SessionId, string? AppServiceId = null, bool IsGuest = false)
{
    public bool HasDevice => DeviceId.Length > 0;

    /// <summary>The requester's device, for operations that need one (spec: an application service without a device fails them).</summary>
    public string RequireDevice() => HasDevice ? DeviceId
        : throw MatrixException.MissingParam("This request needs a device: an application service must name one with device_id");
}
