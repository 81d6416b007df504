using System.Net;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Microsoft.Playwright;
using Xunit;

namespace Homeserver.IntegrationTests.AdminConsole;

/// <summary>
/// The web console in a real browser, as an admin uses it: sign in through the form, create a user and deactivate
/// them, delete a room, and see another server that stopped answering as backing off. Every step is checked twice:
/// on the page, and through the admin API, so a page that only looks right does not pass.
/// </summary>
public sealed class AdminConsoleBrowserTests(ChromiumBrowser chromium) : IClassFixture<ChromiumBrowser>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AnAdmin_SignsIn_CreatesAndDeactivatesAUser_DeletesARoom_AndSeesAnUnreachableServer()
    {
        await using var network = await FederationNetwork.StartAsync("sqlite", 2);
        var (a, b) = (network[0], network[1]);
        var (adminUser, adminApi) = await a.InProcess.RegisterAdminAsync();

        // A room shared with b, then b goes away while a still has news for it.
        var (_, alice) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var shared = await alice.CreateRoomAsync(new { preset = "public_chat" });
        await (await bobClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(shared)}?via={Uri.EscapeDataString(a.ServerName)}", null)).AssertOkAsync();
        await alice.WaitForMembershipAsync(shared, bob.UserId, "join");
        await b.StopAsync();
        await alice.SendTextAsync(shared, "while b is away");
        var doomed = await alice.CreateRoomAsync(new { name = "Doomed room" });

        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        var console = new Uri(a.InProcess.BaseAddress, "/_admin/").ToString();

        await page.GotoAsync(console);
        await page.GetByLabel("User", new() { Exact = true }).FillAsync(adminUser.Localpart);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(adminUser.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#card-users .value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-9][0-9]*$"));

        // Create a user through the users page.
        var localpart = "console" + Guid.NewGuid().ToString("N")[..8];
        var userId = $"@{localpart}:{a.ServerName}";
        await page.GotoAsync(console + "#/users");
        await page.GetByLabel("User name", new() { Exact = true }).FillAsync(localpart);
        await page.Locator("input[name=password]").FillAsync("a long console password");
        await page.GetByLabel("Display name", new() { Exact = true }).FillAsync("Made in the console");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(page.Locator($"tr[data-user='{userId}']")).ToBeVisibleAsync();
        var created = await (await adminApi.GetAsync($"/_synapse/admin/v2/users/{Uri.EscapeDataString(userId)}")).AssertOkAsync();
        Assert.Equal("Made in the console", created.GetProperty("displayname").GetString());
        Assert.False(created.GetProperty("deactivated").GetBoolean());

        // Deactivate them from their page.
        await page.Locator($"tr[data-user='{userId}'] a").ClickAsync();
        await page.Locator("#deactivate").ClickAsync();
        await Assertions.Expect(page.GetByText("This account is deactivated.")).ToBeVisibleAsync();
        var deactivated = await (await adminApi.GetAsync($"/_synapse/admin/v2/users/{Uri.EscapeDataString(userId)}")).AssertOkAsync();
        Assert.True(deactivated.GetProperty("deactivated").GetBoolean());

        // Delete a room, following the deletion to its end.
        await page.GotoAsync(console + "#/room?id=" + Uri.EscapeDataString(doomed));
        await page.Locator("#delete-room").ClickAsync();
        await Assertions.Expect(page.Locator("#delete-progress")).ToContainTextAsync("Deletion complete");
        await (await adminApi.GetAsync($"/_synapse/admin/v1/rooms/{Uri.EscapeDataString(doomed)}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");

        // The server that went away is listed as backing off, and can be retried from the page.
        await page.GotoAsync(console + "#/federation");
        var row = page.Locator($"tr[data-destination='{b.ServerName}']");
        await Assertions.Expect(row).ToContainTextAsync("backing off");
        var listed = await (await adminApi.GetAsync($"/_synapse/admin/v1/federation/destinations/{Uri.EscapeDataString(b.ServerName)}")).AssertOkAsync();
        Assert.True(listed.GetProperty("retry_interval").GetInt64() > 0);
        await row.GetByRole(AriaRole.Button, new() { Name = "Retry now" }).ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync($"Retrying {b.ServerName}");

        // The dashboard's live figures, and their refresh while the page stays open: messages sent now show up in
        // the events of the last minute and hour without reloading.
        await page.GotoAsync(console + "#/");
        var eventsLastHour = page.Locator("#card-events-hour .value");
        await Assertions.Expect(eventsLastHour).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-9][0-9]*$"));
        await Assertions.Expect(page.Locator("#card-request-rate .value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(?!0\\.00$)[0-9]+\\.[0-9]{2}$"));
        await Assertions.Expect(page.Locator("#card-latency .value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9.]+ ms / [0-9.]+ ms / [0-9.]+ ms$"));
        await Assertions.Expect(page.Locator("#card-database .value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-9][0-9.]* (KiB|MiB)$"));
        await Assertions.Expect(page.Locator("#card-destinations .value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-9][0-9]*$"));
        var before = int.Parse(await eventsLastHour.TextContentAsync() ?? "", System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < 3; i++)
            await alice.SendTextAsync(shared, $"seen on the dashboard {i}");
        await page.WaitForFunctionAsync($"() => Number(document.querySelector('#card-events-hour .value').textContent) >= {before + 3}"
            + " && Number(document.querySelector('#card-events-minute .value').textContent) >= 3");
    }

    [Fact]
    public async Task AUserWhoIsNotAnAdmin_IsToldSo_AndKeepsNoSession()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite");
        var user = await hs.RegisterAsync();
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)Patience.TotalMilliseconds);

        await page.GotoAsync(new Uri(hs.BaseAddress, "/_admin/").ToString());
        await page.GetByLabel("User", new() { Exact = true }).FillAsync(user.Localpart);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(user.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("not a server admin");
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('homeserver.console.token')"));
        await Assertions.Expect(page.Locator("#nav")).ToBeHiddenAsync();
        // The console's login logged itself out again: the user has only the device they registered with.
        var devices = await (await hs.ClientFor(user).GetAsync("/_matrix/client/v3/devices")).AssertOkAsync();
        Assert.Single(devices.GetProperty("devices").EnumerateArray());
    }
}
