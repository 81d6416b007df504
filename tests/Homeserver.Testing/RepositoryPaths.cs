namespace Homeserver.Testing;

/// <summary>Files of the repository that tests read (the sample config, reference scripts), found from the test binaries.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Homeserver.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Homeserver.sln not found above the test binaries");
    }
}
