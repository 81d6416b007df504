namespace Homeserver.Core.Media;

/// <summary>
/// Content under <c>media.store_path</c> as <c>ab/cd/&lt;sha256&gt;</c> (<see cref="MediaContentPaths"/>), so no
/// client-supplied text can reach the filesystem.
/// </summary>
public sealed class LocalMediaContentStore : IMediaContentStore
{
    private readonly string _root;
    private readonly string _temp;

    public LocalMediaContentStore(string root)
    {
        _root = Path.GetFullPath(root);
        _temp = Path.Combine(_root, "tmp");
        Directory.CreateDirectory(_temp);
    }

    public string NewTempPath() => Path.Combine(_temp, Guid.NewGuid().ToString("N"));

    public Task PutAsync(string sha256, string tempPath, CancellationToken ct)
    {
        var target = PathFor(sha256);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (File.Exists(target))
            File.Delete(tempPath);
        else
            File.Move(tempPath, target, overwrite: true);
        return Task.CompletedTask;
    }

    public Task<Stream?> OpenReadAsync(string sha256, CancellationToken ct)
    {
        var path = PathFor(sha256);
        Stream? stream = File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan)
            : null;
        return Task.FromResult(stream);
    }

    public Task DeleteAsync(string sha256, CancellationToken ct)
    {
        File.Delete(PathFor(sha256));
        return Task.CompletedTask;
    }

    public Task<bool> ExistsAsync(string sha256, CancellationToken ct) => Task.FromResult(File.Exists(PathFor(sha256)));

    private string PathFor(string sha256) => Path.Combine(_root, MediaContentPaths.Relative(sha256));
}
