using Homeserver.Core.Configuration;
using Homeserver.Testing;

namespace Homeserver.IntegrationTests.AppServices;

/// <summary>
/// One server per engine with two application services registered through files, as an operator would: a bridge
/// holding <c>@_bridge_*</c> and <c>#_bridge_*</c> exclusively and exempt from rate limits, and a bot with a shared
/// (non-exclusive) namespace, no URL and the default limits. Messages are limited so the exemption shows.
/// </summary>
public sealed class AppServiceFixture : HomeserverFixture
{
    public const string BridgeAsToken = "bridge-as-token-0123456789abcdef";
    public const string BridgeHsToken = "bridge-hs-token-0123456789abcdef";
    public const string BotAsToken = "bot-as-token-0123456789abcdef";

    public static string BridgeSender => $"@bridgebot:{TestHomeserver.ServerName}";

    protected override async Task<TestHomeserver> StartAsync(string engine)
    {
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        await File.WriteAllTextAsync(Path.Combine(options.DataDir, "bridge.yaml"), $"""
            id: bridge
            url: null
            as_token: {BridgeAsToken}
            hs_token: {BridgeHsToken}
            sender_localpart: bridgebot
            rate_limited: false
            namespaces:
              users:
                - exclusive: true
                  regex: '@_bridge_.*:{TestHomeserver.ServerName.Replace(".", "\\.", StringComparison.Ordinal)}'
              aliases:
                - exclusive: true
                  regex: '#_bridge_.*'
              rooms: []
            """);
        await File.WriteAllTextAsync(Path.Combine(options.DataDir, "bot.yaml"), $"""
            id: bot
            url: null
            as_token: {BotAsToken}
            hs_token: bot-hs-token-0123456789abcdef
            sender_localpart: botbot
            namespaces:
              users:
                - exclusive: false
                  regex: '@bot_.*'
            """);
        options.AppServiceConfigFiles = ["bridge.yaml", "bot.yaml"];
        options.RateLimits = new RateLimitsOptions
        {
            Enabled = true,
            Message = new RateLimitOptions { PerSecond = 0.1, BurstCount = 3 },
            Registration = new RateLimitOptions { PerSecond = 1000, BurstCount = 1000 },
            Login = new RateLimitOptions { PerSecond = 1000, BurstCount = 1000 },
            RoomCreation = new RateLimitOptions { PerSecond = 1000, BurstCount = 1000 },
            Joins = new RateLimitOptions { PerSecond = 1000, BurstCount = 1000 },
        };
        return await TestHomeserver.StartAsync(options);
    }
}
