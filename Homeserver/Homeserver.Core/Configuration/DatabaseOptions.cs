namespace Homeserver.Core.Configuration;

public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (embedded default) or <c>postgres</c>.</summary>
    public string Engine { get; set; } = "sqlite";
    /// <summary>SQLite file, relative to the data directory.</summary>
    public string SqlitePath { get; set; } = "homeserver.db";
    /// <summary>
    /// SQLite's <c>synchronous</c> pragma. <c>normal</c> with WAL keeps every committed transaction across a
    /// process crash (kill -9); <c>full</c> also survives power loss at the cost of an fsync per commit.
    /// </summary>
    public string SqliteSynchronous { get; set; } = "normal";
    /// <summary>Npgsql connection string, required for <c>postgres</c>.</summary>
    public string? ConnectionString { get; set; }
    /// <summary>
    /// This node's name among the writers of the database: stream positions are tracked per writer, so every node
    /// sharing one PostgreSQL database needs its own.
    /// </summary>
    public string InstanceName { get; set; } = "main";
}
