namespace Homeserver.Core.Events;

/// <summary>The outcome of checking a received event (server-server API, "Validating hashes and signatures on received events").</summary>
public enum EventVerification
{
    /// <summary>The signature and the content hash both check out: use the event as received.</summary>
    Valid,

    /// <summary>The signature is missing or wrong: drop the event.</summary>
    SignatureInvalid,

    /// <summary>The signature is good but the content hash is not: process the redacted copy instead.</summary>
    ContentHashMismatch,
}
