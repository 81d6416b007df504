namespace Homeserver.Core.Streams;

/// <summary>
/// The name this process writes stream positions under (<c>database.instance_name</c>). Every node sharing one
/// PostgreSQL database needs its own, so that each node's positions are tracked apart.
/// </summary>
public sealed record WriterInstance(string Name);
