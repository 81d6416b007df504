using System.Reflection;
using ClientApi;
using Federation;
using Homeserver.Core.Storage;
using MediaRepo;
using NetArchTest.Rules;
using Xunit;

namespace Homeserver.UnitTests.Architecture;

/// <summary>
/// The HTTP surfaces call the core's services, never its stores: domain rules (who may read, what may be written)
/// live beside the data in services, where every surface shares them, and endpoints only translate HTTP.
/// </summary>
public sealed class EndpointDependencyTests
{
    public static TheoryData<string> Surfaces => new() { "ClientApi", "Federation", "MediaRepo" };

    private static readonly Dictionary<string, Assembly> Assemblies = new()
    {
        ["ClientApi"] = typeof(ClientApiEndpoints).Assembly,
        ["Federation"] = typeof(FederationEndpoints).Assembly,
        ["MediaRepo"] = typeof(MediaRepoEndpoints).Assembly,
    };

    [Theory]
    [MemberData(nameof(Surfaces))]
    public void NoSurfaceType_DependsOnACoreStoreOrTheStorageLayer(string surface)
    {
        var core = typeof(Database).Assembly;
        var forbidden = core.GetTypes()
            .Where(t => t.Name.EndsWith("Store", StringComparison.Ordinal))
            .Select(t => t.FullName!)
            .Append(typeof(Database).Namespace!)
            .ToArray();
        Assert.Contains("Homeserver.Core.Accounts.UserStore", forbidden);

        var result = Types.InAssembly(Assemblies[surface]).Should().NotHaveDependencyOnAny(forbidden).GetResult();

        Assert.True(result.IsSuccessful, $"{surface} types that use a store or Homeserver.Core.Storage: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }
}
