namespace Homeserver.Core.Storage;

/// <summary>
/// The few places where SQLite and PostgreSQL SQL differ. Everything else (upserts with ON CONFLICT,
/// RETURNING, window functions) is written once in the stores.
/// </summary>
public sealed class SqlDialect
{
    private SqlDialect(DatabaseEngine engine) => Engine = engine;

    public static SqlDialect Sqlite { get; } = new(DatabaseEngine.Sqlite);
    public static SqlDialect Postgres { get; } = new(DatabaseEngine.Postgres);

    public DatabaseEngine Engine { get; }

    /// <summary>The dialect of an open connection, for static store methods that are handed one.</summary>
    public static SqlDialect Of(System.Data.Common.DbConnection connection) => connection is Npgsql.NpgsqlConnection ? Postgres : Sqlite;

    /// <summary>Case-insensitive pattern match operator (SQLite's LIKE already folds ASCII case).</summary>
    public string CaseInsensitiveLike => Engine == DatabaseEngine.Postgres ? "ILIKE" : "LIKE";

    /// <summary>Statement that serialises schema migrations across nodes sharing one database, or null where a write lock already does.</summary>
    public string? MigrationLock => Engine == DatabaseEngine.Postgres ? "SELECT pg_advisory_xact_lock(7452019346)" : null;

    /// <summary>
    /// "column is one of the list parameter": Dapper expands <c>IN @list</c> for SQLite, while Npgsql takes the list
    /// as one array parameter, which PostgreSQL matches with <c>= ANY</c>. Pass the list as an array.
    /// </summary>
    public string InList(string column, string parameter) =>
        Engine == DatabaseEngine.Postgres ? $"{column} = ANY(@{parameter})" : $"{column} IN @{parameter}";

    /// <summary>
    /// <see cref="InList"/> for lists of any length, with the list passed as <see cref="ListParameter{T}"/>: SQLite reads it
    /// as one JSON array through <c>json_each</c>, where an expanded list binds every element as a named parameter of
    /// its own, which for the hundreds of rooms or thousands of events of one sync costs more than the query.
    /// </summary>
    public string InLongList(string column, string parameter) =>
        Engine == DatabaseEngine.Postgres ? $"{column} = ANY(@{parameter})" : $"{column} IN (SELECT value FROM json_each(@{parameter}))";

    /// <summary>The value to pass for an <see cref="InLongList"/> parameter.</summary>
    public object ListParameter<T>(IEnumerable<T> values) =>
        Engine == DatabaseEngine.Postgres ? values.ToArray() : System.Text.Json.JsonSerializer.Serialize(values);

    /// <summary>Folder of this engine's numbered migration scripts.</summary>
    public string MigrationFolder => Engine == DatabaseEngine.Postgres ? "Postgres" : "Sqlite";
}
