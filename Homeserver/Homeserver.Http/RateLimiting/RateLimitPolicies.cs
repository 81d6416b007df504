using System.Threading.RateLimiting;
using Homeserver.Core.Accounts.Tokens;
using Homeserver.Core.AppServices;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.RateLimiting;
using Homeserver.Http.Errors;
using Homeserver.Http.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;

namespace Homeserver.Http.RateLimiting;

/// <summary>
/// Named token-bucket policies of ASP.NET Core's rate limiter, sized from <c>rate_limits</c> in the config.
/// Rejections answer 429 <c>M_LIMIT_EXCEEDED</c> with <c>retry_after_ms</c> and <c>Retry-After</c>.
/// </summary>
public static class RateLimitPolicies
{
    public const string Login = "login";
    public const string Registration = "registration";
    public const string Refresh = "refresh";
    public const string OpenIdUserInfo = "openid_userinfo";
    public const string KeyQuery = "key_query";
    public const string Message = "message";
    public const string RoomCreation = "room_creation";
    public const string Join = "joins";
    public const string Invite = "invites";
    public const string Report = "reports";
    public const string UrlPreview = "url_preview";
    public const string Presence = "presence";
    public const string Typing = "typing";
    /// <summary>Reads whose answers can be large (pages of events): a cap on how many one account runs at once.</summary>
    public const string HeavyRead = "heavy_read";

    public static IServiceCollection AddMatrixRateLimiting(this IServiceCollection services, RateLimitsOptions options, LimitsOptions limits)
    {
        services.AddSingleton<RegistrationLimiter>();
        services.AddSingleton<RateLimitBuckets>();
        services.AddRateLimiter(r =>
        {
            r.AddPolicy(Login, ctx => ByAddress(ctx, Login, options, options.Login));
            r.AddPolicy(Registration, ctx => ByAddress(ctx, Registration, options, options.Registration));
            r.AddPolicy(Refresh, ctx => ByAddress(ctx, Refresh, options, options.Refresh));
            r.AddPolicy(OpenIdUserInfo, ctx => ByAddress(ctx, OpenIdUserInfo, options, options.OpenidUserinfo));
            r.AddPolicy(KeyQuery, ctx => ByAddress(ctx, KeyQuery, options, options.KeyQuery));
            r.AddPolicy(Message, ctx => ByAccount(ctx, Message, options, options.Message));
            r.AddPolicy(RoomCreation, ctx => ByAccount(ctx, RoomCreation, options, options.RoomCreation));
            r.AddPolicy(Join, ctx => ByAccount(ctx, Join, options, options.Joins));
            r.AddPolicy(Invite, ctx => ByAccount(ctx, Invite, options, options.Invites));
            r.AddPolicy(Report, ctx => ByAccount(ctx, Report, options, options.Reports));
            r.AddPolicy(UrlPreview, ctx => ByAccount(ctx, UrlPreview, options, options.UrlPreview));
            r.AddPolicy(Presence, ctx => ByAccount(ctx, Presence, options, options.Presence));
            r.AddPolicy(Typing, ctx => ByAccount(ctx, Typing, options, options.Typing));
            // Not a rate but a bound on memory, so it holds when the token buckets are turned off.
            r.AddPolicy(HeavyRead, ctx => RateLimitPartition.GetConcurrencyLimiter(AccountOrAddress(ctx),
                _ => new ConcurrencyLimiterOptions { PermitLimit = limits.MaxConcurrentHeavyReads, QueueLimit = 0 }));
            r.OnRejected = async (ctx, ct) =>
            {
                var policy = ctx.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
                var refused = new RateLimitedException(TokenBuckets.RetryAfterMs(ctx.Lease), ConfigKey(policy));
                ctx.HttpContext.RequestServices.GetRequiredService<RefusalLog>().Refused(ctx.HttpContext, refused);
                await MatrixErrorWriter.WriteAsync(ctx.HttpContext, refused);
            };
        });
        return services;
    }

    /// <summary>The config key of a policy's limit: the policies are named after the keys under <c>rate_limits</c>.</summary>
    private static string ConfigKey(string? policy) =>
        policy == HeavyRead ? "limits.max_concurrent_heavy_reads" : $"rate_limits.{policy}";

    /// <summary>
    /// Per account (the address for unauthenticated requests, which these endpoints refuse anyway), at the account's own
    /// rate when an admin set one (<see cref="RateLimitOverrides"/>), which replaces every per-account limit as in Synapse.
    /// </summary>
    private static RateLimitPartition<string> ByAccount(HttpContext ctx, string policy, RateLimitsOptions all, RateLimitOptions limit)
    {
        if (IsUnlimitedAppService(ctx))
            return RateLimitPartition.GetNoLimiter("");
        var key = AccountOrAddress(ctx);
        if (ctx.User.FindFirst(AccessTokenClaims.UserId)?.Value is { } user
            && ctx.RequestServices.GetRequiredService<RateLimitOverrides>().Get(user) is { } own)
            return own.Unlimited
                ? RateLimitPartition.GetNoLimiter("")
                : Buckets(ctx).Partition(policy, $"{key}|{own.MessagesPerSecond}/{own.BurstCount}", all,
                    new RateLimitOptions { PerSecond = own.MessagesPerSecond, BurstCount = (int)Math.Max(1, Math.Min(own.BurstCount, int.MaxValue)) });
        return Buckets(ctx).Partition(policy, key, all, limit);
    }

    private static RateLimitBuckets Buckets(HttpContext ctx) => ctx.RequestServices.GetRequiredService<RateLimitBuckets>();

    /// <summary>An application service registered with <c>rate_limited: false</c> (a bridge relaying a whole network) is not limited.</summary>
    private static bool IsUnlimitedAppService(HttpContext ctx) =>
        ctx.User.FindFirst(AccessTokenClaims.AppServiceId)?.Value is { } id
        && ctx.RequestServices.GetRequiredService<AppServiceRegistry>().FindById(id) is { RateLimited: false };

    private static string AccountOrAddress(HttpContext ctx) => ctx.User.FindFirst(AccessTokenClaims.UserId)?.Value ?? Address(ctx);

    private static RateLimitPartition<string> ByAddress(HttpContext ctx, string policy, RateLimitsOptions all, RateLimitOptions limit) =>
        IsUnlimitedAppService(ctx) ? RateLimitPartition.GetNoLimiter("") : Buckets(ctx).Partition(policy, Address(ctx), all, limit);

    internal static string Address(HttpContext ctx) => ClientAddressKey.Of(ctx);
}
