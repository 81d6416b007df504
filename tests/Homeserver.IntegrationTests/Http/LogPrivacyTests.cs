using System.Net.Http.Json;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Homeserver.IntegrationTests.Http;

/// <summary>Request logs name the request but never carry its secrets (checklist row 22).</summary>
public sealed class LogPrivacyTests
{
    [Fact]
    public async Task RequestLogs_ContainNoPasswordsOrTokens()
    {
        var logs = new CapturingLoggerProvider();
        var options = await TestHomeserver.CreateOptionsAsync("sqlite");
        options.LogLevel = "Trace";
        await using var hs = await TestHomeserver.StartAsync(options, b => b.Services.AddSingleton<ILoggerProvider>(logs));

        const string password = "p4ssw0rd-that-must-not-leak";
        var user = await hs.RegisterAsync(password: password);
        await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new { type = "m.login.password", user = user.Localpart, password = password + "x" });
        var query = await hs.Client.GetAsync("/_matrix/client/v3/account/whoami?access_token=" + Uri.EscapeDataString(user.AccessToken));
        await query.AssertOkAsync();
        using var c = hs.ClientFor(user);
        await (await c.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();

        var all = string.Join("\n", logs.Lines);
        Assert.Contains("/_matrix/client/v3/account/whoami", all);
        Assert.Contains(user.UserId, all);
        Assert.DoesNotContain(password, all);
        Assert.DoesNotContain(user.AccessToken, all);
        Assert.DoesNotContain(user.AccessToken.Split('.')[2], all);
    }

    [Fact]
    public async Task Activity_UpdatesDeviceLastSeenAndUserLastActive()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite");
        var (user, c) = await hs.RegisterClientAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        c.DefaultRequestHeaders.UserAgent.ParseAdd("ActivityTest/1.0");
        await (await c.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
        var device = await hs.Services.GetRequiredService<Homeserver.Core.Accounts.DeviceStore>().GetAsync(user.UserId, user.DeviceId, default);
        Assert.Equal("ActivityTest/1.0", device!.LastSeenUserAgent);
        Assert.Equal("127.0.0.1", device.LastSeenIp);
        var stored = await hs.Services.GetRequiredService<Homeserver.Core.Accounts.UserStore>().GetAsync(user.UserId, default);
        Assert.True(stored!.LastActiveTs >= before);
    }
}
