using Xunit;

namespace Homeserver.Testing;

/// <summary>
/// Tests that measure the whole process (allocations, timing of a single server) run alone, after the
/// parallel ones, so other tests cannot disturb their numbers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial";
}
