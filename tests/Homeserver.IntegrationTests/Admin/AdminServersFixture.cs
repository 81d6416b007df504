using Homeserver.Core.Configuration;
using Homeserver.Testing;

namespace Homeserver.IntegrationTests.Admin;

/// <summary>Servers for the admin API's tests: guests allowed, so a guest's refusal can be seen too.</summary>
public sealed class AdminServersFixture : HomeserverFixture
{
    protected override void Configure(HomeserverOptions options) => options.Registration.AllowGuestAccess = true;
}
