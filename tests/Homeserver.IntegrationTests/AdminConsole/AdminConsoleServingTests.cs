using System.Net;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Media.MediaUploadTests;

namespace Homeserver.IntegrationTests.AdminConsole;

/// <summary>
/// Who is shown the console's files, with which headers, and the admin calls of ours the console adds (the
/// effective configuration, secrets masked, and the dashboard's figures).
/// </summary>
public sealed class AdminConsoleServingTests
{
    [Fact]
    public async Task TheConsole_IsServedToAllowedNetworks_WithAPolicyThatRunsOnlyItsOwnFiles()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite");

        var index = await hs.Client.GetAsync("/_admin/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        Assert.Contains("console.js", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var policy = string.Join(";", index.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(index.Headers.GetValues("X-Frame-Options")));

        var script = await hs.Client.GetAsync("/_admin/console.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Redirect, (await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = hs.BaseAddress }.GetAsync("/_admin")).StatusCode);

        // Only the console's own files: no other embedded resource or path is reachable through it.
        await (await hs.Client.GetAsync("/_admin/index.html.bak")).AssertErrorAsync(HttpStatusCode.NotFound, "M_UNRECOGNIZED");
        await (await hs.Client.GetAsync("/_admin/..%2Fsigning.key")).AssertErrorAsync(HttpStatusCode.NotFound, "M_UNRECOGNIZED");
    }

    [Fact]
    public async Task FromANetworkNotAllowed_TheConsoleLooksLikeNothing_AndDisabledItIsGone()
    {
        await using var elsewhere = await TestHomeserver.StartAsync("sqlite", o => o.AdminConsole.AllowedNetworks = ["10.0.0.0/8"]);
        await (await elsewhere.Client.GetAsync("/_admin/")).AssertErrorAsync(HttpStatusCode.NotFound, "M_UNRECOGNIZED");
        await (await elsewhere.Client.GetAsync("/_admin/console.js")).AssertErrorAsync(HttpStatusCode.NotFound, "M_UNRECOGNIZED");

        await using var off = await TestHomeserver.StartAsync("sqlite", o => o.AdminConsole.Enabled = false);
        await (await off.Client.GetAsync("/_admin/")).AssertErrorAsync(HttpStatusCode.NotFound, "M_UNRECOGNIZED");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TheEffectiveConfig_IsForAdminsOnly_WithEverySecretMasked(string engine)
    {
        const string sharedSecret = "a registration secret nobody may read";
        await using var hs = await TestHomeserver.StartAsync(engine, o => o.Registration.SharedSecret = sharedSecret);
        var (_, user) = await hs.RegisterClientAsync();
        var (_, admin) = await hs.RegisterAdminAsync();

        await (await user.GetAsync("/_homeserver/admin/v1/config")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await hs.Client.GetAsync("/_homeserver/admin/v1/config")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");

        var res = await admin.GetAsync("/_homeserver/admin/v1/config");
        var text = await res.Content.ReadAsStringAsync();
        var config = await res.AssertOkAsync();
        Assert.Equal(TestHomeserver.ServerName, config.GetProperty("server_name").GetString());
        Assert.Equal("***", config.GetProperty("registration").GetProperty("shared_secret").GetString());
        Assert.DoesNotContain(sharedSecret, text, StringComparison.Ordinal);
        if (engine == "postgres")
        {
            Assert.Equal("***", config.GetProperty("database").GetProperty("connection_string").GetString());
            Assert.DoesNotContain(hs.Options.Database.ConnectionString!, text, StringComparison.Ordinal);
        }
        Assert.True(config.GetProperty("admin_console").GetProperty("enabled").GetBoolean());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TheDashboard_IsForAdminsOnly_AndCountsWhatTheServerJustDid(string engine)
    {
        await using var hs = await TestHomeserver.StartAsync(engine);
        var (_, user) = await hs.RegisterClientAsync();
        var (_, admin) = await hs.RegisterAdminAsync();
        await (await user.GetAsync("/_homeserver/admin/v1/dashboard")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await hs.Client.GetAsync("/_homeserver/admin/v1/dashboard")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");

        var room = await user.CreateRoomAsync(new { });
        await UploadAsync(user, new byte[5000], "application/pdf", "report.pdf");
        var before = await (await admin.GetAsync("/_homeserver/admin/v1/dashboard")).AssertOkAsync();
        for (var i = 0; i < 3; i++)
            await user.SendTextAsync(room, $"counted {i}");
        var after = await (await admin.GetAsync("/_homeserver/admin/v1/dashboard")).AssertOkAsync();

        Assert.Equal(before.GetProperty("events_last_hour").GetInt64() + 3, after.GetProperty("events_last_hour").GetInt64());
        Assert.True(after.GetProperty("events_last_minute").GetInt64() >= 3);
        Assert.True(after.GetProperty("users").GetInt64() >= 2);
        Assert.True(after.GetProperty("rooms").GetInt64() >= 1);
        Assert.True(after.GetProperty("requests_per_second").GetDouble() > 0);
        var latency = after.GetProperty("request_latency_ms");
        var (p50, p90, p99) = (latency.GetProperty("p50").GetDouble(), latency.GetProperty("p90").GetDouble(), latency.GetProperty("p99").GetDouble());
        Assert.True(p50 > 0 && p50 <= p90 && p90 <= p99, $"{p50} {p90} {p99}");
        Assert.Equal(engine, after.GetProperty("database").GetProperty("engine").GetString());
        Assert.True(after.GetProperty("database").GetProperty("size_bytes").GetInt64() > 0);
        Assert.True(after.GetProperty("media").GetProperty("local_bytes").GetInt64() >= 5000);
        Assert.Equal(0, after.GetProperty("media").GetProperty("remote_cache_bytes").GetInt64());
        var federation = after.GetProperty("federation");
        Assert.Equal(0, federation.GetProperty("destinations").GetInt64());
        Assert.Equal(0, federation.GetProperty("backing_off").GetInt64());
    }
}
