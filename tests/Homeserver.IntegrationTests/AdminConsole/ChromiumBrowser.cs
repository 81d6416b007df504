using Microsoft.Playwright;
using Xunit;

namespace Homeserver.IntegrationTests.AdminConsole;

/// <summary>
/// One headless Chromium for a test class: Debian's build, which the test command installs and names in
/// <c>HOMESERVER_TEST_CHROMIUM</c>, launched by Playwright without a browser download of its own.
/// </summary>
public sealed class ChromiumBrowser : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var path = Environment.GetEnvironmentVariable("HOMESERVER_TEST_CHROMIUM");
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
            throw new InvalidOperationException("HOMESERVER_TEST_CHROMIUM does not name a Chromium executable; run the tests through tests/run.sh, which installs Debian's chromium");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = path, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
