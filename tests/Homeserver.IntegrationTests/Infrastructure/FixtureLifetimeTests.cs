using Xunit;

namespace Homeserver.IntegrationTests;

/// <summary>
/// xunit 2 ends fixtures and test classes through <see cref="IAsyncLifetime"/> or <see cref="IDisposable"/> only. One that
/// is merely <see cref="IAsyncDisposable"/> is never ended: its servers ran to the end of the run, and a hundred of them
/// idling at once made the run several times slower.
/// </summary>
public sealed class FixtureLifetimeTests
{
    [Fact]
    public void EveryFixtureAndTestClassThatHoldsResources_IsEndedByXunit()
    {
        var types = typeof(FixtureLifetimeTests).Assembly.GetTypes();
        var fixtures = types
            .SelectMany(t => t.GetInterfaces())
            .Where(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IClassFixture<>) || i.GetGenericTypeDefinition() == typeof(ICollectionFixture<>)))
            .Select(i => i.GetGenericArguments()[0]);
        var testClasses = types.Where(t => t.GetMethods().Any(m => m.IsDefined(typeof(FactAttribute), inherit: true)));
        var neverEnded = fixtures.Concat(testClasses).Distinct()
            .Where(t => typeof(IAsyncDisposable).IsAssignableFrom(t) && !typeof(IAsyncLifetime).IsAssignableFrom(t) && !typeof(IDisposable).IsAssignableFrom(t))
            .Select(t => t.FullName)
            .ToList();
        Assert.True(fixtures.Any(), "found no fixtures to check");
        Assert.Empty(neverEnded);
    }
}
