using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Accounts;

/// <summary>
/// The third-party IDs of accounts, set by admins (Synapse's admin API) or proven by their users by mail
/// (<c>Threepids.ThreepidService</c>), and the identity servers each was bound at through this server.
/// </summary>
public sealed class ThreepidStore(Database db)
{
    private const string SelectOfUser = "SELECT medium, address, validated_at, added_at FROM user_threepids WHERE user_id = @UserId ORDER BY added_at, medium, address";
    private const string DeleteOfUser = "DELETE FROM user_threepids WHERE user_id = @UserId";
    private const string Insert = """
        INSERT INTO user_threepids (user_id, medium, address, validated_at, added_at) VALUES (@UserId, @Medium, @Address, @ValidatedAt, @AddedAt)
        ON CONFLICT (user_id, medium, address) DO NOTHING
        """;

    private const string SelectOwner = "SELECT user_id FROM user_threepids WHERE medium = @Medium AND address = @Address ORDER BY added_at LIMIT 1";
    private const string DeleteOne = "DELETE FROM user_threepids WHERE user_id = @UserId AND medium = @Medium AND address = @Address";
    private const string InsertBinding = """
        INSERT INTO user_threepid_id_servers (user_id, medium, address, id_server) VALUES (@UserId, @Medium, @Address, @IdServer)
        ON CONFLICT (user_id, medium, address, id_server) DO NOTHING
        """;
    private const string SelectBindings = "SELECT medium, address, id_server FROM user_threepid_id_servers WHERE user_id = @UserId";
    private const string DeleteBinding = "DELETE FROM user_threepid_id_servers WHERE user_id = @UserId AND medium = @Medium AND address = @Address AND id_server = @IdServer";

    /// <summary>The account an address belongs to, if any (the first to add it, should an admin have given it to several).</summary>
    public Task<string?> FindOwnerAsync(string medium, string address, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string?>(SelectOwner, new { Medium = medium, Address = address }, ct), ct);

    public static Task<string?> FindOwnerAsync(DbConnection c, DbTransaction tx, string medium, string address, CancellationToken ct) =>
        c.FirstOrDefaultAsync<string?>(SelectOwner, new { Medium = medium, Address = address }, ct, tx);

    public static Task InsertAsync(DbConnection c, DbTransaction tx, string userId, string medium, string address, long validatedAt, long now, CancellationToken ct) =>
        c.RunAsync(Insert, new { UserId = userId, Medium = medium, Address = address, ValidatedAt = validatedAt, AddedAt = now }, ct, tx);

    public Task<bool> DeleteAsync(string userId, string medium, string address, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) => await c.RunAsync(DeleteOne, new { UserId = userId, Medium = medium, Address = address }, ct, tx) > 0, ct);

    public Task AddBindingAsync(string userId, string medium, string address, string idServer, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(InsertBinding, new { UserId = userId, Medium = medium, Address = address, IdServer = idServer }, ct, tx), ct);

    public Task<IReadOnlyList<ThreepidBinding>> ListBindingsAsync(string userId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<ThreepidBinding>(SelectBindings, new { UserId = userId }, ct), ct);

    public Task DeleteBindingAsync(string userId, ThreepidBinding binding, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(DeleteBinding, new { UserId = userId, binding.Medium, binding.Address, binding.IdServer }, ct, tx), ct);

    public Task<IReadOnlyList<ThreepidRecord>> ListAsync(string userId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<ThreepidRecord>(SelectOfUser, new { UserId = userId }, ct), ct);

    /// <summary>Replaces the account's third-party IDs with <paramref name="threepids"/>; the ones it keeps keep their times.</summary>
    public Task ReplaceAsync(string userId, IReadOnlyList<(string Medium, string Address)> threepids, long now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var kept = (await c.ListAsync<ThreepidRecord>(SelectOfUser, new { UserId = userId }, ct, tx))
                .ToDictionary(t => (t.Medium, t.Address));
            await DeleteAllAsync(c, tx, userId, ct);
            foreach (var (medium, address) in threepids)
            {
                var old = kept.GetValueOrDefault((medium, address));
                await c.RunAsync(Insert, new
                {
                    UserId = userId, Medium = medium, Address = address,
                    ValidatedAt = old?.ValidatedAt ?? now, AddedAt = old?.AddedAt ?? now,
                }, ct, tx);
            }
        }, ct);

    public static Task DeleteAllAsync(DbConnection c, DbTransaction tx, string userId, CancellationToken ct) =>
        c.RunAsync(DeleteOfUser, new { UserId = userId }, ct, tx);
}
