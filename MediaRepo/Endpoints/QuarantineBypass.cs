using Homeserver.Core.Accounts;
using Homeserver.Http.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MediaRepo.Endpoints;

/// <summary>
/// <c>admin_unsafely_bypass_quarantine=true</c> on a download or thumbnail: an admin's way to look at quarantined
/// media (the admin UIs show it). Anyone else asking is refused 403 rather than quietly served the 404.
/// </summary>
public static class QuarantineBypass
{
    public static async Task<bool> RequestedAsync(HttpContext ctx, CancellationToken ct)
    {
        if (ctx.Request.Query["admin_unsafely_bypass_quarantine"] != "true")
            return false;
        await ctx.RequestServices.GetRequiredService<AccountService>().EnsureAdminAsync(ctx.GetRequester().UserId, ct);
        return true;
    }
}
