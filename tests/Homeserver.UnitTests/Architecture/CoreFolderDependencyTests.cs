using System.Reflection;
using Homeserver.Core.Storage;
using NetArchTest.Rules;
using Xunit;

namespace Homeserver.UnitTests.Architecture;

/// <summary>
/// The core's folders (namespaces under Homeserver.Core) depend on each other without a cycle: low layers know
/// nothing of the domains, a domain acting inside another's transaction does it through an interface the other
/// declares, and sync reads every domain while none reads sync (docs/architecture.md). The composition root
/// (namespace Homeserver.Core itself) is left out: it registers everything.
/// </summary>
public sealed class CoreFolderDependencyTests
{
    private const string Root = "Homeserver.Core.";
    private static readonly Assembly Core = typeof(Database).Assembly;

    private static IReadOnlyList<string> Folders() =>
        Core.GetTypes().Select(t => t.Namespace).OfType<string>().Where(n => n.StartsWith(Root, StringComparison.Ordinal))
            .Select(n => n[Root.Length..].Split('.')[0]).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>Folder → the folders its types use, with the types that do.</summary>
    private static Dictionary<string, Dictionary<string, IReadOnlyList<string>>> Graph()
    {
        var folders = Folders();
        var graph = folders.ToDictionary(f => f, _ => new Dictionary<string, IReadOnlyList<string>>());
        foreach (var from in folders)
            foreach (var to in folders.Where(f => f != from))
            {
                var result = Types.InAssembly(Core).That().ResideInNamespaceMatching($@"^Homeserver\.Core\.{from}(\..*)?$")
                    .Should().NotHaveDependencyOn(Root + to).GetResult();
                if (!result.IsSuccessful)
                    graph[from][to] = result.FailingTypeNames ?? [];
            }
        return graph;
    }

    [Fact]
    public void CoreFolders_HaveNoDependencyCycle()
    {
        var graph = Graph();
        // The check sees real dependencies: sync reads rooms, rooms write through streams.
        Assert.Contains("Rooms", graph["Sync"].Keys);
        Assert.Contains("Streams", graph["Rooms"].Keys);

        var cycles = DependencyCycles.Find(graph.ToDictionary(g => g.Key, g => (IReadOnlyCollection<string>)g.Value.Keys.ToList()));

        Assert.True(cycles.Count == 0, "Folders of the core that depend on each other in a cycle:\n" + string.Join("\n", cycles.Select(c =>
            string.Join(", ", c) + ": " + string.Join("; ", c.SelectMany(f => c.Where(graph[f].ContainsKey)
                .Select(to => $"{f} -> {to} (by {string.Join(", ", graph[f][to].Take(3))})"))))));
    }

    [Fact]
    public void CycleFinder_FindsACycleAndOnlyThat()
    {
        var graph = new Dictionary<string, IReadOnlyCollection<string>>
        {
            ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A", "D"], ["D"] = [], ["E"] = ["D"],
        };
        var cycle = Assert.Single(DependencyCycles.Find(graph));
        Assert.Equal(["A", "B", "C"], cycle.Order(StringComparer.Ordinal));
        graph["C"] = ["D"];
        Assert.Empty(DependencyCycles.Find(graph));
    }
}
