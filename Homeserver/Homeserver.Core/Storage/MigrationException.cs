namespace Homeserver.Core.Storage;

public sealed class MigrationException(string message, Exception? inner = null) : Exception(message, inner);
