using System.Reflection;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("Homeserver.IntegrationTests.CollectionSlots", "Homeserver.IntegrationTests")]

namespace Homeserver.IntegrationTests;

/// <summary>
/// Runs a few test classes at a time, each from its first test to its last. xunit's own scheduler limits running
/// tests, not classes: it interleaves every class's tests, so each class's shared servers stay up from its first
/// test to its last while the others run, and a full run had a hundred idle servers polling their databases at
/// once, which slowed the run severalfold. Classes in <see cref="SerialCollection"/> still run alone, after the rest.
/// </summary>
public sealed class CollectionSlots(IMessageSink diagnosticMessageSink) : XunitTestFramework(diagnosticMessageSink)
{
    /// <summary>Classes at once: one more than the cores, so a class waiting on a timer does not leave a core idle.</summary>
    private static readonly int Slots = Environment.ProcessorCount + 1;

    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
    {
        protected override async void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            using var runner = new Runner(TestAssembly, testCases, DiagnosticMessageSink, executionMessageSink, executionOptions);
            await runner.RunAsync();
        }
    }

    private sealed class Runner(ITestAssembly testAssembly, IEnumerable<IXunitTestCase> testCases, IMessageSink diagnosticMessageSink,
        IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        : XunitTestAssemblyRunner(testAssembly, testCases, diagnosticMessageSink, executionMessageSink, executionOptions)
    {
        protected override async Task<RunSummary> RunTestCollectionsAsync(IMessageBus messageBus, CancellationTokenSource cancellationTokenSource)
        {
            var collections = OrderTestCollections();
            var serial = collections.Where(c => RunsAlone(c.Item1)).ToList();
            // Larger classes first, so that the last slot to finish does not start a long class at the end.
            var parallel = collections.Except(serial).OrderByDescending(c => c.Item2.Count).ToList();

            using var slots = new SemaphoreSlim(Slots);
            var summaries = await Task.WhenAll(parallel.Select(c => Task.Run(async () =>
            {
                await slots.WaitAsync(cancellationTokenSource.Token);
                try
                {
                    return await RunTestCollectionAsync(messageBus, c.Item1, c.Item2, cancellationTokenSource);
                }
                finally
                {
                    slots.Release();
                }
            })));
            var summary = new RunSummary();
            foreach (var s in summaries)
                summary.Aggregate(s);
            foreach (var (collection, cases) in serial)
            {
                if (cancellationTokenSource.IsCancellationRequested)
                    break;
                summary.Aggregate(await RunTestCollectionAsync(messageBus, collection, cases, cancellationTokenSource));
            }
            return summary;
        }

        private static bool RunsAlone(ITestCollection collection) =>
            collection.CollectionDefinition?.GetCustomAttributes(typeof(CollectionDefinitionAttribute)).SingleOrDefault()
                ?.GetNamedArgument<bool>(nameof(CollectionDefinitionAttribute.DisableParallelization)) == true;
    }
}
