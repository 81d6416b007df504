namespace Homeserver.Core.Media;

/// <summary>
/// Moves every piece of content the database refers to from one store to another (<c>move-media</c>), with the
/// server stopped. Each piece is copied through a temp file, checked against its hash, stored, and only then
/// deleted from the source; what the destination already holds is only deleted from the source. So an interrupted
/// move is resumed by running it again, and a finished one does nothing the second time.
/// </summary>
public sealed class MediaContentMover(MediaStore store)
{
    private const int PageSize = 500;

    public sealed record Report(int Moved, int AlreadyThere, IReadOnlyList<string> Missing, IReadOnlyList<string> Corrupt);

    public async Task<Report> MoveAllAsync(IMediaContentStore from, IMediaContentStore to, CancellationToken ct)
    {
        int moved = 0, alreadyThere = 0;
        var missing = new List<string>();
        var corrupt = new List<string>();
        var after = "";
        while (await store.ContentHashesAsync(after, PageSize, ct) is { Count: > 0 } page)
        {
            foreach (var sha in page)
            {
                if (await to.ExistsAsync(sha, ct))
                    alreadyThere++;
                else
                {
                    var problem = await CopyAsync(sha, from, to, ct);
                    if (problem is not null)
                    {
                        (problem == Problem.Missing ? missing : corrupt).Add(sha);
                        continue;
                    }
                    moved++;
                }
                await from.DeleteAsync(sha, ct);
            }
            after = page[^1];
        }
        return new Report(moved, alreadyThere, missing, corrupt);
    }

    private enum Problem { Missing, Corrupt }

    private static async Task<Problem?> CopyAsync(string sha, IMediaContentStore from, IMediaContentStore to, CancellationToken ct)
    {
        await using var source = await from.OpenReadAsync(sha, ct);
        if (source is null)
            return Problem.Missing;
        var temp = to.NewTempPath();
        try
        {
            string copied;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
                (copied, _) = await HashingLimitedStream.CopyAsync(source, file, long.MaxValue, ct);
            if (copied != sha)
                return Problem.Corrupt;
            await to.PutAsync(sha, temp, ct);
            return null;
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
