using System.Data.Common;
using Dapper;

namespace Homeserver.Core.Storage;

/// <summary>
/// Dapper calls with the request's cancellation token threaded through, so stores stay one-liners. Every
/// statement's parameters pass <see cref="StoredText.EnsureStorable"/> first, so both engines refuse alike.
/// </summary>
public static class DbConnectionExtensions
{
    private static CommandDefinition Command(string sql, object? param, DbTransaction? tx, CancellationToken ct)
    {
        StoredText.EnsureStorable(param);
        return new CommandDefinition(sql, param, tx, cancellationToken: ct);
    }

    public static Task<int> RunAsync(this DbConnection conn, string sql, object? param, CancellationToken ct, DbTransaction? tx = null) =>
        conn.ExecuteAsync(Command(sql, param, tx, ct));

    public static async Task<IReadOnlyList<T>> ListAsync<T>(this DbConnection conn, string sql, object? param, CancellationToken ct, DbTransaction? tx = null) =>
        (await conn.QueryAsync<T>(Command(sql, param, tx, ct))).AsList();

    public static Task<T?> FirstOrDefaultAsync<T>(this DbConnection conn, string sql, object? param, CancellationToken ct, DbTransaction? tx = null) =>
        conn.QueryFirstOrDefaultAsync<T>(Command(sql, param, tx, ct));

    public static Task<T> ScalarAsync<T>(this DbConnection conn, string sql, object? param, CancellationToken ct, DbTransaction? tx = null) =>
        conn.ExecuteScalarAsync<T>(Command(sql, param, tx, ct))!;
}
