using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.AccountData;

/// <summary>A user's account data as clients read and write it (<c>/account_data</c>), global or per room.</summary>
public sealed class AccountDataService(AccountDataStore store)
{
    /// <summary>Types the server manages through their own endpoints; the spec has PUT refuse them.</summary>
    private static readonly string[] ServerManagedTypes = ["m.fully_read", "m.push_rules"];

    public async Task<string> GetAsync(UserId userId, RoomId? roomId, string type, CancellationToken ct) =>
        await store.GetAsync(userId.ToString(), roomId?.ToString(), type, ct) ?? throw MatrixException.NotFound("Account data not found");

    /// <summary>Throws 405 for a type only the server writes; endpoints call it before reading the body, so the refusal answers first.</summary>
    public static void EnsureClientWritable(string type)
    {
        if (ServerManagedTypes.Contains(type))
            throw new MatrixException(405, ErrorCodes.BadJson, $"Cannot set {type} through this API");
    }

    public async Task PutAsync(UserId userId, RoomId? roomId, string type, string contentJson, CancellationToken ct)
    {
        EnsureClientWritable(type);
        await store.PutAsync(userId.ToString(), roomId?.ToString(), type, contentJson, ct);
    }
}
