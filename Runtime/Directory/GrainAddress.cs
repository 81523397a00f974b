using Agents.Abstractions;
using Agents.Runtime.Membership;

namespace Agents.Runtime.Directory;

/// <summary>Where a grain's single activation lives: silo plus activation id.</summary>
public sealed record GrainAddress(GrainId Grain, SiloAddress Silo, Guid ActivationId);
