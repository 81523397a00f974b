namespace Agents.Abstractions.Invocation;

/// <summary>How a request ended, as Orleans distinguishes it.</summary>
public enum ResponseKind : byte
{
    None = 0,
    Success = 1,
    /// <summary>The grain method threw.</summary>
    Error = 2,
    /// <summary>The runtime did not (fully) run the request.</summary>
    Rejection = 3,
}

/// <summary>Why the runtime rejected a request.</summary>
public enum RejectionKind : byte
{
    None = 0,
    /// <summary>Try again (silo shutting down, activation moving).</summary>
    Transient = 1,
    /// <summary>The activation's queue is full.</summary>
    Overloaded = 2,
    /// <summary>Retrying will not help (unknown grain type, no silo with the role, payload too large, time-out).</summary>
    Unrecoverable = 3,
    /// <summary>The gateway is too busy to take the request.</summary>
    GatewayTooBusy = 4,
    /// <summary>The grain is not (any longer) on the silo the sender addressed: drop the cached address and re-resolve.</summary>
    CacheInvalidation = 5,
}
