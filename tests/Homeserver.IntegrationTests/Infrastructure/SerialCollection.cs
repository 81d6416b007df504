using Xunit;

namespace Homeserver.IntegrationTests;

/// <summary>
/// Tests that measure the whole process (allocations, timing of a single server) run alone, after the
/// parallel ones, so other tests cannot disturb their numbers. xunit reads a collection's definition only from
/// the test assembly itself, so it lives here rather than in the shared testing library.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial";
}
