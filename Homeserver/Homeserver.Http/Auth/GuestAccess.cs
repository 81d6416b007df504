using Homeserver.Core.Accounts.Tokens;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Homeserver.Http.Auth;

/// <summary>
/// Guest accounts may call only the endpoints the spec's guest access module lists (Synapse's <c>allow_guest</c>
/// set). Every authorised endpoint refuses guests with 403 <c>M_GUEST_ACCESS_FORBIDDEN</c> unless it, or its route
/// group, is marked with <see cref="AllowGuests{TBuilder}"/>; an endpoint inside such a group opts out again with
/// <see cref="DenyGuests{TBuilder}"/>. Refusing by default means a new endpoint is closed to guests until someone
/// decides otherwise.
/// </summary>
public static class GuestAccess
{
    public static TBuilder AllowGuests<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new GuestAccessMetadata(true));

    public static TBuilder DenyGuests<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new GuestAccessMetadata(false));

    public static bool IsGuest(this HttpContext context) => context.User.HasClaim(AccessTokenClaims.Guest, "true");

    internal static void ConfigurePolicies(AuthorizationOptions options) =>
        options.DefaultPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new Requirement()).Build();

    /// <summary>The most specific mark wins: an endpoint's own over its group's.</summary>
    private sealed record GuestAccessMetadata(bool Allowed);

    internal sealed class Requirement : IAuthorizationRequirement;

    internal sealed class Handler : AuthorizationHandler<Requirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, Requirement requirement)
        {
            var allowed = !context.User.HasClaim(AccessTokenClaims.Guest, "true")
                || (context.Resource is HttpContext http && http.GetEndpoint()?.Metadata.GetMetadata<GuestAccessMetadata>() is { Allowed: true });
            if (allowed)
                context.Succeed(requirement);
            return Task.CompletedTask;
        }
    }
}
