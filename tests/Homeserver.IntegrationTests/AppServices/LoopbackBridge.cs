using Homeserver.Core.Configuration;
using Homeserver.IntegrationTests.Push;
using Homeserver.Testing;

namespace Homeserver.IntegrationTests.AppServices;

/// <summary>
/// A server with one application service registered through a file, whose URL is a loopback test double that plays
/// the bridge (it answers 200 <c>{}</c> until a test says otherwise), and a client holding the service's as_token.
/// </summary>
public sealed record LoopbackBridge(TestHomeserver Hs, HomeserverOptions Options, FakePushEndpoint Double, HttpClient AsClient) : IAsyncDisposable
{
    /// <param name="registration">The registration's keys besides <c>url</c> and <c>hs_token</c>, as YAML lines.</param>
    public static async Task<LoopbackBridge> StartAsync(string engine, string asToken, string hsToken, string registration)
    {
        var @double = await FakePushEndpoint.StartAsync();
        @double.Answer = () => (200, "{}");
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        await File.WriteAllTextAsync(Path.Combine(options.DataDir, "bridge.yaml"),
            $"url: http://127.0.0.1:{@double.Port}\nas_token: {asToken}\nhs_token: {hsToken}\n{registration}");
        options.AppServiceConfigFiles = ["bridge.yaml"];
        var hs = await TestHomeserver.StartAsync(options);
        return new LoopbackBridge(hs, options, @double, hs.NewClient(asToken));
    }

    public async ValueTask DisposeAsync()
    {
        await Hs.DisposeAsync();
        await Double.DisposeAsync();
    }
}
