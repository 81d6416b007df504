using Homeserver.Core.AccountData;
using Homeserver.Core.Accounts;
using Homeserver.Core.Filters;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Storage;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Storage;

/// <summary>The stores on both engines, through the services the running server uses.</summary>
public sealed class AccountStoreTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task UserStore_InsertIsFirstWriterWins(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var db = hs.Services.GetRequiredService<Database>();
        var users = hs.Services.GetRequiredService<UserStore>();
        var id = $"@store{Guid.NewGuid():N}:{TestHomeserver.ServerName}";
        var first = new UserRecord { UserId = id, Localpart = id[1..id.IndexOf(':')], PasswordHash = "h1", CreatedTs = 1, Displayname = "First" };
        var second = new UserRecord { UserId = id, Localpart = first.Localpart, PasswordHash = "h2", CreatedTs = 2, IsAdmin = true };
        Assert.True(await db.WriteAsync((c, tx) => UserStore.InsertAsync(c, tx, first, default), default));
        Assert.False(await db.WriteAsync((c, tx) => UserStore.InsertAsync(c, tx, second, default), default));
        var stored = await users.GetAsync(id, default);
        Assert.NotNull(stored);
        Assert.Equal("h1", stored.PasswordHash);
        Assert.False(stored.IsAdmin);
        Assert.False(stored.IsDeactivated);
        Assert.Equal("First", stored.Displayname);

        await db.WriteAsync((c, tx) => UserStore.TouchLastActiveAsync(c, tx, id, 500, default), default);
        await db.WriteAsync((c, tx) => UserStore.TouchLastActiveAsync(c, tx, id, 400, default), default);
        Assert.Equal(500, (await users.GetAsync(id, default))!.LastActiveTs);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AccountDataStore_PositionsIncreaseAndContentIsReplaced(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var store = hs.Services.GetRequiredService<AccountDataStore>();
        var user = "@ad" + Guid.NewGuid().ToString("N") + ":x";
        var p1 = await store.PutAsync(user, null, "m.test", "{\"v\":1}", default);
        var p2 = await store.PutAsync(user, "!room:x", "m.test", "{\"v\":2}", default);
        var p3 = await store.PutAsync(user, null, "m.test", "{\"v\":3}", default);
        Assert.True(p1 < p2 && p2 < p3);
        Assert.Equal("{\"v\":3}", await store.GetAsync(user, null, "m.test", default));
        Assert.Equal("{\"v\":2}", await store.GetAsync(user, "!room:x", "m.test", default));
        Assert.Null(await store.GetAsync(user, "!other:x", "m.test", default));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task FilterStore_NumbersFiltersPerUser(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var store = hs.Services.GetRequiredService<FilterStore>();
        var a = "@fa" + Guid.NewGuid().ToString("N") + ":x";
        var b = "@fb" + Guid.NewGuid().ToString("N") + ":x";
        Assert.Equal(0, await store.AddAsync(a, "{\"n\":0}", default));
        Assert.Equal(1, await store.AddAsync(a, "{\"n\":1}", default));
        Assert.Equal(0, await store.AddAsync(b, "{\"n\":2}", default));
        Assert.Equal("{\"n\":1}", await store.GetAsync(a, 1, default));
        Assert.Null(await store.GetAsync(b, 1, default));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Sessions_DeleteDevice_RemovesItsSessions(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var user = await hs.RegisterAsync();
        var second = await hs.LoginAsync(user);
        var sessions = hs.Services.GetRequiredService<SessionService>();
        var devices = hs.Services.GetRequiredService<DeviceStore>();
        Assert.Equal(2, (await devices.ListAsync(user.UserId, default)).Count);
        await sessions.DeleteAllDevicesAsync(UserId.Parse(user.UserId), keepDeviceId: second.DeviceId, default);
        var left = await devices.ListAsync(user.UserId, default);
        Assert.Equal(second.DeviceId, Assert.Single(left).DeviceId);
    }
}
