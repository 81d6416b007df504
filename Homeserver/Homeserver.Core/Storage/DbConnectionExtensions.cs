using System.Data.Common;
using Dapper;

namespace Homeserver.Core.Storage;

/// <summary>Dapper calls with the request's cancellation token threaded through, so stores stay one-liners.</summary>
public static class DbConnectionExtensions
{
    public static Task<int> RunAsync(this DbConnection conn, string sql, object? param, CancellationToken ct, DbTransaction? tx = null) =>
        conn.ExecuteAsync(new CommandDefinition(sql, param, tx, cancellationToken: ct));

    public static async Task<IReadOnlyList<T>> ListAsync<T>(this DbConnection conn, string sql, object? param, CancellationToken ct, DbTransaction? tx = null) =>
        (await conn.QueryAsync<T>(new CommandDefinition(sql, param, tx, cancellationToken: ct))).AsList();

    public static Task<T?> FirstOrDefaultAsync<T>(this DbConnection conn, string sql, object? param, CancellationToken ct, DbTransaction? tx = null) =>
        conn.QueryFirstOrDefaultAsync<T>(new CommandDefinition(sql, param, tx, cancellationToken: ct));

    public static Task<T> ScalarAsync<T>(this DbConnection conn, string sql, object? param, CancellationToken ct, DbTransaction? tx = null) =>
        conn.ExecuteScalarAsync<T>(new CommandDefinition(sql, param, tx, cancellationToken: ct))!;
}
