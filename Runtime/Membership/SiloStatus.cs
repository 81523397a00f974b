namespace Agents.Runtime.Membership;

/// <summary>Silo life cycle, stored as Orleans stores it (1..6).</summary>
public enum SiloStatus
{
    None = 0,
    Created = 1,
    Joining = 2,
    Active = 3,
    ShuttingDown = 4,
    Stopping = 5,
    Dead = 6,
}
