using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace Homeserver.Core.Storage;

/// <summary>
/// What Dapper fills in: text, transaction and parameters are only collected here, and at execution handed to the
/// connection's prepared statement for that text, whose reader is returned as it is.
/// </summary>
internal sealed class CachingSqliteCommand(CachingSqliteConnection connection) : DbCommand
{
    private readonly ParameterList _parameters = new();
    private int? _timeout;
    // Runs the text when the cached statement cannot (see SqliteStatementCache.Get); disposed with this command.
    private SqliteCommand? _ownCommand;

    [AllowNull]
    public override string CommandText { get; set; } = "";

    public override int CommandTimeout
    {
        get => _timeout ?? connection.Inner.DefaultTimeout;
        set => _timeout = value;
    }

    public override CommandType CommandType
    {
        get => CommandType.Text;
        set
        {
            if (value != CommandType.Text)
                throw new ArgumentException($"SQLite runs only {nameof(CommandType.Text)} commands", nameof(value));
        }
    }

    public override bool DesignTimeVisible { get; set; }
    public override UpdateRowSource UpdatedRowSource { get; set; }

    protected override DbConnection? DbConnection
    {
        get => connection;
        set => throw new NotSupportedException("a cached command stays with the connection that made it");
    }

    protected override DbParameterCollection DbParameterCollection => _parameters;
    protected override DbTransaction? DbTransaction { get; set; }

    public override void Cancel()
    {
    }

    public override void Prepare()
    {
    }

    protected override DbParameter CreateDbParameter() => new SqliteParameter();

    public override int ExecuteNonQuery() => Bind().ExecuteNonQuery();

    public override object? ExecuteScalar() => Bind().ExecuteScalar();

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => Bind().ExecuteReader(behavior);

    private SqliteCommand Bind()
    {
        SqliteCommand command = connection.Statements.Get(CommandText) ?? Own();
        command.Transaction = (SqliteTransaction?)Transaction;
        command.CommandTimeout = CommandTimeout;
        command.Parameters.Clear();
        foreach (SqliteParameter parameter in _parameters)
            command.Parameters.Add(parameter);
        return command;
    }

    private SqliteCommand Own()
    {
        _ownCommand?.Dispose();
        return _ownCommand = new SqliteCommand(CommandText, connection.Inner);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _ownCommand?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Microsoft.Data.Sqlite's own collection type, so parameters move to the statement as they are.</summary>
    private sealed class ParameterList : SqliteParameterCollection;
}
