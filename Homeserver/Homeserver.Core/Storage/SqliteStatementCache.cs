using Microsoft.Data.Sqlite;

namespace Homeserver.Core.Storage;

/// <summary>
/// The prepared statements of one open SQLite connection by SQL text, least recently used dropped first so the
/// memory stays bounded whatever SQL (for instance lists expanded to a varying number of parameters) comes by.
/// Used by one caller at a time, like its connection.
/// </summary>
internal sealed class SqliteStatementCache(SqliteConnection connection, int capacity) : IDisposable
{
    private readonly Dictionary<string, LinkedListNode<CachedStatement>> _bySql = new(StringComparer.Ordinal);
    private readonly LinkedList<CachedStatement> _recent = new();
    private readonly List<CachedStatement> _usedThisLease = [];

    public int Count => _bySql.Count;

    /// <summary>
    /// The statement for <paramref name="sql"/>, or null when it (or the one it would evict) still has a reader
    /// open, as in a second query run while a first is read: the caller then runs a command of its own.
    /// </summary>
    public CachedStatement? Get(string sql)
    {
        if (_bySql.TryGetValue(sql, out var node))
        {
            if (node.Value.InUse)
                return null;
            _recent.Remove(node);
            _recent.AddFirst(node);
            return Use(node.Value);
        }
        if (_bySql.Count >= capacity)
        {
            var oldest = _recent.Last!;
            if (oldest.Value.InUse)
                return null;
            _recent.RemoveLast();
            _bySql.Remove(oldest.Value.CommandText);
            _usedThisLease.Remove(oldest.Value);
            oldest.Value.Dispose();
        }
        var statement = new CachedStatement(sql, connection);
        _bySql.Add(sql, _recent.AddFirst(statement));
        return Use(statement);
    }

    /// <summary>Called when the connection goes back to the pool.</summary>
    public void EndLease()
    {
        foreach (var statement in _usedThisLease)
            statement.Release();
        _usedThisLease.Clear();
    }

    private CachedStatement Use(CachedStatement statement)
    {
        if (!statement.Leased)
        {
            statement.Leased = true;
            _usedThisLease.Add(statement);
        }
        return statement;
    }

    public void Dispose()
    {
        foreach (var statement in _recent)
            statement.Dispose();
        _recent.Clear();
        _bySql.Clear();
        _usedThisLease.Clear();
    }
}
