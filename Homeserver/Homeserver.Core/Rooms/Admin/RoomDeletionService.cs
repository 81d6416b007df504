using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.Admin;

/// <summary>
/// Room deletions for the admin API: <see cref="ScheduleAsync"/> records one and hands it to the
/// <see cref="RoomDeletionWorker"/>, answering at once with its ID (Synapse's v2); <see cref="DeleteNowAsync"/> runs one
/// while the request waits (v1).
/// </summary>
public sealed class RoomDeletionService(RoomDeletionTaskStore tasks, RoomDeletionWorker worker, RoomShutdown shutdown, RoomStore rooms)
{
    public async Task<string> ScheduleAsync(RoomId roomId, RoomDeletionRequest request, CancellationToken ct)
    {
        if (!request.Block && await rooms.GetAsync(roomId.ToString(), ct) is null)
            throw MatrixException.NotFound($"Unknown room id {roomId}");
        if (await tasks.HasUnfinishedAsync(roomId, ct))
            throw MatrixException.InvalidParam($"History purge already in progress for {roomId}");
        var deleteId = Guid.NewGuid().ToString("N");
        await tasks.AddAsync(deleteId, roomId, request, ct);
        worker.Wake();
        return deleteId;
    }

    public Task<RoomShutdownResult> DeleteNowAsync(RoomId roomId, RoomDeletionRequest request, CancellationToken ct) =>
        shutdown.RunAsync(roomId, request, _ => Task.CompletedTask, ct);

    public async Task<RoomDeletionTask> StatusAsync(string deleteId, CancellationToken ct) =>
        await tasks.GetAsync(deleteId, ct) ?? throw MatrixException.NotFound($"delete id '{deleteId}' not found");

    public async Task<IReadOnlyList<RoomDeletionTask>> StatusesOfRoomAsync(RoomId roomId, CancellationToken ct)
    {
        var list = await tasks.OfRoomAsync(roomId, ct);
        return list.Count > 0 ? list : throw MatrixException.NotFound($"No delete task for room_id '{roomId}' found");
    }
}
