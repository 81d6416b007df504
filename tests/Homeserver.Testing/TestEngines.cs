using Xunit;

namespace Homeserver.Testing;

/// <summary>Theory data: every storage-touching test runs on both engines.</summary>
public static class TestEngines
{
    public static TheoryData<string> All => new() { "sqlite", "postgres" };
}
