using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Homeserver.Testing;

/// <summary>Signals to server processes the tests started, for a graceful stop where <see cref="Process.Kill()"/> is SIGKILL.</summary>
public static class ProcessSignals
{
    private const int SigTerm = 15;

    /// <summary>SIGTERM, as systemd or an operator stops a server; false when the process could not be signalled.</summary>
    public static bool Terminate(Process process) => SendSignal(process.Id, SigTerm) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
