using Homeserver.Core.Errors;

namespace Homeserver.Core.Accounts;

/// <summary>A user's own devices as <c>/devices</c> shows and renames them; deleting them is <see cref="SessionService"/>'s, with their sessions.</summary>
public sealed class DeviceService(DeviceStore devices)
{
    public const int MaxDisplayNameLength = 100;

    public Task<IReadOnlyList<DeviceRecord>> ListAsync(string userId, CancellationToken ct) => devices.ListAsync(userId, ct);

    public async Task<DeviceRecord> GetAsync(string userId, string deviceId, CancellationToken ct) =>
        await devices.GetAsync(userId, deviceId, ct) ?? throw MatrixException.NotFound("Unknown device");

    public async Task RenameAsync(string userId, string deviceId, string? displayName, CancellationToken ct)
    {
        if (displayName is { Length: > MaxDisplayNameLength })
            throw MatrixException.InvalidParam($"display_name is longer than {MaxDisplayNameLength} characters");
        if (!await devices.SetDisplayNameAsync(userId, deviceId, displayName, ct))
            throw MatrixException.NotFound("Unknown device");
    }
}
