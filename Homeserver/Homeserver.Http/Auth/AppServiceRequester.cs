using System.Security.Claims;
using Homeserver.Core.Accounts;
using Homeserver.Core.Accounts.Tokens;
using Homeserver.Core.AppServices;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;

namespace Homeserver.Http.Auth;

/// <summary>
/// A request made with an application service's <c>as_token</c> (spec "Identity assertion"): it acts as the user
/// named by <c>user_id</c>, which the service's user namespaces must cover, else as the service's sender; and as the
/// device named by <c>device_id</c>, which must be that user's, else as no device at all.
/// </summary>
public sealed class AppServiceRequester(AppServiceRegistry registry, UserStore users, DeviceStore devices)
{
    /// <summary>The service this token belongs to, if it is an <c>as_token</c>.</summary>
    public AppServiceRegistration? Find(string token) => registry.FindByAsToken(token);

    /// <exception cref="MatrixException">The service may not act as that user or device.</exception>
    public async Task<ClaimsPrincipal> AuthenticateAsync(AppServiceRegistration service, HttpRequest request, CancellationToken ct)
    {
        var user = registry.SenderOf(service);
        if (request.Query.TryGetValue("user_id", out var named) && named.ToString() is { Length: > 0 } text)
        {
            if (!UserId.TryParse(text, out var parsed))
                throw MatrixException.InvalidParam($"user_id '{text}' is not a valid user ID");
            if (!registry.MayActAs(service, parsed.Value))
                throw MatrixException.Forbidden($"The application service {service.Id} cannot masquerade as {parsed}: it is outside its namespaces");
            user = parsed.Value;
        }
        if (!await users.ExistsAsync(user.ToString(), ct))
            throw MatrixException.Forbidden($"The application service {service.Id} has not registered {user}");
        var device = "";
        if (request.Query.TryGetValue("device_id", out var deviceParam) && deviceParam.ToString() is { Length: > 0 } deviceId)
        {
            if (await devices.GetAsync(user.ToString(), deviceId, ct) is null)
                throw new MatrixException(400, ErrorCodes.UnknownDevice, $"Device {deviceId} does not belong to {user}");
            device = deviceId;
        }
        return new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(AccessTokenClaims.UserId, user.ToString()),
            new Claim(AccessTokenClaims.DeviceId, device),
            // Per user and device, so activity is throttled per virtual user rather than per service.
            new Claim(AccessTokenClaims.SessionId, $"as:{service.Id}:{user}:{device}"),
            new Claim(AccessTokenClaims.AppServiceId, service.Id),
        ], JwtBearerDefaults.AuthenticationScheme, AccessTokenClaims.UserId, roleType: null));
    }
}
