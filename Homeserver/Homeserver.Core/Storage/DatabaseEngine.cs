namespace Homeserver.Core.Storage;

public enum DatabaseEngine
{
    Sqlite,
    Postgres,
}
